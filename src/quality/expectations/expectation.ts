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
 * The outcome of one expectation, shaped like GX's `ExpectationValidationResult`.
 *
 * Map expectations (`column_map`, `multicolumn_map`) report `element_count` (rows considered,
 * after `row_condition`), `missing_count`/`missing_percent` (rows skipped because a value
 * was NULL), `unexpected_count`, `unexpected_percent` (of the non-missing rows, as GX),
 * `unexpected_percent_nonmissing` (the same) and `partial_unexpected_list` (up to the sample
 * size of unexpected values: the smallest ones, ascending, text by code point, so both
 * engines list the same). The NULL expectations (`…_to_not_be_null`, `…_to_be_null`) count
 * against every row, so they carry no `missing_*` and their percent is of `element_count`.
 * Multi-column expectations list unexpected values as objects keyed by column name.
 *
 * Aggregate and table expectations report `observed_value` (floating-point statistics
 * rounded to 12 significant digits so both engines agree; NULL — and failure — when there
 * is no value to measure). SQL checks report the number of rows returned as `observed_value`
 * and `unexpected_count`, and the first rows as objects.
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
    unexpected_percent_nonmissing?: number | null;
    partial_unexpected_list?: unknown[];
    observed_value?: unknown;
    /** Expectation-specific facts: mismatched columns, missing set members, per-quantile verdicts. */
    details?: Record<string, unknown>;
  };
  /** Set when the expectation could not be evaluated (bad SQL in `row_condition`, a missing column…). */
  exception_info?: { raised_exception: boolean; exception_message?: string };
}
