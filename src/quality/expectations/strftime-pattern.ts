import { ConfigError } from "../../core/errors.js";

/**
 * `expect_column_values_to_match_strftime_format` follows Python's `datetime.strptime`
 * (what GX runs), compiled to a regular expression both engines evaluate the same way:
 * the directives accept what `_strptime` accepts (`%m` takes `1` or `01`, whitespace in
 * the format matches any run of whitespace, names are case-insensitive), and a day must
 * exist in its month (Feb 29 only in leap years; 1900, not a leap year, when the format
 * has no year — as Python).
 */
export interface StrftimePattern {
  /** Regex of the whole format, to be matched against the whole value. */
  regex: string;
  /** The same with days limited to 1–28, which need no calendar check. */
  safeRegex: string;
  /** Capture group numbers (1-based) of year, month and day when a calendar check is needed. */
  calendar?: {
    year?: { group: number; twoDigits: boolean };
    month: { group: number; named: boolean };
    day: number;
  };
}

/** A regex matching `word` in any case (letters as `[aA]`, other characters as they are). */
export const ci = (word: string) =>
  [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join("");
const names = (list: readonly string[]) => `(?:${list.map(ci).join("|")})`;

export const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
export const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/** Python `_strptime` patterns (its regexes, without named groups). */
const DIRECTIVES: Record<string, string> = {
  y: "[0-9][0-9]",
  Y: "[0-9][0-9][0-9][0-9]",
  m: "1[0-2]|0[1-9]|[1-9]",
  H: "2[0-3]|[0-1][0-9]|[0-9]",
  I: "1[0-2]|0[1-9]|[1-9]",
  M: "[0-5][0-9]|[0-9]",
  S: "6[0-1]|[0-5][0-9]|[0-9]",
  f: "[0-9]{1,6}",
  j: "36[0-6]|3[0-5][0-9]|[1-2][0-9][0-9]|0[1-9][0-9]|00[1-9]|[1-9][0-9]|0[1-9]|[1-9]",
  U: "5[0-3]|[0-4][0-9]|[0-9]",
  W: "5[0-3]|[0-4][0-9]|[0-9]",
  w: "[0-6]",
  u: "[1-7]",
  V: "5[0-3]|0[1-9]|[1-4][0-9]|[0-9]",
  G: "[0-9][0-9][0-9][0-9]",
  p: names(["am", "pm"]),
  b: names(MONTHS.map((m) => m.slice(0, 3))),
  B: names(MONTHS),
  a: names(DAYS.map((d) => d.slice(0, 3))),
  A: names(DAYS),
  z: "[zZ]|[+-][0-9][0-9]:?[0-5][0-9](?::?[0-5][0-9](?:\\.[0-9]{1,6})?)?",
  "%": "%",
};
const DAY = "3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9]";
const SAFE_DAY = "2[0-8]|1[0-9]|0[1-9]|[1-9]| [1-9]";

/** Compiles a strftime format; unsupported directives (locale-dependent `%c %x %X`, `%Z`) are refused. */
export function strftimePattern(format: string): StrftimePattern {
  let regex = "";
  let safe = "";
  let group = 0;
  const found: { Y?: number; y?: number; m?: number; b?: number; d?: number } = {};
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === "%") {
      const d = format[++i];
      if (d === undefined) throw new ConfigError(`strftime format "${format}" ends with a lone %`);
      if (d === "d") {
        found.d = ++group;
        regex += `(${DAY})`;
        safe += `(${SAFE_DAY})`;
        continue;
      }
      const body = DIRECTIVES[d];
      if (body === undefined) {
        throw new ConfigError(
          `strftime format "${format}": directive %${d} is not supported (supported: %${[...Object.keys(DIRECTIVES), "d"].join(" %")})`,
        );
      }
      if (d === "Y" || d === "y" || d === "m" || d === "b" || d === "B") {
        const key = d === "B" ? "b" : d;
        found[key] = ++group;
        regex += `(${body})`;
        safe += `(${body})`;
      } else {
        regex += `(?:${body})`;
        safe += `(?:${body})`;
      }
    } else if (/\s/.test(c)) {
      while (i + 1 < format.length && /\s/.test(format[i + 1]!)) i++;
      regex += "\\s+";
      safe += "\\s+";
    } else {
      const lit = /[a-z]/i.test(c) ? ci(c) : c.replace(/[\\^$.|?*+()[\]{}-]/g, "\\$&");
      regex += lit;
      safe += lit;
    }
  }
  const month = found.m ?? found.b;
  const pattern: StrftimePattern = { regex, safeRegex: safe };
  if (found.d !== undefined && month !== undefined) {
    const year = found.Y ?? found.y;
    pattern.calendar = {
      month: { group: month, named: found.m === undefined },
      day: found.d,
      ...(year === undefined ? {} : { year: { group: year, twoDigits: found.Y === undefined } }),
    };
  }
  return pattern;
}

/**
 * SQL that is TRUE when a value matches the format: `fullMatch(regex)` tests the whole value
 * against a regex, `group(n)` extracts capture n of the format's regex as text. Most rows are
 * decided by the day-≤-28 regex alone; only the rest pay for the calendar check.
 */
export function strftimeMatchSql(
  pattern: StrftimePattern,
  fullMatch: (regex: string) => string,
  group: (n: number) => string,
): string {
  if (!pattern.calendar) return fullMatch(pattern.regex);
  const { year, month, day } = pattern.calendar;
  const m = month.named
    ? `(CASE lower(substr(${group(month.group)}, 1, 3)) ${MONTHS.map((name, i) => `WHEN '${name.slice(0, 3)}' THEN ${i + 1}`).join(" ")} END)`
    : `CAST(${group(month.group)} AS INTEGER)`;
  // Python's default year is 1900; %y's 00-68 are 20xx, which shares leap years with yy % 4.
  const y =
    year === undefined
      ? "1900"
      : year.twoDigits
        ? `(2000 + CAST(${group(year.group)} AS INTEGER))`
        : `CAST(${group(year.group)} AS INTEGER)`;
  const leap = `((${y} % 4 = 0 AND ${y} % 100 <> 0) OR ${y} % 400 = 0)`;
  const daysInMonth = `(CASE WHEN ${m} = 2 THEN (CASE WHEN ${leap} THEN 29 ELSE 28 END) WHEN ${m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END)`;
  const d = `CAST(trim(${group(day)}) AS INTEGER)`;
  return `(CASE WHEN ${fullMatch(pattern.safeRegex)} THEN TRUE WHEN ${fullMatch(pattern.regex)} THEN ${d} <= ${daysInMonth} ELSE FALSE END)`;
}
