/**
 * What one character scan of a value written as an international phone number found: no
 * regular expression and no string built, so the many values that are not phone numbers
 * are turned away in a few character tests before libphonenumber is asked anything.
 */
export interface PhoneText {
  /** Digits of the number, country code and national number, without a `00` prefix: 7–15 (E.164). */
  digits: number;
  /** Its first four digits as an integer (`+49 151…` → 4915): the country code and what follows it. */
  lead: number;
  /** Only digits after the prefix (`+4915112345678`, `004915112345678`): no separators. */
  compact: boolean;
  /** Written with the `00` international prefix rather than `+`. */
  idd: boolean;
}

/** Shortest and longest text a phone number is written in: `+` and 7 digits; 15 digits and separators. */
const MIN_LENGTH = 8;
const MAX_LENGTH = 26;

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Reads `+<digits>` or `00<digits>` with separators between digit groups (`+49 (0)151 234-56.78`,
 * `+1 415/555 2671`): a digit 1–9 right after the prefix, a digit at the end, nothing but digits,
 * spaces, `-`, `.`, `/` and parentheses between, 7–15 digits. Undefined for anything else,
 * including a signed decimal (`+1234.5678`: one dot and no other separator).
 *
 * @example
 * readPhoneText("+1-555-123-4567"); // { digits: 11, lead: 1555, compact: false, idd: false }
 * readPhoneText("2024-01-15"); // undefined
 */
export function readPhoneText(value: string): PhoneText | undefined {
  const n = value.length;
  if (n < MIN_LENGTH || n > MAX_LENGTH) return undefined;
  const first = value.charCodeAt(0);
  let i: number;
  if (first === 43 /* + */) i = 1;
  else if (first === 48 && value.charCodeAt(1) === 48) i = 2;
  else return undefined;
  // No calling code starts with 0.
  const afterPrefix = value.charCodeAt(i);
  if (afterPrefix < 49 || afterPrefix > 57 || !isDigit(value.charCodeAt(n - 1))) return undefined;
  let digits = 0;
  let lead = 0;
  let separators = 0;
  let dots = 0;
  for (; i < n; i++) {
    const c = value.charCodeAt(i);
    if (isDigit(c)) {
      if (digits < 4) lead = lead * 10 + (c - 48);
      digits++;
    } else if (c === 32 || c === 45 || c === 47 || c === 40 || c === 41) separators++;
    else if (c === 46) dots++;
    else return undefined;
  }
  if (digits < 7 || digits > 15 || (dots === 1 && separators === 0)) return undefined;
  return { digits, lead, compact: separators + dots === 0, idd: first !== 43 };
}

/**
 * A value that is one number written with phone characters only — digits, spaces, `-`, `.`,
 * parentheses, a `+` only in front — with at most 15 digits (E.164's bound: more would be
 * two numbers) and fewer than three dots (three make an IPv4 address). Searching such a
 * value for PII inside, as if it were free text, finds nothing the whole-value detectors
 * did not already judge, and the phone search in text is the costly one (tens of µs).
 *
 * @example
 * isPhoneToken("+1 555 12"); // true
 * isPhoneToken("call +1 555 12"); // false
 */
export function isPhoneToken(value: string): boolean {
  const n = value.length;
  if (n > MAX_LENGTH) return false;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (isDigit(c)) digits++;
    else if (c === 46) dots++;
    else if (!(c === 32 || c === 45 || c === 40 || c === 41 || (c === 43 && i === 0))) return false;
  }
  return digits <= 15 && dots < 3;
}
