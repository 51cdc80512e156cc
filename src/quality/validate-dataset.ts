import type { TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { ExpectationConfig } from "./expectations/expectation.js";
import type { ValidationResult } from "./validation-result.js";

export type { ValidationResult } from "./validation-result.js";

// API published early for the suites/actions helper; the implementation follows.

export interface ValidateOptions {
  /** Unexpected values kept per map expectation; default 20. */
  sampleSize?: number;
}

/** Runs expectations against a table or a query in as few scans as the engine allows. */
export async function validateDataset(
  _engine: Engine,
  _target: TableRef | { sql: string },
  _expectations: readonly ExpectationConfig[],
  _options: ValidateOptions = {},
): Promise<ValidationResult> {
  throw new Error("validateDataset: not implemented yet");
}

/**
 * SQL that is TRUE when a row fails `expectation` (column_map and multicolumn_map kinds,
 * respecting `row_condition`; NULLs pass except for `…_to_not_be_null`); undefined for
 * other kinds.
 */
export function failingRowPredicate(_engine: Engine, _expectation: ExpectationConfig): string | undefined {
  return undefined;
}
