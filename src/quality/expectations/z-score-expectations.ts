import { z } from "zod";
import { columnMap } from "./column-map-expectations.js";
import { defineExpectation } from "./expectation-definition.js";
import { column, commonKwargs, mostly } from "./kwargs.js";

const NUMERIC = new Set(["integer", "bigint", "double", "decimal"]);

/**
 * `expect_column_value_z_scores_to_be_less_than`, as GX's `column_values.z_score` metric:
 * z = (value − mean) / sample standard deviation of the column's non-NULL values (inside
 * row_condition); a value passes when |z| < |threshold| (`double_sided`, the default) or
 * z < threshold — strictly, as GX. The mean and deviation are window aggregates of the same
 * scan, then each row is tested. GX 1.x requires `threshold` (its pydantic model has no
 * default). With a deviation of 0, or fewer than two values, no z-score exists and every
 * value is unexpected (pandas' NaN, which fails the comparison). NULLs are missing.
 */
export const columnValueZScoresToBeLessThan = defineExpectation({
  type: "expect_column_value_z_scores_to_be_less_than",
  kind: "column_map",
  description:
    "Z-scores of the values are below `threshold` (|z| < |threshold| when double_sided, the default).",
  kwargs: z
    .object({
      column,
      threshold: z.number().finite().describe("the z-score every value must stay under"),
      double_sided: z.boolean().optional().describe("compare |z| with |threshold| (default true)"),
      mostly,
      ...commonKwargs,
    })
    .strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    const type = ctx.typeOf(a.column);
    if (type !== undefined && !NUMERIC.has(type))
      throw new Error(`column "${a.column}" is ${type}: z-scores need a numeric column`);
    const value = `CAST(${ctx.q(a.column)} AS ${ctx.sql.double})`;
    const considered =
      ctx.rowCondition === undefined ? value : `CASE WHEN ${ctx.rowCondition} THEN ${value} END`;
    const mean = ctx.window(`avg(${considered}) OVER ()`);
    const sd = ctx.window(`stddev_samp(${considered}) OVER ()`);
    const z = `((${value} - ${mean}) / ${sd})`;
    const under =
      a.double_sided === false
        ? `${z} < ${ctx.lit(a.threshold)}`
        : `abs(${z}) < ${ctx.lit(Math.abs(a.threshold))}`;
    return columnMap(ctx, a.column, `NOT COALESCE(CASE WHEN ${sd} > 0 THEN ${under} END, FALSE)`, a.mostly);
  },
});

export const Z_SCORE_EXPECTATIONS = [columnValueZScoresToBeLessThan];
