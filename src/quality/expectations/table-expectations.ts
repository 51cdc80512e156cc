import { z } from "zod";
import { defineExpectation, type Outcome } from "./expectation-definition.js";
import { commonKwargs, hasABound, needsABound } from "./kwargs.js";
import { toCount } from "./result-values.js";

const count = z.number().int().min(0);
const countBounds = {
  min_value: count.nullable().optional().describe("the least allowed (inclusive); null for none"),
  max_value: count.nullable().optional().describe("the most allowed (inclusive); null for none"),
};

function between(observed: number, b: { min_value?: number | null; max_value?: number | null }): boolean {
  return (
    (b.min_value === undefined || b.min_value === null || observed >= b.min_value) &&
    (b.max_value === undefined || b.max_value === null || observed <= b.max_value)
  );
}

/** Row counts come from the main scan (`count(*)`, filtered by row_condition). */
function rowCountSql(rowCondition: string | undefined): string {
  return rowCondition === undefined ? "count(*)" : `count(*) FILTER (WHERE ${rowCondition})`;
}

export const tableRowCountToEqual = defineExpectation({
  type: "expect_table_row_count_to_equal",
  kind: "table",
  description: "The table has exactly `value` rows.",
  kwargs: z.object({ value: count.describe("the row count"), ...commonKwargs }).strict(),
  columns: () => [],
  compile: (args, ctx) => ({
    plan: "aggregate",
    selects: { rows: rowCountSql(ctx.rowCondition) },
    evaluate: (v): Outcome => {
      const rows = toCount(v.rows);
      return { success: rows === args.value, result: { observed_value: rows } };
    },
  }),
});

export const tableRowCountToBeBetween = defineExpectation({
  type: "expect_table_row_count_to_be_between",
  kind: "table",
  description: "The table's row count lies within [min_value, max_value].",
  kwargs: z
    .object({ ...countBounds, ...commonKwargs })
    .strict()
    .refine(hasABound, needsABound),
  columns: () => [],
  compile: (args, ctx) => ({
    plan: "aggregate",
    selects: { rows: rowCountSql(ctx.rowCondition) },
    evaluate: (v): Outcome => {
      const rows = toCount(v.rows);
      return { success: between(rows, args), result: { observed_value: rows } };
    },
  }),
});

export const tableColumnCountToEqual = defineExpectation({
  type: "expect_table_column_count_to_equal",
  kind: "table",
  description: "The table has exactly `value` columns.",
  kwargs: z.object({ value: count.describe("the column count"), ...commonKwargs }).strict(),
  columns: () => [],
  compile: (args) => ({
    plan: "schema",
    evaluate: (fields) => ({
      success: fields.length === args.value,
      result: { observed_value: fields.length },
    }),
  }),
});

export const tableColumnCountToBeBetween = defineExpectation({
  type: "expect_table_column_count_to_be_between",
  kind: "table",
  description: "The table's column count lies within [min_value, max_value].",
  kwargs: z
    .object({ ...countBounds, ...commonKwargs })
    .strict()
    .refine(hasABound, needsABound),
  columns: () => [],
  compile: (args) => ({
    plan: "schema",
    evaluate: (fields) => ({
      success: between(fields.length, args),
      result: { observed_value: fields.length },
    }),
  }),
});

export const tableColumnsToMatchSet = defineExpectation({
  type: "expect_table_columns_to_match_set",
  kind: "table",
  description:
    "The table's columns are exactly `column_set` (any order); with exact_match false, they include it.",
  kwargs: z
    .object({
      column_set: z.array(z.string().min(1)).describe("the column names"),
      exact_match: z.boolean().optional().describe("extra columns fail too (default true)"),
      ...commonKwargs,
    })
    .strict(),
  columns: () => [],
  compile: (args) => ({
    plan: "schema",
    evaluate: (fields) => {
      const actual = fields.map((f) => f.name);
      const missing = args.column_set.filter((c) => !actual.includes(c));
      const unexpected = actual.filter((c) => !args.column_set.includes(c));
      const exact = args.exact_match ?? true;
      const success = missing.length === 0 && (!exact || unexpected.length === 0);
      return {
        success,
        result: {
          observed_value: actual,
          ...(success ? {} : { details: { mismatched: { unexpected: exact ? unexpected : [], missing } } }),
        },
      };
    },
  }),
});

export const tableColumnsToMatchOrderedList = defineExpectation({
  type: "expect_table_columns_to_match_ordered_list",
  kind: "table",
  description: "The table's columns are exactly `column_list`, in that order.",
  kwargs: z
    .object({
      column_list: z.array(z.string().min(1)).describe("the column names in order"),
      ...commonKwargs,
    })
    .strict(),
  columns: () => [],
  compile: (args) => ({
    plan: "schema",
    evaluate: (fields) => {
      const actual = fields.map((f) => f.name);
      const mismatched: {
        expected_column_position: number;
        expected: string | null;
        found: string | null;
      }[] = [];
      for (let i = 0; i < Math.max(actual.length, args.column_list.length); i++) {
        if (actual[i] !== args.column_list[i]) {
          mismatched.push({
            expected_column_position: i,
            expected: args.column_list[i] ?? null,
            found: actual[i] ?? null,
          });
        }
      }
      const success = mismatched.length === 0;
      return { success, result: { observed_value: actual, ...(success ? {} : { details: { mismatched } }) } };
    },
  }),
});

export const columnToExist = defineExpectation({
  type: "expect_column_to_exist",
  kind: "table",
  description: "The column exists (at `column_index`, 0-based, when given).",
  kwargs: z
    .object({
      column: z.string().min(1).describe("the column's name"),
      column_index: z.number().int().min(0).nullable().optional().describe("its 0-based position"),
      ...commonKwargs,
    })
    .strict(),
  // Not a column the expectation reads: a missing column is this expectation's failure, not an error.
  columns: () => [],
  compile: (args) => ({
    plan: "schema",
    evaluate: (fields) => {
      const index = fields.findIndex((f) => f.name === args.column);
      const wanted = args.column_index;
      const success = index >= 0 && (wanted === undefined || wanted === null || wanted === index);
      return { success, result: { observed_value: index >= 0 ? index : null } };
    },
  }),
});

export const TABLE_EXPECTATIONS = [
  tableRowCountToEqual,
  tableRowCountToBeBetween,
  tableColumnCountToEqual,
  tableColumnCountToBeBetween,
  tableColumnsToMatchSet,
  tableColumnsToMatchOrderedList,
  columnToExist,
];
