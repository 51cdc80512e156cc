/**
 * The PII classes weir detects, and the policy each is suggested to get when it lands
 * somewhere protected. The policy names are the governance policies of the shared map
 * (mask / hash / tokenize / redact / drop / generalize).
 */
export const PII_CLASSES = [
  "email",
  "phone",
  "ssn",
  "payment_card",
  "iban",
  "ip_address",
  "date_of_birth",
  "person_name",
] as const;

export type PiiClass = (typeof PII_CLASSES)[number];

export const PII_POLICIES = ["hash", "mask", "tokenize", "redact", "drop", "generalize"] as const;

export type PiiPolicy = (typeof PII_POLICIES)[number];

/**
 * Why each default: emails are join keys, so an HMAC keeps them joinable; phones and IBANs
 * are shown masked to their last 4 in support tools; card numbers and SSNs may be needed back
 * by an authorised process, so they are tokenised (PCI DSS's usual answer); IP addresses and
 * birth dates keep their analytic value when coarsened (a /24 network, a birth year); a
 * person's name carries no analytic value worth the risk.
 */
export const SUGGESTED_POLICY: Readonly<Record<PiiClass, PiiPolicy>> = {
  email: "hash",
  phone: "mask",
  ssn: "tokenize",
  payment_card: "tokenize",
  iban: "mask",
  ip_address: "generalize",
  date_of_birth: "generalize",
  person_name: "redact",
};
