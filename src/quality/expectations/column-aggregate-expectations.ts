import { z } from "zod";
import { columnMedianToBeBetween, columnQuantileValuesToBeBetween } from "./column-quantile-expectations.js";
import type { CompileContext, Outcome } from "./expectation-definition.js";
import { defineExpectation } from "./expectation-definition.js";
import { betweenKwargs, boundsInOrder, column, commonKwargs, hasABound, needsABound } from "./kwargs.js";
import { filtered, isNumeric, notNumericPlan, numberWithin, statKwargs } from "./numeric-bounds.js";
import { jsonValue, toBigInt, toCount, toNumber } from "./result-values.js";

export { filtered, numberWithin, numericBetween, statKwargs } from "./numeric-bounds.js";

/**
 * Column aggregate expectations: one statistic of a column (NULLs ignored, as SQL
 * aggregates do), computed in the main scan. A statistic of no values (an empty table, an
 * all-NULL column) is NULL, and the expectation fails with `observed_value: null`, as GX.
 * Without bounds the mean, median and standard deviation are a vacuous success, as GX
 * (the sum, min and max refuse that, as GX's do).
 *
 * Means, sums and standard deviations of integer columns are computed from exact integer
 * sums, so both engines report the same number, to the last bit. `observed_value` is the full
 * value, and so is what the bounds judge (`numeric-bounds.ts`); statistics the engine
 * computes in floating point over floating-point columns can differ between engines in the
 * last digits.
 */

type StatArgs = z.infer<typeof statKwargs>;

const isInteger = (ctx: CompileContext, name: string) => {
  const t = ctx.typeOf(name);
  return t === "integer" || t === "bigint";
};
const asDouble = (ctx: CompileContext, name: string) => `CAST(${ctx.q(name)} AS ${ctx.sql.double})`;

/** A statistic judged by `numberWithin`; `floating` when computed in floating point. */
interface Statistic {
  selects: Record<string, string>;
  value(v: Record<string, unknown>): number | null;
  floating: boolean;
}

function statistic(
  type: string,
  description: string,
  name: string,
  kwargs: z.ZodType<StatArgs>,
  compile: (a: StatArgs, ctx: CompileContext) => Statistic,
) {
  return defineExpectation({
    type,
    kind: "column_aggregate",
    description,
    kwargs,
    columns: (a) => [a.column],
    compile: (a, ctx) => {
      if (!isNumeric(ctx, a.column)) return notNumericPlan(ctx, a.column, name);
      const stat = compile(a, ctx);
      return {
        plan: "aggregate",
        selects: stat.selects,
        evaluate: (v): Outcome => {
          const observed = stat.value(v);
          return { success: numberWithin(observed, a, stat.floating), result: { observed_value: observed } };
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
  "The mean of the non-NULL values lies within the bounds (none: any mean).",
  "mean",
  statKwargs,
  (a, ctx): Statistic => {
    if (!isInteger(ctx, a.column)) {
      return {
        selects: { mean: filtered(ctx, `avg(${asDouble(ctx, a.column)})`) },
        value: (v) => toNumber(v.mean),
        floating: true,
      };
    }
    const { n, s } = integerSums(ctx, a.column);
    return {
      selects: { n: n!, s: s! },
      value: (v) => {
        const count = toCount(v.n);
        return count === 0 ? null : Number(toBigInt(v.s)) / count;
      },
      floating: true,
    };
  },
);

export const columnSumToBeBetween = statistic(
  "expect_column_sum_to_be_between",
  "The sum of the non-NULL values lies within the bounds (NULL when there are none).",
  "sum",
  statKwargs.refine(hasABound, needsABound),
  (a, ctx): Statistic =>
    isInteger(ctx, a.column)
      ? {
          selects: { s: integerSums(ctx, a.column).s! },
          value: (v) => (v.s === null ? null : Number(toBigInt(v.s))),
          floating: false,
        }
      : {
          selects: { s: filtered(ctx, `sum(${asDouble(ctx, a.column)})`) },
          value: (v) => toNumber(v.s),
          floating: true,
        },
);

export const columnStdevToBeBetween = statistic(
  "expect_column_stdev_to_be_between",
  "The sample standard deviation of the non-NULL values lies within the bounds (needs two values; none: any).",
  "standard deviation",
  statKwargs,
  (a, ctx): Statistic => {
    if (!isInteger(ctx, a.column)) {
      return {
        selects: { sd: filtered(ctx, `stddev_samp(${asDouble(ctx, a.column)})`) },
        value: (v) => toNumber(v.sd),
        floating: true,
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
        return Math.sqrt(Number(numerator) / (n * (n - 1)));
      },
      floating: true,
    };
  },
);

const NOT_COMPARABLE_WITH_NUMBERS = new Set([
  "varchar",
  "date",
  "timestamp",
  "timestamptz",
  "boolean",
  "json",
  "blob",
]);

/**
 * min / max: any orderable type (numbers, dates, text by code point), bounds compared in SQL.
 * A number bound on a column that holds no numbers is compared in JS: an empty column fails
 * with `observed_value: null`, a value says it cannot be compared.
 */
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
      .refine(hasABound, needsABound)
      .superRefine(boundsInOrder),
    columns: (a) => [a.column],
    compile: (a, ctx) => {
      const type = ctx.typeOf(a.column);
      const value = filtered(ctx, `${fn}(${ctx.orderKey(ctx.q(a.column), type)})`);
      const numberBound = typeof a.min_value === "number" || typeof a.max_value === "number";
      const inSql = !(numberBound && type !== undefined && NOT_COMPARABLE_WITH_NUMBERS.has(type));
      const selects: Record<string, string> = { value };
      if (inSql && a.min_value !== undefined && a.min_value !== null)
        selects.lo = `(${value} ${a.strict_min ? ">" : ">="} ${ctx.lit(a.min_value)})`;
      if (inSql && a.max_value !== undefined && a.max_value !== null)
        selects.hi = `(${value} ${a.strict_max ? "<" : "<="} ${ctx.lit(a.max_value)})`;
      return {
        plan: "aggregate",
        selects,
        evaluate: (v): Outcome => {
          const observed = jsonValue(v.value ?? null, type);
          if (v.value === null || v.value === undefined)
            return { success: false, result: { observed_value: null } };
          if (!inSql)
            throw new Error(
              `the ${fn} of column ${JSON.stringify(a.column)} (${type}) cannot be compared with a number bound`,
            );
          const success = (!("lo" in selects) || v.lo === true) && (!("hi" in selects) || v.hi === true);
          return { success, result: { observed_value: observed } };
        },
      };
    },
  });
}

export const columnMinToBeBetween = extreme("min");
export const columnMaxToBeBetween = extreme("max");

export { columnMedianToBeBetween, columnQuantileValuesToBeBetween };

export const COLUMN_AGGREGATE_EXPECTATIONS = [
  columnMinToBeBetween,
  columnMaxToBeBetween,
  columnMeanToBeBetween,
  columnMedianToBeBetween,
  columnSumToBeBetween,
  columnStdevToBeBetween,
  columnQuantileValuesToBeBetween,
];
