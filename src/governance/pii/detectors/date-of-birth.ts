import type { PiiDetector } from "./pii-detector.js";

/** People live up to ~120 years: older dates are not birth dates of the living. */
const MAX_AGE_YEARS = 120;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/;
const DOTTED_DATE = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/;
const SLASHED_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/** Today as yyyymmdd (UTC), recomputed when the day changes under a long-running process. */
let today = 0;
let todayEndsAt = 0;
function todayNumber(): number {
  const now = Date.now();
  if (now >= todayEndsAt) {
    const d = new Date(now);
    today = d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
    todayEndsAt = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
  }
  return today;
}

function plausibleBirth(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return false;
  const now = todayNumber();
  const date = year * 10_000 + month * 100 + day;
  return date <= now && year >= Math.floor(now / 10_000) - MAX_AGE_YEARS;
}

/**
 * A date someone alive could have been born on: a real calendar date, not in the future and
 * at most 120 years ago. Read as ISO (`1985-03-12`, a timestamp's date part), dotted
 * (`12.03.1985`) or slashed in either order (`03/12/1985`).
 */
export function isPlausibleBirthDate(value: string): boolean {
  const n = value.length;
  if (n < 8 || n > 35) return false;
  const first = value.charCodeAt(0);
  if (first < 48 || first > 57) return false;
  let m = ISO_DATE.exec(value);
  if (m) return plausibleBirth(Number(m[1]), Number(m[2]), Number(m[3]));
  m = DOTTED_DATE.exec(value);
  if (m) return plausibleBirth(Number(m[3]), Number(m[2]), Number(m[1]));
  m = SLASHED_DATE.exec(value);
  if (!m) return false;
  const [a, b, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return plausibleBirth(year, a, b) || plausibleBirth(year, b, a);
}

export const dateOfBirthDetector: PiiDetector = {
  class: "date_of_birth",
  nameHints: /(^|_)(dob|birth\w*|born(_on|_at)?|birthday|date_of_birth|geburt\w*)(_|$)/,
  kinds: ["text", "date"],
  chance: 0,
  // Order dates, sign-up dates and timestamps are plausible birth dates too.
  weak: true,
  matches: isPlausibleBirthDate,
};
