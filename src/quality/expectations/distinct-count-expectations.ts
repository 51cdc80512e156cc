import { z } from "zod";
import type { CompileContext, GroupPlan, Outcome } from "./expectation-definition.js";
import { defineExpectation, groupCount } from "./expectation-definition.js";
import { boundsInOrder, column, commonKwargs } from "./kwargs.js";
import { filtered, numberWithin, numericBetween } from "./numeric-bounds.js";
import { toCount } from "./result-values.js";

/**
 * Expectations on how many distinct values a column has. The counts come from the column's
 * GROUP BY pass when another expectation groups the same column anyway, else from
 * `count(DISTINCT …)` inside the main scan.
 */

/** No bounds is any value, a vacuous success (GX). */
const proportionKwargs = z
  .object({ column, ...numericBetween, ...commonKwargs })
  .strict()
  .superRefine(boundsInOrder);

/**
 * Distinct and non-NULL counts of a column: from the column's GROUP BY pass when another
 * expectation groups the same column anyway, else `count(DISTINCT …)` in the main scan.
 */
function distinctCounts(
  a: { column: string },
  ctx: CompileContext,
  judge: (distinct: number, nonNull: number) => Outcome,
): GroupPlan {
  const col = ctx.q(a.column);
  const notNull = `NOT (${col} IS NULL)`; // spelled as uniqueness spells it, so they share a pass
  return {
    plan: "group",
    keys: [{ sql: col, type: ctx.typeOf(a.column) }],
    where: ctx.rowCondition === undefined ? notNull : `${ctx.rowCondition} AND ${notNull}`,
    stats: { distinct: "count(*)", n: `sum(${groupCount})` },
    evaluate: (out) => judge(toCount(out.stats.distinct), toCount(out.stats.n)),
    fallback: {
      plan: "aggregate",
      selects: { distinct: filtered(ctx, `count(DISTINCT ${col})`), n: filtered(ctx, `count(${col})`) },
      evaluate: (v) => judge(toCount(v.distinct), toCount(v.n)),
    },
  };
}

export const columnProportionOfUniqueValuesToBeBetween = defineExpectation({
  type: "expect_column_proportion_of_unique_values_to_be_between",
  kind: "column_aggregate",
  description: "Distinct non-NULL values ÷ non-NULL values lies within the bounds (0 for no values, as GX).",
  kwargs: proportionKwargs,
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    distinctCounts(a, ctx, (distinct, n) => {
      const observed = n === 0 ? 0 : distinct / n;
      return { success: numberWithin(observed, a, true), result: { observed_value: observed } };
    }),
});

export const columnUniqueValueCountToBeBetween = defineExpectation({
  type: "expect_column_unique_value_count_to_be_between",
  kind: "column_aggregate",
  description: "The number of distinct non-NULL values lies within the bounds.",
  kwargs: proportionKwargs,
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    distinctCounts(a, ctx, (distinct) => ({
      success: numberWithin(distinct, a),
      result: { observed_value: distinct },
    })),
});

export const DISTINCT_COUNT_EXPECTATIONS = [
  columnProportionOfUniqueValuesToBeBetween,
  columnUniqueValueCountToBeBetween,
];
