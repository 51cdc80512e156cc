import { findPhoneNumbersInText } from "libphonenumber-js";
import { emailDetector } from "./detectors/email.js";
import { IBAN_LENGTHS, ibanMod97Valid } from "./detectors/iban-mod97.js";
import { isIpAddress } from "./detectors/ip-address.js";
import { isCardNumber } from "./detectors/payment-card.js";
import { validSsnParts } from "./detectors/ssn.js";
import type { PiiClass } from "./pii-class.js";

/** A piece of free text that is PII: `text.slice(start, end) === value`. */
export interface PiiSpan {
  class: PiiClass;
  start: number;
  end: number;
  value: string;
}

// Each pattern finds candidates only; the class's own validator decides. The look-behinds
// keep a candidate from starting inside a longer word or number (a digest, an order id).
const EMAIL_IN_TEXT =
  /(?<![\p{L}\p{N}_.%+*-])[\p{L}\p{N}_%+-]+(?:\.[\p{L}\p{N}_%+-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}(?![\p{L}\p{N}-])/gu;
const CARD_IN_TEXT = /(?<![\w.,*-])\d(?:[ -]?\d){11,18}(?![\w-]|[.,]\d)/g;
const SSN_IN_TEXT = /(?<![\w*-])(\d{3})-(\d{2})-(\d{4})(?![\w-])/g;
const IBAN_IN_TEXT = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,32}/g;
const IPV4_IN_TEXT = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)/g;
const IPV6_IN_TEXT =
  /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?(?![\w:])/g;

/** What a text holds, found in one pass, so each finder runs only where it can find something. */
interface TextShape {
  at: boolean;
  plus: boolean;
  colon: boolean;
  dot: boolean;
  digits: number;
  upper: number;
}

function shapeOf(text: string): TextShape {
  const shape: TextShape = { at: false, plus: false, colon: false, dot: false, digits: 0, upper: 0 };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) shape.digits++;
    else if (c >= 65 && c <= 90) shape.upper++;
    else if (c === 64) shape.at = true;
    else if (c === 43) shape.plus = true;
    else if (c === 58) shape.colon = true;
    else if (c === 46) shape.dot = true;
  }
  return shape;
}

/**
 * The PII inside free text — emails, international phone numbers (with `+`), card numbers,
 * SSNs written `123-45-6789`, IBANs and IP addresses — each validated as a whole value would
 * be (Luhn and issuer, SSA rules, length table and mod 97, libphonenumber), in text order
 * and not overlapping. Names and birth dates are not looked for in text: without a column
 * name to go by they cannot be told from other words and dates.
 *
 * @example
 * findPiiSpans("contact me at ann@x.com or +49 151 2345678");
 * // [{ class: "email", start: 14, end: 23, value: "ann@x.com" },
 * //  { class: "phone", start: 27, end: 42, value: "+49 151 2345678" }]
 */
export function findPiiSpans(text: string): PiiSpan[] {
  if (text.length < 5) return [];
  const shape = shapeOf(text);
  const spans: PiiSpan[] = [];
  const add = (cls: PiiClass, start: number, end: number) =>
    spans.push({ class: cls, start, end, value: text.slice(start, end) });
  if (shape.at) {
    for (const m of text.matchAll(EMAIL_IN_TEXT)) {
      if (emailDetector.matches(m[0])) add("email", m.index, m.index + m[0].length);
    }
  }
  if (shape.plus && shape.digits >= 7) {
    // Without a default country only numbers written with + are found: a national number
    // is any run of digits.
    for (const found of findPhoneNumbersInText(text)) add("phone", found.startsAt, found.endsAt);
  }
  if (shape.digits >= 12) {
    for (const m of text.matchAll(CARD_IN_TEXT)) {
      const length = cardLength(m[0]);
      if (length > 0) add("payment_card", m.index, m.index + length);
    }
  }
  if (shape.digits >= 9) {
    for (const m of text.matchAll(SSN_IN_TEXT)) {
      if (validSsnParts(m[1]!, m[2]!, m[3]!)) add("ssn", m.index, m.index + m[0].length);
    }
  }
  if (shape.upper >= 2 && shape.digits >= 4) findIbans(text, add);
  if (shape.dot && shape.digits >= 4) {
    for (const m of text.matchAll(IPV4_IN_TEXT)) {
      if (isIpAddress(m[0])) add("ip_address", m.index, m.index + m[0].length);
    }
  }
  if (shape.colon) {
    for (const m of text.matchAll(IPV6_IN_TEXT)) {
      if (m[0].length > 2 && isIpAddress(m[0])) add("ip_address", m.index, m.index + m[0].length);
    }
  }
  return withoutOverlaps(spans);
}

/**
 * How much of a digit run is a card number: all of it, else its longest prefix of whole
 * groups (`4111 1111 1111 1111 20` holds a card and a number after it); 0 when none is.
 */
function cardLength(candidate: string): number {
  if (isCardNumber(candidate)) return candidate.length;
  for (let end = candidate.length - 1; end >= 12; end--) {
    const c = candidate.charCodeAt(end);
    if ((c === 32 || c === 45) && isCardNumber(candidate.slice(0, end))) return end;
  }
  return 0;
}

/**
 * IBANs, compact or in groups of four: the candidate is cut to its country's length (the
 * pattern may run on into a following code such as a BIC) and must end at a word's end.
 */
function findIbans(text: string, add: (cls: PiiClass, start: number, end: number) => void): void {
  const pattern = new RegExp(IBAN_IN_TEXT.source, "g");
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const length = IBAN_LENGTHS[m[0].slice(0, 2)];
    if (length === undefined) continue;
    let compact = "";
    let end = m.index;
    for (; end < text.length && compact.length < length; end++) {
      const ch = text[end]!;
      if (ch !== " ") compact += ch;
    }
    if (compact.length !== length || /[A-Za-z0-9]/.test(text[end] ?? "") || !ibanMod97Valid(compact)) {
      // Look again from the next character: an IBAN may start inside what was matched.
      pattern.lastIndex = m.index + 1;
      continue;
    }
    add("iban", m.index, end);
    // The pattern may have run on past this IBAN into the next one.
    pattern.lastIndex = end;
  }
}

/** First come first kept; at one start the longer span wins. */
function withoutOverlaps(spans: PiiSpan[]): PiiSpan[] {
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: PiiSpan[] = [];
  let reached = 0;
  for (const span of spans) {
    if (span.start < reached) continue;
    kept.push(span);
    reached = span.end;
  }
  return kept;
}
