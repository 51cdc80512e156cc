import { z } from "zod";
import type { AggregatePlan, CompileContext, Outcome, Plan, Quantiles } from "./expectation-definition.js";
import { defineExpectation } from "./expectation-definition.js";
import { column, commonKwargs, numericBound } from "./kwargs.js";
import { isNumeric, notNumericPlan, numberWithin, statKwargs } from "./numeric-bounds.js";
import { toNumber } from "./result-values.js";

/**
 * The median and quantiles of a column. Quantiles of an integer column come from a
 * distribution pass after the main scan (value counts for a narrow range); other numeric
 * types are computed by the engine inside the main scan.
 */

const isInteger = (ctx: CompileContext, name: string) => {
  const t = ctx.typeOf(name);
  return t === "integer" || t === "bigint";
};

function quantilePlan(
  ctx: CompileContext,
  name: string,
  needs: { discrete?: number[]; continuous?: number[] },
  evaluate: (q: Quantiles) => Outcome,
  inMainScan: () => AggregatePlan,
): Plan {
  if (!isInteger(ctx, name)) return inMainScan();
  return {
    plan: "distribution",
    column: { sql: ctx.q(name), type: ctx.typeOf(name) },
    where: ctx.rowCondition,
    discrete: needs.discrete ?? [],
    continuous: needs.continuous ?? [],
    evaluate,
  };
}

export const columnMedianToBeBetween = defineExpectation({
  type: "expect_column_median_to_be_between",
  kind: "column_aggregate",
  description:
    "The median (the mean of the two middle values for an even count) lies within the bounds (none: any median).",
  kwargs: statKwargs,
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    if (!isNumeric(ctx, a.column)) return notNumericPlan(ctx, a.column, "median");
    // An interpolated median is a floating-point value: judged within 2 ULPs (numeric-bounds.ts).
    const judge = (median: number | null): Outcome => ({
      success: numberWithin(median, a, true),
      result: { observed_value: median },
    });
    return quantilePlan(
      ctx,
      a.column,
      { continuous: [0.5] },
      (q) => judge(q.continuous(0.5)),
      () => ({
        plan: "aggregate",
        // No cast: DuckDB's quantile over the column's own type is several times faster than over a cast.
        selects: { median: ctx.sql.quantileCont(ctx.q(a.column), 0.5, ctx.rowCondition) },
        evaluate: (v) => judge(toNumber(v.median)),
      }),
    );
  },
});

const valueRange = z.tuple([
  numericBound.transform((v) => v ?? null),
  numericBound.transform((v) => v ?? null),
]);

export const columnQuantileValuesToBeBetween = defineExpectation({
  type: "expect_column_quantile_values_to_be_between",
  kind: "column_aggregate",
  description:
    "Each discrete quantile (the first value whose cumulative share reaches q) lies within its value range.",
  kwargs: z
    .object({
      column,
      quantile_ranges: z
        .object({
          quantiles: z.array(z.number().min(0).max(1)).min(1),
          value_ranges: z.array(valueRange),
        })
        .strict()
        .refine((r) => r.quantiles.length === r.value_ranges.length, {
          message: "quantiles and value_ranges must have the same length",
        })
        .superRefine((r, issue) => {
          // GX: "quantile_ranges must consist of ordered pairs".
          r.value_ranges.forEach(([lo, hi], i) => {
            if (lo !== null && hi !== null && lo > hi)
              issue.addIssue({
                code: "custom",
                message: `value_ranges[${i}] [${lo}, ${hi}]: the lower bound is greater than the upper bound (GX wants ordered pairs)`,
                path: ["value_ranges", i],
              });
          });
        })
        .describe("{ quantiles: [0.25, 0.5], value_ranges: [[lo, hi], [lo, hi]] }; null bounds are open"),
      allow_relative_error: z.unknown().optional().describe("accepted for GX compatibility; weir is exact"),
      ...commonKwargs,
    })
    .strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    if (!isNumeric(ctx, a.column)) {
      const plan = notNumericPlan(ctx, a.column, "quantiles");
      return {
        ...plan,
        evaluate: (v: Record<string, unknown>) => {
          const outcome = plan.evaluate(v);
          const values = a.quantile_ranges.quantiles.map(() => null);
          return {
            ...outcome,
            result: { observed_value: { quantiles: a.quantile_ranges.quantiles, values } },
          };
        },
      };
    }
    const { quantiles, value_ranges } = a.quantile_ranges;
    const judge = (values: (number | null)[]): Outcome => {
      const details = values.map((value, i) => {
        const [lo, hi] = value_ranges[i]!;
        return numberWithin(value, { min_value: lo, max_value: hi });
      });
      return {
        success: details.every(Boolean),
        result: {
          observed_value: { quantiles, values },
          details: { success_details: details },
        },
      };
    };
    return quantilePlan(
      ctx,
      a.column,
      { discrete: quantiles },
      (q) => judge(quantiles.map((p) => q.discrete(p))),
      () => ({
        plan: "aggregate",
        selects: { values: ctx.sql.quantilesDiscJson(ctx.q(a.column), quantiles, ctx.rowCondition) },
        evaluate: (v) => {
          const list = v.values === null ? [] : (JSON.parse(String(v.values)) as unknown[]);
          return judge(quantiles.map((_, i) => toNumber(list[i] ?? null)));
        },
      }),
    );
  },
});
