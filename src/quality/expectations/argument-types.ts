import type { WeirType } from "../../core/types.js";
import type { ExpectationConfig } from "./expectation.js";

const NUMERIC: readonly WeirType[] = ["integer", "bigint", "double", "decimal"];
const TIMES: readonly WeirType[] = ["date", "timestamp", "timestamptz"];
const ISO = /^(\d{4})-(\d{2})-(\d{2})([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** Bounds compared with the column's values (between, min, max). */
const BOUNDS = ["min_value", "max_value"] as const;

/**
 * A bound whose type cannot be compared with its column's, found once the target's columns
 * are known: a kwarg's zod schema accepts text bounds (for dates, timestamps and text
 * columns), so `min_value: ten` only shows as wrong against a number column. GX takes
 * numbers, and ISO text for dates and timestamps; weir also compares text with text.
 *
 * @example
 * argumentTypeProblem({ type: "expect_column_values_to_be_between", kwargs: { column: "age", min_value: "ten" } }, () => "integer");
 * // { argument: "min_value", message: 'expected a number (column "age" is integer), got "ten"' }
 */
export function argumentTypeProblem(
  config: ExpectationConfig,
  typeOf: (column: string) => WeirType | undefined,
): { argument: string; message: string } | undefined {
  const column = config.kwargs.column;
  if (typeof column !== "string") return undefined;
  const type = typeOf(column);
  if (type === undefined) return undefined;
  for (const argument of BOUNDS) {
    const value = config.kwargs[argument];
    if (typeof value !== "string") continue;
    const got = `(column "${column}" is ${type}), got ${JSON.stringify(value)}`;
    if (NUMERIC.includes(type)) return { argument, message: `expected a number ${got}` };
    if (TIMES.includes(type) && !isIsoDateText(value)) {
      const example = type === "date" ? "2024-01-31" : "2024-01-31 12:00:00";
      return { argument, message: `expected a ${type} as ISO text such as "${example}" ${got}` };
    }
  }
  return undefined;
}

/** `YYYY-MM-DD`, optionally with a time and a zone, naming a day that exists. */
function isIsoDateText(text: string): boolean {
  const match = ISO.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
