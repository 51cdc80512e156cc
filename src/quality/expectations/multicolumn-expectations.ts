import { z } from "zod";
import { type CompileContext, defineExpectation, type MapPlan } from "./expectation-definition.js";
import { commonKwargs, mostly } from "./kwargs.js";
import { ignoredRows, ignoreRowIf } from "./uniqueness-expectations.js";

/**
 * Tests across several columns of a row. Rows skipped by `ignore_row_if` count as missing;
 * a row with a NULL that is not skipped fails (the comparison cannot be confirmed).
 * Unexpected values are written as GX writes them: `[a, b]` for a column pair (GX's
 * `_sqlalchemy_column_pair_map_condition_values` returns tuples), objects keyed by column
 * name for a column list.
 */

/** GX's `ignore_row_if` for a column pair. */
export const pairIgnore = z
  .enum(["both_values_are_missing", "either_value_is_missing", "neither"])
  .optional()
  .describe("which rows are skipped as missing (default both_values_are_missing)");

/** The SQL condition for GX's `ignore_row_if` over a column pair. */
export function pairIgnored(ctx: CompileContext, a: string, b: string, rule: string | undefined): string {
  if (rule === "neither") return "FALSE";
  const op = rule === "either_value_is_missing" ? "OR" : "AND";
  return `(${ctx.q(a)} IS NULL ${op} ${ctx.q(b)} IS NULL)`;
}

/** A map plan over several columns: rows where `passes` is not TRUE are unexpected. */
export function multiMap(
  ctx: CompileContext,
  columns: readonly string[],
  missing: string,
  passes: string,
  m: number | undefined,
  sampleShape: "pair" | "record",
): MapPlan {
  return {
    plan: "map",
    missing,
    unexpected: `NOT COALESCE(${passes}, FALSE)`,
    sample: columns.map((c) => ({ sql: ctx.q(c), type: ctx.typeOf(c), name: c })),
    sampleShape,
    mostly: m,
  };
}

const pairKwargs = {
  column_A: z.string().min(1).describe("the first column"),
  column_B: z.string().min(1).describe("the second column"),
  ignore_row_if: pairIgnore,
  mostly,
  ...commonKwargs,
};

export const columnPairValuesAToBeGreaterThanB = defineExpectation({
  type: "expect_column_pair_values_a_to_be_greater_than_b",
  kind: "multicolumn_map",
  description: "column_A > column_B in each row (≥ with or_equal).",
  kwargs: z
    .object({
      ...pairKwargs,
      or_equal: z.boolean().nullable().optional().describe("equal values pass"),
      parse_strings_as_datetimes: z.boolean().optional().describe("accepted for GX compatibility; ignored"),
    })
    .strict(),
  columns: (a) => [a.column_A, a.column_B],
  compile: (a, ctx) => {
    const lhs = ctx.orderKey(ctx.q(a.column_A), ctx.typeOf(a.column_A));
    const rhs = ctx.orderKey(ctx.q(a.column_B), ctx.typeOf(a.column_B));
    return multiMap(
      ctx,
      [a.column_A, a.column_B],
      pairIgnored(ctx, a.column_A, a.column_B, a.ignore_row_if),
      `${lhs} ${a.or_equal ? ">=" : ">"} ${rhs}`,
      a.mostly,
      "pair",
    );
  },
});

export const columnPairValuesToBeEqual = defineExpectation({
  type: "expect_column_pair_values_to_be_equal",
  kind: "multicolumn_map",
  description: "column_A = column_B in each row.",
  kwargs: z.object(pairKwargs).strict(),
  columns: (a) => [a.column_A, a.column_B],
  compile: (a, ctx) =>
    multiMap(
      ctx,
      [a.column_A, a.column_B],
      pairIgnored(ctx, a.column_A, a.column_B, a.ignore_row_if),
      `${ctx.q(a.column_A)} = ${ctx.q(a.column_B)}`,
      a.mostly,
      "pair",
    ),
});

export const multicolumnSumToEqual = defineExpectation({
  type: "expect_multicolumn_sum_to_equal",
  kind: "multicolumn_map",
  description: "The columns of each row sum to `sum_total` (a NULL counts as 0, as GX's pandas sum).",
  kwargs: z
    .object({
      column_list: z.array(z.string().min(1)).min(1).describe("the columns to add up"),
      sum_total: z.number().finite().describe("the sum every row must have"),
      ignore_row_if: ignoreRowIf,
      mostly,
      ...commonKwargs,
    })
    .strict(),
  columns: (a) => a.column_list,
  compile: (a, ctx) => {
    const sum = a.column_list.map((c) => `COALESCE(${ctx.q(c)}, 0)`).join(" + ");
    return multiMap(
      ctx,
      a.column_list,
      ignoredRows(ctx, a.column_list, a.ignore_row_if ?? "all_values_are_missing"),
      `(${sum}) = ${ctx.lit(a.sum_total)}`,
      a.mostly,
      "record",
    );
  },
});

export const MULTICOLUMN_EXPECTATIONS = [
  columnPairValuesAToBeGreaterThanB,
  columnPairValuesToBeEqual,
  multicolumnSumToEqual,
];
