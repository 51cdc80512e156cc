import { z } from "zod";
import type { WeirType } from "../../core/types.js";
import type { AggregatePlan, CompileContext } from "./expectation-definition.js";
import { betweenKwargs, boundsInOrder, column, commonKwargs, numericBound } from "./kwargs.js";
import { toCount } from "./result-values.js";

/**
 * Judging a statistic against `min_value` / `max_value`, as GX's
 * `_validate_metric_value_between`: a missing bound is open, a NULL statistic fails.
 *
 * The full value is compared — never the 12-digit rounding `observed_value` shows. A
 * statistic computed in floating point (a mean, a standard deviation, an interpolated
 * median) is equal to a bound within 2 units in the last place: engines, and pandas, sum in
 * different orders and differ there (PostgreSQL's `stddev_samp` of [1, 1, 3] is
 * 1.1547005383792515, DuckDB's and pandas' 1.1547005383792517), and a bound copied from one
 * of them must hold on the other.
 */

export const numericBetween = {
  min_value: numericBound.describe("the lower bound (inclusive unless strict_min); null for none"),
  max_value: numericBound.describe("the upper bound (inclusive unless strict_max); null for none"),
  strict_min: betweenKwargs.strict_min,
  strict_max: betweenKwargs.strict_max,
};

/** Mean, median, stdev (and the sum, which also needs a bound): no bounds is any value. */
export const statKwargs = z
  .object({ column, ...numericBetween, ...commonKwargs })
  .strict()
  .superRefine(boundsInOrder);

export interface NumericBounds {
  min_value?: number | null | undefined;
  max_value?: number | null | undefined;
  strict_min?: boolean | undefined;
  strict_max?: boolean | undefined;
}

/** Equal within 2 units in the last place of the larger (see above). */
function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= 2 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Whether `value` satisfies the bounds; NULL (or NaN) never does. With `floating`, a value
 * within 2 ULPs of a bound counts as equal to it.
 */
export function numberWithin(value: number | null, b: NumericBounds, floating = false): boolean {
  if (value === null || Number.isNaN(value)) return false;
  const lo = b.min_value;
  const hi = b.max_value;
  if (lo !== undefined && lo !== null) {
    const equal = value === lo || (floating && nearlyEqual(value, lo));
    if (b.strict_min ? !(value > lo) || equal : !(value >= lo || equal)) return false;
  }
  if (hi !== undefined && hi !== null) {
    const equal = value === hi || (floating && nearlyEqual(value, hi));
    if (b.strict_max ? !(value < hi) || equal : !(value <= hi || equal)) return false;
  }
  return true;
}

/** `agg FILTER (WHERE row_condition)`, or just `agg`. */
export function filtered(ctx: CompileContext, aggregate: string): string {
  return ctx.rowCondition === undefined ? aggregate : `${aggregate} FILTER (WHERE ${ctx.rowCondition})`;
}

const NUMERIC: readonly (WeirType | undefined)[] = ["integer", "bigint", "double", "decimal", undefined];

/** Whether a column holds numbers (a column of unknown type is given the benefit of the doubt). */
export function isNumeric(ctx: CompileContext, column: string): boolean {
  return NUMERIC.includes(ctx.typeOf(column));
}

/**
 * A numeric statistic of a column that does not hold numbers: with no value to measure (an
 * empty or all-NULL column) it fails with `observed_value: null`, as GX's does; with values
 * it cannot be computed, and says why.
 */
export function notNumericPlan(ctx: CompileContext, column: string, statistic: string): AggregatePlan {
  return {
    plan: "aggregate",
    selects: { n: filtered(ctx, `count(${ctx.q(column)})`) },
    evaluate: (v) => {
      if (toCount(v.n) === 0) return { success: false, result: { observed_value: null } };
      throw new Error(
        `the ${statistic} of column ${JSON.stringify(column)} cannot be computed: it holds ${ctx.typeOf(column)} values, not numbers`,
      );
    },
  };
}
