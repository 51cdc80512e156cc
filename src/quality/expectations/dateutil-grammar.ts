import { ci, DAYS, MONTHS } from "./strftime-pattern.js";

/**
 * What weir accepts for `expect_column_values_to_be_dateutil_parseable`: a documented subset
 * of what Python's `dateutil.parser.parse` (default settings) reads, as ONE regular
 * expression both engines evaluate alike. Real calendar days only — the regex itself knows
 * which months have 30 or 31 days and which years are leap years — so a value costs one
 * regex match. Surrounding whitespace is ignored, names are case-insensitive:
 *
 * - a date: `2024-01-31`, `2024/1/31`, `2024.01.31`, `20240131`, `2024-01`, `2024`;
 *   `01/31/2024`, `31/01/2024` (day first when the first number cannot be a month, as
 *   dateutil), also with `-` or `.`, and `01/31/24`;
 *   `Jan 31 2024`, `January 31, 2024`, `31 Jan 2024`, `31-Jan-2024`, `Jan 2024`; a weekday may
 *   lead (`Wed, 31 Jan 2024`);
 * - optionally followed (after `T`, a space or a comma) by a time: `10:30`, `10:30:15`,
 *   `10:30:15.123456`, `10:30 PM`, `10pm`, then a zone: `Z`, `UTC`, `GMT`, `+05:30`, `-0800`;
 *   `20240131T103000` for the compact date;
 * - a time alone (dateutil puts it on today's date).
 *
 * dateutil reads more (lone day numbers such as `15`, ordinal suffixes `15th`, `Sept`,
 * fuzzy words, years like `32` in `32/01/24`, time zone names such as EST); those are
 * unexpected in weir. weir also accepts the year 0000, which Python's datetime does not.
 */
const alt = (parts: readonly string[]) => `(?:${parts.join("|")})`;

const WEEKDAY = `(?:${alt(DAYS.flatMap((d) => [ci(d), ci(d.slice(0, 3))]))}\\.?,?\\s+)?`;

/** Months by length; February's 29th needs a leap year. */
const LONG = [1, 3, 5, 7, 8, 10, 12];
const SHORT = [4, 6, 9, 11];
const FEBRUARY = [2];

const monthNumber = (months: readonly number[], twoDigits: boolean) =>
  alt(months.map((m) => (m < 10 ? (twoDigits ? `0${m}` : `0?${m}`) : String(m))));
const monthName = (months: readonly number[]) =>
  alt(months.flatMap((m) => [ci(MONTHS[m - 1]!), ci(MONTHS[m - 1]!.slice(0, 3))]));
const day = (last: 28 | 30 | 31, twoDigits: boolean) => {
  const units = twoDigits ? "0[1-9]" : "0?[1-9]";
  return alt([
    units,
    "1[0-9]",
    "2[0-8]",
    ...(last >= 30 ? ["29", "30"] : []),
    ...(last === 31 ? ["31"] : []),
  ]);
};
const YEAR = "[0-9]{4}";
const LEAP_YEAR = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)";
const YEAR_2 = "[0-9]{2}";
// Two-digit years are read as 19yy/20yy; 20yy is a leap year when yy is a multiple of 4.
const LEAP_YEAR_2 = "(?:0[048]|[2468][048]|[13579][26])";

interface DateForm {
  /** The parts in order, with what separates them (a regex). */
  order: readonly ("Y" | "m" | "d")[];
  separators: readonly [string, string];
  month: "number" | "name";
  year: 4 | 2;
  twoDigits?: boolean;
}

/** A form as the alternation of (year, month, day) combinations that exist. */
function dateRegex(form: DateForm): string {
  const month = (months: readonly number[]) =>
    form.month === "name" ? monthName(months) : monthNumber(months, form.twoDigits === true);
  const years = form.year === 4 ? [YEAR, LEAP_YEAR] : [YEAR_2, LEAP_YEAR_2];
  const two = form.twoDigits === true;
  const combos: [string, string, string][] = [
    [years[0]!, month(LONG), day(31, two)],
    [years[0]!, month(SHORT), day(30, two)],
    [years[0]!, month(FEBRUARY), day(28, two)],
    [years[1]!, month(FEBRUARY), "29"],
  ];
  return alt(
    combos.map(([y, m, d]) => {
      const parts = form.order.map((p) => (p === "Y" ? y : p === "m" ? m : d));
      return `${parts[0]}${form.separators[0]}${parts[1]}${form.separators[1]}${parts[2]}`;
    }),
  );
}

const AMPM = "[aApP](?:\\.?[mM]\\.?)?";
const FRACTION = "(?:[.,][0-9]+)?";
const TIME_24 = `(?:2[0-3]|[01]?[0-9]):[0-5][0-9](?::[0-5][0-9]${FRACTION})?`;
const TIME_12 = `(?:1[0-2]|0?[1-9])(?::[0-5][0-9](?::[0-5][0-9]${FRACTION})?)?\\s*${AMPM}`;
const ZONE = `(?:\\s*(?:[zZ]|${ci("utc")}|${ci("gmt")}|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?))?`;
const TIME = `(?:${TIME_12}|${TIME_24})${ZONE}`;
const AFTER_DATE = `(?:(?:[tT]|\\s*,\\s*|\\s+)${TIME})?`;
const COMPACT_TIME = `(?:[tT]?(?:[01][0-9]|2[0-3])[0-5][0-9](?:[0-5][0-9])?${ZONE})`;

const NUMERIC_SEPARATORS = ["-", "/", "\\."];
const DATE_FORMS: DateForm[] = [
  ...NUMERIC_SEPARATORS.flatMap((s): DateForm[] => [
    { order: ["Y", "m", "d"], separators: [s, s], month: "number", year: 4 },
    { order: ["m", "d", "Y"], separators: [s, s], month: "number", year: 4 },
    { order: ["d", "m", "Y"], separators: [s, s], month: "number", year: 4 },
  ]),
  { order: ["m", "d", "Y"], separators: ["/", "/"], month: "number", year: 2 },
  { order: ["d", "m", "Y"], separators: ["/", "/"], month: "number", year: 2 },
  { order: ["m", "d", "Y"], separators: ["\\s+", ",?\\s+"], month: "name", year: 4 },
  { order: ["d", "m", "Y"], separators: ["\\s+", ",?\\s+"], month: "name", year: 4 },
  { order: ["d", "m", "Y"], separators: ["-", "-"], month: "name", year: 4 },
];
const COMPACT = dateRegex({
  order: ["Y", "m", "d"],
  separators: ["", ""],
  month: "number",
  year: 4,
  twoDigits: true,
});

const byFirstPart = (first: "Y" | "m" | "d", name: boolean) =>
  DATE_FORMS.filter((f) => f.order[0] === first && (f.month === "name") === name).map(dateRegex);
const dated = (forms: string[]) => `${alt(forms)}${AFTER_DATE}`;

/**
 * The grammar in three parts by how a value starts — four digits, one or two digits, a
 * letter — so each value is matched against a third of it (PostgreSQL's regex engine is
 * slow on long alternations). Each part is matched against the whole value.
 */
export const DATEUTIL_PARTS: readonly { start: string; regex: string }[] = [
  {
    start: "\\s*[0-9]{4}",
    regex: `\\s*${alt([
      dated(byFirstPart("Y", false)),
      `${COMPACT}(?:${COMPACT_TIME}|${AFTER_DATE})`,
      `[0-9]{4}-${monthNumber(
        [...LONG, ...SHORT, ...FEBRUARY].sort((a, b) => a - b),
        false,
      )}${AFTER_DATE}`,
      "[0-9]{4}",
    ])}\\s*`,
  },
  {
    start: "\\s*[0-9]",
    regex: `\\s*${alt([dated([...byFirstPart("m", false), ...byFirstPart("d", false), ...byFirstPart("d", true)]), TIME])}\\s*`,
  },
  {
    start: "",
    regex: `\\s*${alt([
      `${WEEKDAY}${dated([...byFirstPart("m", true), ...byFirstPart("d", true)])}`,
      `${WEEKDAY}${monthName([...LONG, ...SHORT, ...FEBRUARY])},?\\s+[0-9]{4}`,
    ])}\\s*`,
  },
];

/**
 * SQL that is TRUE when the value is a date weir reads as dateutil would: `fullMatch(regex)`
 * tests the whole value, `startsWith(regex)` its beginning.
 */
export function dateutilParseableSql(
  fullMatch: (regex: string) => string,
  startsWith: (regex: string) => string,
): string {
  const [year, number, other] = DATEUTIL_PARTS;
  return `(CASE WHEN ${startsWith(year!.start)} THEN ${fullMatch(year!.regex)} WHEN ${startsWith(number!.start)} THEN ${fullMatch(number!.regex)} ELSE ${fullMatch(other!.regex)} END)`;
}
