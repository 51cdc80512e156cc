import type { PiiDetector } from "./pii-detector.js";

/** `078-05-1120` or `078 05 1120`: the written form, one separator kind. */
const SSN_WRITTEN = /^(\d{3})([- ])(\d{2})\2(\d{4})$/;

/**
 * The Social Security Administration's rules for numbers it issues: the area is not 000,
 * 666 or 900–999, the group not 00, the serial not 0000. Format-valid only: whether the
 * number was ever issued cannot be known from it.
 *
 * @example
 * validSsnParts("078", "05", "1120"); // true
 * validSsnParts("666", "12", "3456"); // false
 */
export function validSsnParts(area: string, group: string, serial: string): boolean {
  return (
    area !== "000" &&
    area !== "666" &&
    area.charCodeAt(0) !== 57 /* 9 */ &&
    group !== "00" &&
    serial !== "0000"
  );
}

function isWrittenSsn(value: string): boolean {
  if (value.length !== 11) return false;
  const m = SSN_WRITTEN.exec(value);
  return m !== null && validSsnParts(m[1]!, m[3]!, m[4]!);
}

export const ssnDetector: PiiDetector = {
  class: "ssn",
  nameHints: /(^|_)(ssn|social_?security(_?(number|no|nr))?|soc_?sec(_?(number|no|nr))?)(_|$)/,
  kinds: ["text", "integer"],
  chance: 0,
  weak: false,
  matches: isWrittenSsn,
  // Nine bare digits are any id (most pass the SSA's rules): only in a column named for SSNs.
  matchesHinted(value) {
    if (value.length === 9 && /^\d{9}$/.test(value)) {
      return validSsnParts(value.slice(0, 3), value.slice(3, 5), value.slice(5));
    }
    return isWrittenSsn(value);
  },
};
