import { z } from "zod";
import { type CompileContext, defineExpectation, type MapPlan } from "./expectation-definition.js";
import { commonKwargs, mostly, setValue } from "./kwargs.js";
import { multiMap, pairIgnore, pairIgnored } from "./multicolumn-expectations.js";
import { ignoredRows, ignoreRowIf } from "./uniqueness-expectations.js";

/**
 * Tests of the values within one row: `expect_column_pair_values_to_be_in_set` and
 * `expect_select_column_values_to_be_unique_within_record`. Rows skipped by `ignore_row_if`
 * are missing; a NULL in a row that is not skipped is a value like any other, compared
 * NULL-safely as GX's pandas and Spark metrics do (`eqNullSafe`, `(None, None) in set`).
 */

/** `a = v`, or `a IS NULL` for a null member (GX compares pairs NULL-safely). */
function equalsValue(ctx: CompileContext, sql: string, value: string | number | boolean | null): string {
  return value === null ? `${sql} IS NULL` : `${sql} = ${ctx.lit(value)}`;
}

export const columnPairValuesToBeInSet = defineExpectation({
  type: "expect_column_pair_values_to_be_in_set",
  kind: "multicolumn_map",
  description: "Each row's (column_A, column_B) is one of `value_pairs_set` (NULL matches a null member).",
  kwargs: z
    .object({
      column_A: z.string().min(1).describe("the first column"),
      column_B: z.string().min(1).describe("the second column"),
      value_pairs_set: z
        .array(z.tuple([setValue.nullable(), setValue.nullable()]))
        .describe("the allowed [a, b] pairs, as JSON"),
      ignore_row_if: pairIgnore,
      mostly,
      ...commonKwargs,
    })
    .strict(),
  columns: (a) => [a.column_A, a.column_B],
  compile: (a, ctx): MapPlan => {
    const [colA, colB] = [ctx.q(a.column_A), ctx.q(a.column_B)];
    const pairs = a.value_pairs_set.map(
      ([x, y]) => `(${equalsValue(ctx, colA, x)} AND ${equalsValue(ctx, colB, y)})`,
    );
    // An empty set admits no pair, as GX's pandas metric (`(a, b) in set()`).
    const member = pairs.length === 0 ? "FALSE" : `(${pairs.join(" OR ")})`;
    return multiMap(
      ctx,
      [a.column_A, a.column_B],
      pairIgnored(ctx, a.column_A, a.column_B, a.ignore_row_if),
      member,
      a.mostly,
      "pair",
    );
  },
});

export const selectColumnValuesToBeUniqueWithinRecord = defineExpectation({
  type: "expect_select_column_values_to_be_unique_within_record",
  kind: "multicolumn_map",
  description: "Within each row, the listed columns hold different values (two NULLs count as equal).",
  kwargs: z
    .object({
      column_list: z.array(z.string().min(1)).min(1).describe("the columns whose values must differ"),
      ignore_row_if: ignoreRowIf,
      mostly,
      ...commonKwargs,
    })
    .strict(),
  columns: (a) => a.column_list,
  compile: (a, ctx): MapPlan => {
    const cols = a.column_list.map((c) => ctx.q(c));
    // GX's SQL metric: any two columns equal, or both NULL (Spark's eqNullSafe).
    const clashes: string[] = [];
    for (let i = 0; i < cols.length; i++)
      for (let j = i + 1; j < cols.length; j++) clashes.push(`${cols[i]} IS NOT DISTINCT FROM ${cols[j]}`);
    return {
      plan: "map",
      missing: ignoredRows(ctx, a.column_list, a.ignore_row_if ?? "all_values_are_missing"),
      unexpected: clashes.length === 0 ? "FALSE" : `(${clashes.join(" OR ")})`,
      sample: a.column_list.map((c) => ({ sql: ctx.q(c), type: ctx.typeOf(c), name: c })),
      sampleShape: "record",
      mostly: a.mostly,
    };
  },
});

export const RECORD_EXPECTATIONS = [columnPairValuesToBeInSet, selectColumnValuesToBeUniqueWithinRecord];
