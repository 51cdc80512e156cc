import type { Field } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { and, compileContext, isSqlTarget, type Target } from "../compile-expectations.js";
import type { ExpectationConfig } from "./expectation.js";
import { expectationDefinition, parseExpectation } from "./registry.js";

/**
 * SQL that is TRUE when a row fails `expectation`, for quarantine and row-level scores:
 * column_map and multicolumn_map kinds only (undefined for the others), respecting
 * `row_condition`; rows with NULLs pass except for `expect_column_values_to_not_be_null`.
 * Uniqueness and increasing/decreasing use window functions, so place the predicate in a
 * select list over the target, not in a WHERE clause. Increasing/decreasing without
 * `order_by` read the table's `rowid`/`ctid`, so the FROM must be the table itself.
 * On PostgreSQL the JSON check calls `weir.weir_is_json`: run `prepareExpectationSql`
 * (or `validateDataset`) on the engine first. Pass `fields` (the target's columns) so text
 * comparisons sort by code point on PostgreSQL as they do in validation.
 *
 * @example
 * failingRowPredicate(engine, { type: "expect_column_values_to_be_between", kwargs: { column: "age", min_value: 13 } });
 * // → '(NOT ("age" IS NULL) AND COALESCE(NOT (("age" >= 13)), FALSE))'
 */
export function failingRowPredicate(
  engine: Engine,
  expectation: ExpectationConfig,
  options: { target?: Target; fields?: readonly Field[] } = {},
): string | undefined {
  const config = parseExpectation(expectation);
  const definition = expectationDefinition(config.type)!;
  if (definition.kind !== "column_map" && definition.kind !== "multicolumn_map") return undefined;
  const targetKind = options.target && isSqlTarget(options.target) ? "query" : "table";
  const rc = config.kwargs.row_condition as string | undefined;
  const ctx = compileContext(engine, options.fields, targetKind, "predicate", rc, {});
  const plan = definition.compile(config.kwargs as never, ctx);
  if (plan.plan !== "map") return undefined;
  const missing = plan.missing === undefined ? undefined : `NOT (${plan.missing})`;
  return `(${and(ctx.rowCondition, missing, `COALESCE(${plan.unexpected}, FALSE)`)})`;
}
