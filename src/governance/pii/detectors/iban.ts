import { IBAN_LENGTHS, ibanMod97Valid } from "./iban-mod97.js";
import type { PiiDetector } from "./pii-detector.js";

/**
 * An IBAN, compact (`DE89370400440532013000`) or printed in groups of four: a known country,
 * that country's length and a MOD 97-10 checksum of 1. Lower case is read as upper case.
 */
export function isIban(value: string): boolean {
  const n = value.length;
  if (n < 15 || n > 42) return false;
  const compact = (value.indexOf(" ") >= 0 ? value.replace(/ /g, "") : value).toUpperCase();
  const length = IBAN_LENGTHS[compact.slice(0, 2)];
  if (length === undefined || compact.length !== length) return false;
  const d1 = compact.charCodeAt(2);
  const d2 = compact.charCodeAt(3);
  if (d1 < 48 || d1 > 57 || d2 < 48 || d2 > 57) return false;
  return ibanMod97Valid(compact);
}

export const ibanDetector: PiiDetector = {
  class: "iban",
  nameHints: /(^|_)(iban|bank_?account|account_?number|konto\w*)(_|$)/,
  kinds: ["text"],
  chance: 0,
  weak: false,
  matches: isIban,
};
