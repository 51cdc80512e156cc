import { z } from "zod";
import type { AggregatePlan, CompileContext, Outcome, Plan, Quantiles } from "./expectation-definition.js";
import { defineExpectation } from "./expectation-definition.js";
import { betweenKwargs, column, commonKwargs, hasABound, needsABound, numericBound } from "./kwargs.js";
import { roundStatistic, toBigInt, toCount, toNumber } from "./result-values.js";

/**
 * Column aggregate expectations: one statistic of a column (NULLs ignored, as SQL
 * aggregates do), computed in the main scan. A statistic of no values (an empty table, an
 * all-NULL column) is NULL, and the expectation fails with `observed_value: null`, as GX.
 *
 * Means, sums and standard deviations of integer columns are computed from exact integer
 * sums, so both engines report the same number; other floating-point statistics are
 * rounded to 12 significant digits.
 */

export const numericBetween = {
  min_value: numericBound.describe("the lower bound (inclusive unless strict_min); null for none"),
  max_value: numericBound.describe("the upper bound (inclusive unless strict_max); null for none"),
  strict_min: betweenKwargs.strict_min,
  strict_max: betweenKwargs.strict_max,
};
const statKwargs = z
  .object({ column, ...numericBetween, ...commonKwargs })
  .strict()
  .refine(hasABound, needsABound);
type StatArgs = z.infer<typeof statKwargs>;

interface NumericBounds {
  min_value?: number | null | undefined;
  max_value?: number | null | undefined;
  strict_min?: boolean | undefined;
  strict_max?: boolean | undefined;
}

/** Whether `value` satisfies the bounds; NULL never does. */
export function numberWithin(value: number | null, b: NumericBounds): boolean {
  if (value === null || Number.isNaN(value)) return false;
  const lo = b.min_value;
  const hi = b.max_value;
  if (lo !== undefined && lo !== null && (b.strict_min ? !(value > lo) : !(value >= lo))) return false;
  if (hi !== undefined && hi !== null && (b.strict_max ? !(value < hi) : !(value <= hi))) return false;
  return true;
}

/** `agg FILTER (WHERE row_condition)`, or just `agg`. */
export function filtered(ctx: CompileContext, aggregate: string): string {
  return ctx.rowCondition === undefined ? aggregate : `${aggregate} FILTER (WHERE ${ctx.rowCondition})`;
}

const isInteger = (ctx: CompileContext, name: string) => {
  const t = ctx.typeOf(name);
  return t === "integer" || t === "bigint";
};
const asDouble = (ctx: CompileContext, name: string) => `CAST(${ctx.q(name)} AS ${ctx.sql.double})`;

/** A statistic judged by `numberWithin`. */
interface Statistic {
  selects: Record<string, string>;
  value(v: Record<string, unknown>): number | null;
}

function statistic(
  type: string,
  description: string,
  compile: (a: StatArgs, ctx: CompileContext) => Statistic,
) {
  return defineExpectation({
    type,
    kind: "column_aggregate",
    description,
    kwargs: statKwargs,
    columns: (a) => [a.column],
    compile: (a, ctx) => {
      const stat = compile(a, ctx);
      return {
        plan: "aggregate",
        selects: stat.selects,
        evaluate: (v): Outcome => {
          const observed = stat.value(v);
          return { success: numberWithin(observed, a), result: { observed_value: observed } };
        },
      };
    },
  });
}

/** |x| below this squares within a BIGINT (⌊√(2⁶³−1)⌋). */
const SQUARE_SAFE = 3037000499;

/**
 * Exact integer sums: count, Σx (engines accumulate BIGINT sums in a wider type) and Σx²,
 * split so that the usual values square as BIGINTs and only huge ones pay for the wide type
 * (wide arithmetic is several times slower).
 */
function integerSums(ctx: CompileContext, name: string): Record<string, string> {
  const col = ctx.q(name);
  const wide = `CAST(${col} AS ${ctx.sql.wideInteger})`;
  const small = `${col} BETWEEN -${SQUARE_SAFE} AND ${SQUARE_SAFE}`;
  return {
    n: filtered(ctx, `count(${col})`),
    s: filtered(ctx, `sum(${col})`),
    s2: filtered(ctx, `sum(CASE WHEN ${small} THEN ${col} * ${col} END)`),
    s2wide: filtered(ctx, `sum(CASE WHEN NOT (${small}) THEN ${wide} * ${wide} END)`),
  };
}

/** Σx² from the two partial sums of {@link integerSums}. */
const sumOfSquares = (v: Record<string, unknown>): bigint =>
  (toBigInt(v.s2) ?? 0n) + (toBigInt(v.s2wide) ?? 0n);

export const columnMeanToBeBetween = statistic(
  "expect_column_mean_to_be_between",
  "The mean of the non-NULL values lies within the bounds.",
  (a, ctx): Statistic => {
    if (!isInteger(ctx, a.column)) {
      return {
        selects: { mean: filtered(ctx, `avg(${asDouble(ctx, a.column)})`) },
        value: (v) => roundStatistic(v.mean),
      };
    }
    const { n, s } = integerSums(ctx, a.column);
    return {
      selects: { n: n!, s: s! },
      value: (v) => {
        const count = toCount(v.n);
        return count === 0 ? null : roundStatistic(Number(toBigInt(v.s)) / count);
      },
    };
  },
);

export const columnSumToBeBetween = statistic(
  "expect_column_sum_to_be_between",
  "The sum of the non-NULL values lies within the bounds (NULL when there are none).",
  (a, ctx): Statistic =>
    isInteger(ctx, a.column)
      ? {
          selects: { s: integerSums(ctx, a.column).s! },
          value: (v) => (v.s === null ? null : Number(toBigInt(v.s))),
        }
      : {
          selects: { s: filtered(ctx, `sum(${asDouble(ctx, a.column)})`) },
          value: (v) => roundStatistic(v.s),
        },
);

export const columnStdevToBeBetween = statistic(
  "expect_column_stdev_to_be_between",
  "The sample standard deviation of the non-NULL values lies within the bounds (needs two values).",
  (a, ctx): Statistic => {
    if (!isInteger(ctx, a.column)) {
      return {
        selects: { sd: filtered(ctx, `stddev_samp(${asDouble(ctx, a.column)})`) },
        value: (v) => roundStatistic(v.sd),
      };
    }
    return {
      selects: integerSums(ctx, a.column),
      value: (v) => {
        const n = toCount(v.n);
        if (n < 2) return null;
        const s = toBigInt(v.s)!;
        const big = BigInt(n);
        const numerator = big * sumOfSquares(v) - s * s;
        return roundStatistic(Math.sqrt(Number(numerator) / (n * (n - 1))));
      },
    };
  },
);

/**
 * Quantiles of an integer column come from a distribution pass after the main scan (value
 * counts for a narrow range); other types are computed by the engine inside the main scan.
 */
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
  description: "The median (the mean of the two middle values for an even count) lies within the bounds.",
  kwargs: statKwargs,
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    const judge = (median: number | null): Outcome => ({
      success: numberWithin(median, a),
      result: { observed_value: median },
    });
    return quantilePlan(
      ctx,
      a.column,
      { continuous: [0.5] },
      (q) => judge(roundStatistic(q.continuous(0.5))),
      () => ({
        plan: "aggregate",
        // No cast: DuckDB's quantile over the column's own type is several times faster than over a cast.
        selects: { median: ctx.sql.quantileCont(ctx.q(a.column), 0.5, ctx.rowCondition) },
        evaluate: (v) => judge(roundStatistic(v.median)),
      }),
    );
  },
});

/** min / max: any orderable type (numbers, dates, text by code point), bounds compared in SQL. */
function extreme(fn: "min" | "max") {
  return defineExpectation({
    type: `expect_column_${fn}_to_be_between`,
    kind: "column_aggregate",
    description: `The ${fn === "min" ? "smallest" : "largest"} non-NULL value lies within the bounds (numbers, or ISO text for dates).`,
    kwargs: z
      .object({
        column,
        ...betweenKwargs,
        parse_strings_as_datetimes: z.boolean().optional().describe("accepted for GX compatibility; ignored"),
        output_strftime_format: z.string().optional().describe("accepted for GX compatibility; ignored"),
        ...commonKwargs,
      })
      .strict()
      .refine(hasABound, needsABound),
    columns: (a) => [a.column],
    compile: (a, ctx) => {
      const value = filtered(ctx, `${fn}(${ctx.orderKey(ctx.q(a.column), ctx.typeOf(a.column))})`);
      const selects: Record<string, string> = { value };
      if (a.min_value !== undefined && a.min_value !== null)
        selects.lo = `(${value} ${a.strict_min ? ">" : ">="} ${ctx.lit(a.min_value)})`;
      if (a.max_value !== undefined && a.max_value !== null)
        selects.hi = `(${value} ${a.strict_max ? "<" : "<="} ${ctx.lit(a.max_value)})`;
      return {
        plan: "aggregate",
        selects,
        evaluate: (v): Outcome => {
          const observed =
            typeof v.value === "string" && ctx.typeOf(a.column) === "decimal" ? toNumber(v.value) : v.value;
          const success =
            v.value !== null &&
            (!("lo" in selects) || v.lo === true) &&
            (!("hi" in selects) || v.hi === true);
          return { success, result: { observed_value: observed ?? null } };
        },
      };
    },
  });
}

export const columnMinToBeBetween = extreme("min");
export const columnMaxToBeBetween = extreme("max");

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
          value_ranges: z.array(
            z.tuple([numericBound.transform((v) => v ?? null), numericBound.transform((v) => v ?? null)]),
          ),
        })
        .strict()
        .refine((r) => r.quantiles.length === r.value_ranges.length, {
          message: "quantiles and value_ranges must have the same length",
        })
        .describe("{ quantiles: [0.25, 0.5], value_ranges: [[lo, hi], [lo, hi]] }; null bounds are open"),
      allow_relative_error: z.unknown().optional().describe("accepted for GX compatibility; weir is exact"),
      ...commonKwargs,
    })
    .strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    const { quantiles, value_ranges } = a.quantile_ranges;
    const judge = (values: (number | null)[]): Outcome => {
      const details = values.map((value, i) => {
        const [lo, hi] = value_ranges[i]!;
        return numberWithin(value, { min_value: lo, max_value: hi });
      });
      return {
        success: details.every(Boolean),
        result: { observed_value: { quantiles, values }, details: { success_details: details } },
      };
    };
    return quantilePlan(
      ctx,
      a.column,
      { discrete: quantiles },
      (q) => judge(quantiles.map((p) => roundStatistic(q.discrete(p)))),
      () => ({
        plan: "aggregate",
        selects: { values: ctx.sql.quantilesDiscJson(ctx.q(a.column), quantiles, ctx.rowCondition) },
        evaluate: (v) => {
          const list = v.values === null ? [] : (JSON.parse(String(v.values)) as unknown[]);
          return judge(quantiles.map((_, i) => roundStatistic(list[i] ?? null)));
        },
      }),
    );
  },
});

export const COLUMN_AGGREGATE_EXPECTATIONS = [
  columnMinToBeBetween,
  columnMaxToBeBetween,
  columnMeanToBeBetween,
  columnMedianToBeBetween,
  columnSumToBeBetween,
  columnStdevToBeBetween,
  columnQuantileValuesToBeBetween,
];
