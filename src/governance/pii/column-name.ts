/**
 * A column name in the one form name hints are written for: lower snake_case, camelCase
 * split at its humps, any other separator an underscore (`phoneNumber`, `Phone Number`,
 * `phone-number` → `phone_number`; `DOB` → `dob`).
 *
 * @example
 * normalizeColumnName("customerEMail"); // "customer_email"
 */
export function normalizeColumnName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "_")
    .replace(/^_+|_+$/g, "");
}
