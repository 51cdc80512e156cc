import { parsePhoneNumberFromString } from "libphonenumber-js";
import { surelyPossible } from "./calling-code-lengths.js";
import { readPhoneText } from "./phone-text.js";
import type { PiiDetector } from "./pii-detector.js";

/** `00…` as libphonenumber reads international numbers: with `+`. */
const withPlus = (value: string, idd: boolean) => (idd ? `+${value.slice(2)}` : value);

/**
 * An international number: written with `+` (or the `00` prefix), 7–15 digits, and a
 * national number of a length its country allows — libphonenumber's *possible*, not its
 * *valid*: fictional ranges (`+1-555-123-4567`) and numbers newer than the metadata are
 * phone numbers to whoever reads the column. Only a bare `00` run of digits
 * (`004915112345678`) must be *valid*: zero-padded ids look just like it.
 * Numbers in national form (`030 1234567`) are not taken alone: without a country they are
 * any run of digits.
 *
 * Most values are settled by a character scan and a table of lengths per calling code;
 * libphonenumber parses only what the table cannot settle (see `surelyPossible`), since its
 * parse costs tens of µs on codes shared by many countries (+1).
 */
export function isInternationalPhone(value: string): boolean {
  const text = readPhoneText(value);
  if (text === undefined) return false;
  if (text.idd && text.compact) return parsePhoneNumberFromString(withPlus(value, true))?.isValid() ?? false;
  if (surelyPossible(text.lead, text.digits)) return true;
  return parsePhoneNumberFromString(withPlus(value, text.idd))?.isPossible() ?? false;
}

export const phoneDetector: PiiDetector = {
  class: "phone",
  nameHints:
    /(^|_)(phone|phone_?number|mobile|cell|cellphone|tel|telephone|telefon\w*|fax|msisdn|handy)(_|$)/,
  kinds: ["text", "integer"],
  chance: 0,
  weak: false,
  matches: isInternationalPhone,
  // A `phone` column may store E.164 without its `+` (often as a BIGINT): 4915112345678.
  matchesHinted(value) {
    if (isInternationalPhone(value)) return true;
    const n = value.length;
    if (n < 8 || n > 15) return false;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    return isInternationalPhone(`+${value}`);
  },
};
