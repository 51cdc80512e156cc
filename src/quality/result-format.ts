import { z } from "zod";
import { ConfigError } from "../core/errors.js";

/**
 * Great Expectations' `result_format`: how much of the evidence a result carries.
 *
 * - `BOOLEAN_ONLY` — `success` only, `result` is `{}`;
 * - `BASIC` — counts, percents and `partial_unexpected_list` (map expectations), or
 *   `observed_value` and `details`;
 * - `SUMMARY` (the default, as GX 1.x's validation runs) — also `partial_unexpected_counts`
 *   and, with `unexpected_index_column_names`, `partial_unexpected_index_list`;
 * - `COMPLETE` — also `unexpected_list`, `unexpected_index_list` and `unexpected_index_query`.
 *
 * Written as a name or as GX's dict (`{ result_format: "COMPLETE", unexpected_index_column_names:
 * ["id"], partial_unexpected_count: 5 }`). See GX's `_format_map_output` in
 * great_expectations/expectations/expectation.py and its "Choose result format" docs.
 */
export const RESULT_FORMAT_LEVELS = ["BOOLEAN_ONLY", "BASIC", "SUMMARY", "COMPLETE"] as const;
export type ResultFormatLevel = (typeof RESULT_FORMAT_LEVELS)[number];

/** A result format with GX's defaults filled in (GX's `parse_result_format`). */
export interface ResultFormat {
  result_format: ResultFormatLevel;
  /** Length of the partial lists; 0 leaves out `partial_unexpected_counts` and the index list (default 20). */
  partial_unexpected_count: number;
  /** Columns identifying a failing row (a primary key) in the index lists and the index query. */
  unexpected_index_column_names?: string[];
  /** COMPLETE returns `unexpected_index_query` unless this is false (default true). */
  return_unexpected_index_query: boolean;
  /** Leave the unexpected values out, keeping counts and indexes (default false). */
  exclude_unexpected_values: boolean;
  /** Add `unexpected_rows`: the failing rows, every column (default false). */
  include_unexpected_rows: boolean;
}

/**
 * `unexpected_list` and `unexpected_index_list` stop at this many rows, as GX's
 * MAX_RESULT_RECORDS ("a list of up to 200 values"); `unexpected_index_query` returns them all.
 */
export const MAX_RESULT_RECORDS = 200;

export const DEFAULT_RESULT_FORMAT: ResultFormat = {
  result_format: "SUMMARY",
  partial_unexpected_count: 20,
  return_unexpected_index_query: true,
  exclude_unexpected_values: false,
  include_unexpected_rows: false,
};

const level = z.enum(RESULT_FORMAT_LEVELS);

/** The kwarg and suite key: a level name or GX's dict. */
export const resultFormatSchema = z
  .union([
    level,
    z
      .object({
        result_format: level.describe("BOOLEAN_ONLY, BASIC, SUMMARY or COMPLETE"),
        partial_unexpected_count: z.number().int().min(0).optional(),
        unexpected_index_column_names: z.array(z.string().min(1)).min(1).optional(),
        return_unexpected_index_query: z.boolean().optional(),
        exclude_unexpected_values: z.boolean().optional(),
        include_unexpected_rows: z.boolean().optional(),
        // GX 0.x's spelling of the opposite of exclude_unexpected_values.
        unexpected_metrics_with_values: z.boolean().optional(),
      })
      .strict(),
  ])
  .describe('BOOLEAN_ONLY, BASIC, SUMMARY (default) or COMPLETE, or { result_format: "COMPLETE", … } as GX');

export type ResultFormatInput = z.input<typeof resultFormatSchema>;

/** GX's `parse_result_format`: a name or dict with the defaults filled in. */
export function parseResultFormat(input: unknown, where = "result_format"): ResultFormat {
  const parsed = resultFormatSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
    throw new ConfigError(`${where}${path}: ${issue.message}`, { details: { where } });
  }
  const value = parsed.data;
  if (typeof value === "string") return { ...DEFAULT_RESULT_FORMAT, result_format: value };
  return {
    result_format: value.result_format,
    partial_unexpected_count:
      value.partial_unexpected_count ?? DEFAULT_RESULT_FORMAT.partial_unexpected_count,
    ...(value.unexpected_index_column_names
      ? { unexpected_index_column_names: value.unexpected_index_column_names }
      : {}),
    return_unexpected_index_query: value.return_unexpected_index_query ?? true,
    exclude_unexpected_values:
      value.exclude_unexpected_values ?? value.unexpected_metrics_with_values === false,
    include_unexpected_rows: value.include_unexpected_rows ?? false,
  };
}

/**
 * The format one expectation is reported in. As GX's `_get_result_format`, a format given to
 * the run (weir's `validateDataset`/`runSuite` option, GX's checkpoint or run argument) wins;
 * otherwise the expectation's own `result_format` kwarg, then the suite's, then SUMMARY.
 */
export function effectiveResultFormat(
  run: ResultFormat | undefined,
  expectation: unknown,
  suite: ResultFormat | undefined,
): ResultFormat {
  if (run) return run;
  if (expectation !== undefined && expectation !== null) return parseResultFormat(expectation);
  return suite ?? DEFAULT_RESULT_FORMAT;
}

/** How many failing rows a map expectation collects for its lists (0: none). */
export function unexpectedRowsWanted(format: ResultFormat): number {
  if (format.result_format === "BOOLEAN_ONLY") return 0;
  const partial = format.partial_unexpected_count;
  return format.result_format === "COMPLETE" ? Math.max(partial, MAX_RESULT_RECORDS) : partial;
}

/** Whether a level includes another (BOOLEAN_ONLY < BASIC < SUMMARY < COMPLETE). */
export function atLeast(format: ResultFormat, wanted: ResultFormatLevel): boolean {
  return RESULT_FORMAT_LEVELS.indexOf(format.result_format) >= RESULT_FORMAT_LEVELS.indexOf(wanted);
}
