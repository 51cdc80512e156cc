import { z } from "zod";
import { ConfigError } from "../../core/errors.js";
import type { CompileContext, MapPlan } from "./expectation-definition.js";
import { defineExpectation } from "./expectation-definition.js";
import { column, commonKwargs, mostly } from "./kwargs.js";

/**
 * `expect_column_values_to_be_increasing` / `_decreasing`: each non-missing value is
 * compared with the previous non-missing value (inside row_condition) in the order given by
 * `order_by` (weir's addition: SQL tables have no row order). Without `order_by` a table's
 * row order is used (`../../row-order.ts`: DuckDB `rowid`, PostgreSQL `ctid` — physical
 * order, which is insertion order only for tables never updated); a query target needs
 * `order_by`. The order should be unique, or ties make the verdict depend on the engine.
 */
const sequenceKwargs = z
  .object({
    column,
    strictly: z.boolean().optional().describe("equal neighbours fail too"),
    order_by: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .optional()
      .describe("column(s) giving the row order; default the table's insertion order"),
    parse_strings_as_datetimes: z.boolean().optional().describe("accepted for GX compatibility; ignored"),
    mostly,
    ...commonKwargs,
  })
  .strict();
type SequenceArgs = z.infer<typeof sequenceKwargs>;

function orderColumns(a: SequenceArgs): string[] {
  return a.order_by === undefined ? [] : [a.order_by].flat();
}

function sequencePlan(a: SequenceArgs, ctx: CompileContext, direction: "increasing" | "decreasing"): MapPlan {
  const col = ctx.q(a.column);
  const type = ctx.typeOf(a.column);
  const order = orderColumns(a);
  if (order.length === 0 && ctx.target === "query") {
    throw new ConfigError(
      `expect_column_values_to_be_${direction} on a query needs order_by: a query's rows have no order`,
    );
  }
  const orderSql =
    order.length === 0 ? ctx.rowOrder() : order.map((c) => ctx.orderKey(ctx.q(c), ctx.typeOf(c))).join(", ");
  // The rows compared form one window partition, so the previous row is the previous considered one.
  const considered =
    ctx.rowCondition === undefined ? `${col} IS NOT NULL` : `(${ctx.rowCondition} AND ${col} IS NOT NULL)`;
  const previous = ctx.window(`lag(${col}) OVER (PARTITION BY ${considered} ORDER BY ${orderSql})`);
  const op = direction === "increasing" ? (a.strictly ? "<=" : "<") : a.strictly ? ">=" : ">";
  return {
    plan: "map",
    missing: `${col} IS NULL`,
    unexpected: `(${previous} IS NOT NULL AND ${ctx.orderKey(col, type)} ${op} ${ctx.orderKey(previous, type)})`,
    sample: [{ sql: col, type }],
    mostly: a.mostly,
  };
}

export const columnValuesToBeIncreasing = defineExpectation({
  type: "expect_column_values_to_be_increasing",
  kind: "column_map",
  description: "Each value is ≥ the previous one (> with strictly) in `order_by` order.",
  kwargs: sequenceKwargs,
  columns: (a) => [a.column, ...orderColumns(a)],
  compile: (a, ctx) => sequencePlan(a, ctx, "increasing"),
});

export const columnValuesToBeDecreasing = defineExpectation({
  type: "expect_column_values_to_be_decreasing",
  kind: "column_map",
  description: "Each value is ≤ the previous one (< with strictly) in `order_by` order.",
  kwargs: sequenceKwargs,
  columns: (a) => [a.column, ...orderColumns(a)],
  compile: (a, ctx) => sequencePlan(a, ctx, "decreasing"),
});

export const SEQUENCE_EXPECTATIONS = [columnValuesToBeIncreasing, columnValuesToBeDecreasing];
