import type { ExpectationResult } from "./expectations/expectation.js";

/** The outcome of a suite of expectations on one dataset, shaped like GX's validation result. */
export interface ValidationResult {
  /** True when every expectation succeeded. */
  success: boolean;
  statistics: {
    evaluated_expectations: number;
    successful_expectations: number;
    unsuccessful_expectations: number;
    /** Null when there were no expectations. */
    success_percent: number | null;
  };
  /** One result per expectation, in the order given. */
  results: ExpectationResult[];
  /** Rows of the dataset (without any `row_condition`). */
  rowCount: number;
  /** Full passes over the dataset the validation needed (the main aggregate query counts as one). */
  scans: number;
}

/** Builds a validation result's `success` and `statistics` from its expectation results. */
export function summarizeResults(
  results: readonly ExpectationResult[],
  rowCount: number,
  scans: number,
): ValidationResult {
  const successful = results.filter((r) => r.success).length;
  return {
    success: successful === results.length,
    statistics: {
      evaluated_expectations: results.length,
      successful_expectations: successful,
      unsuccessful_expectations: results.length - successful,
      success_percent: results.length === 0 ? null : (successful / results.length) * 100,
    },
    results: [...results],
    rowCount,
    scans,
  };
}
