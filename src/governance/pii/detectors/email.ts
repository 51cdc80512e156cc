import type { PiiDetector } from "./pii-detector.js";

/**
 * The address forms people and systems actually store: an unquoted local part of letters
 * (any script: RFC 6531), digits and `._%+-`, and a dotted domain with a letter TLD. `*` is not accepted in the local part
 * (RFC 5322 allows it), so a masked `a***@x.com` is not taken for an address.
 */
export const EMAIL_PATTERN =
  /^[\p{L}\p{N}_%+-]+(?:\.[\p{L}\p{N}_%+-]+)*@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}$/u;

export const emailDetector: PiiDetector = {
  class: "email",
  nameHints: /(^|_)(e_?mail|mail|email_?address)(_|$)/,
  kinds: ["text"],
  chance: 0,
  weak: false,
  matches(value) {
    const at = value.indexOf("@");
    // Cheap first: one @, not at either end, and an address-sized value.
    if (at < 1 || at > value.length - 5 || value.length > 254) return false;
    if (value.indexOf("@", at + 1) >= 0) return false;
    return EMAIL_PATTERN.test(value);
  },
};
