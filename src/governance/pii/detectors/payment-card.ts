import { luhnValid } from "./luhn.js";
import type { PiiDetector } from "./pii-detector.js";

export type CardIssuer =
  | "visa"
  | "mastercard"
  | "amex"
  | "discover"
  | "diners"
  | "jcb"
  | "unionpay"
  | "maestro"
  | "mir";

const MAESTRO_PREFIXES = new Set([5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763]);

/**
 * The issuer a card number's prefix (IIN range) and length belong to, or undefined when no
 * network issues such a number — an order number of 16 digits starting with 9, say.
 *
 * @example
 * cardIssuer("4111111111111111"); // "visa"
 * cardIssuer("371449635398431"); // "amex"
 */
export function cardIssuer(digits: string): CardIssuer | undefined {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  if (digits.charCodeAt(0) === 52 /* 4 */) return n === 13 || n === 16 || n === 19 ? "visa" : undefined;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16 ? "mastercard" : undefined;
  if (p2 === 34 || p2 === 37) return n === 15 ? "amex" : undefined;
  if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65) return n >= 16 ? "discover" : undefined;
  if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14 ? "diners" : undefined;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16 ? "jcb" : undefined;
  if (p2 === 62) return n >= 16 ? "unionpay" : undefined;
  if (MAESTRO_PREFIXES.has(p4)) return n >= 12 ? "maestro" : undefined;
  if (p4 >= 2200 && p4 <= 2204) return n >= 16 ? "mir" : undefined;
  return undefined;
}

/**
 * A card number (PAN): 12–19 digits, written bare or in groups split by spaces or dashes,
 * with an issuer's prefix and length and a valid Luhn digit.
 */
export function isCardNumber(value: string): boolean {
  const n = value.length;
  if (n < 12 || n > 23) return false;
  let digits = value;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    // A separator between digits (not first, last or doubled): strip them all, once.
    if ((c !== 32 && c !== 45) || i === 0 || i === n - 1) return false;
    digits = value.replace(/[ -]/g, "");
    break;
  }
  if (digits.length < 12 || digits.length > 19 || !/^\d+$/.test(digits)) return false;
  return cardIssuer(digits) !== undefined && luhnValid(digits);
}

export const paymentCardDetector: PiiDetector = {
  class: "payment_card",
  nameHints: /(^|_)(card|cards|cc|pan|ccnum|creditcard|credit_card|kreditkarte)(_|$)/,
  kinds: ["text", "integer"],
  // Of look-alike numbers with an issuer's prefix and length, one in ten passes Luhn.
  chance: 0.1,
  weak: false,
  matches: isCardNumber,
};
