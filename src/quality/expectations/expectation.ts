/**
 * The expectation model, with Great Expectations' names and result shape, so suites and
 * results read the same as GX's (`expect_column_values_to_be_between`, `mostly`,
 * `unexpected_percent`, …). Each expectation type is compiled to SQL that runs in the
 * engine; see `validate-dataset.ts`.
 */

/**
 * How an expectation is evaluated:
 * - `table` — about the table's shape or row count (`expect_table_row_count_to_equal`);
 * - `column_map` — a per-row test on one column; NULLs are skipped (they count as
 *   `missing`) unless the expectation is about NULLs; `mostly` tolerates a fraction of
 *   failures;
 * - `column_aggregate` — a statistic of one column (min, mean, distinct values…) with an
 *   `observed_value`;
 * - `multicolumn_map` — a per-row test on several columns (A > B, compound uniqueness);
 * - `query` — a SQL query whose returned rows are the failures.
 */
export type ExpectationKind = "table" | "column_map" | "column_aggregate" | "multicolumn_map" | "query";

/** One expectation as written in a suite: GX's `type` (snake_case) and keyword arguments. */
export interface ExpectationConfig {
  type: string;
  kwargs: Record<string, unknown>;
  /** Free-form notes carried into the result (owner, ticket, severity…); never read by the checks. */
  meta?: Record<string, unknown>;
}

/**
 * The outcome of one expectation, shaped like GX's `ExpectationValidationResult`; which keys
 * `result` carries depends on the `result_format` (see `../result-format.ts`; SUMMARY by
 * default, BOOLEAN_ONLY leaves `result` empty).
 *
 * Map expectations (`column_map`, `multicolumn_map`) report `element_count` (rows considered,
 * after `row_condition`), `missing_count`/`missing_percent` (rows skipped because a value
 * was NULL), `unexpected_count`, `unexpected_percent` (of the non-missing rows, as GX 1.x),
 * `unexpected_percent_total` (of all rows), `unexpected_percent_nonmissing` and
 * `partial_unexpected_list`: the unexpected values of the FIRST failing rows in row order (see
 * `map-evidence.ts`). A column pair's values are `[a, b]` lists, several columns' objects
 * keyed by column name, as GX writes them. The NULL expectations (`…_to_not_be_null`,
 * `…_to_be_null`) count against every row, so they carry no `missing_*` and their percent is
 * of `element_count`. Percents are null when there are no rows.
 *
 * Aggregate and table expectations report `observed_value` (floating-point statistics shown
 * rounded to 12 significant digits so both engines agree; the bounds are judged on the full
 * value) and `details`. SQL checks report the number of rows returned as `observed_value`
 * and `unexpected_count`, and the first rows as objects. Values are JSON: timestamps as
 * ISO-8601 text, decimals as numbers, integers beyond 2^53 as text.
 */
export interface ExpectationResult {
  expectation: ExpectationConfig;
  success: boolean;
  result: {
    element_count?: number;
    missing_count?: number;
    missing_percent?: number | null;
    unexpected_count?: number;
    unexpected_percent?: number | null;
    unexpected_percent_total?: number | null;
    unexpected_percent_nonmissing?: number | null;
    partial_unexpected_list?: unknown[];
    partial_unexpected_counts?: { value: unknown; count: number }[];
    partial_unexpected_index_list?: Record<string, unknown>[];
    unexpected_list?: unknown[];
    unexpected_index_list?: Record<string, unknown>[];
    unexpected_index_column_names?: string[];
    /** A query on the engine returning every failing row (COMPLETE). */
    unexpected_index_query?: string;
    /** With `include_unexpected_rows`: the failing rows, every column. */
    unexpected_rows?: Record<string, unknown>[];
    observed_value?: unknown;
    /** Expectation-specific facts: mismatched columns, missing set members, per-quantile verdicts. */
    details?: Record<string, unknown>;
  };
  /**
   * GX's `exception_info`: set, with `raised_exception: true`, when the expectation could not
   * be evaluated (bad SQL in `row_condition`, a missing column…).
   */
  exception_info?: {
    raised_exception: boolean;
    exception_message?: string | null;
    exception_traceback?: string | null;
  };
}
