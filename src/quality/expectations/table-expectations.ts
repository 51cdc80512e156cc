import { z } from "zod";
import { defineExpectation, type Outcome } from "./expectation-definition.js";
import { boundsInOrder, commonKwargs } from "./kwargs.js";
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
    .superRefine(boundsInOrder),
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
    .superRefine(boundsInOrder),
  columns: () => [],
  compile: (args) => ({
    plan: "schema",
    evaluate: (fields) => ({
      success: between(fields.length, args),
      result: { observed_value: fields.length },
    }),
  }),
});

/** Sorted by code point, as Python sorts `str`. */
const sortedNames = (names: Iterable<string>) =>
  [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

export const tableColumnsToMatchSet = defineExpectation({
  type: "expect_table_columns_to_match_set",
  kind: "table",
  description:
    'The table\'s columns are exactly `column_set` (any order; names match case-insensitively unless written "quoted"); with exact_match false, they include it.',
  kwargs: z
    .object({
      column_set: z.array(z.string().min(1)).nullable().describe("the column names; null is none"),
      exact_match: z.boolean().nullable().optional().describe("extra columns fail too (default true)"),
      ...commonKwargs,
    })
    .strict(),
  columns: () => [],
  // As GX's SQL engines (expect_table_columns_to_match_set._validate_sqlalchemy): a name in
  // double quotes must match exactly, others case-insensitively; observed_value and both
  // mismatch lists are sorted; a null column_set is the empty set.
  compile: (args) => ({
    plan: "schema",
    evaluate: (fields) => {
      const actual = fields.map((f) => f.name);
      const unmatchedActual = new Set(actual);
      const missing: string[] = [];
      for (const wanted of args.column_set ?? []) {
        const quoted = wanted.length > 1 && wanted.startsWith('"') && wanted.endsWith('"');
        const name = quoted ? wanted.slice(1, -1) : wanted;
        const found = actual.find(
          (c) => unmatchedActual.has(c) && (quoted ? c === name : c.toLowerCase() === name.toLowerCase()),
        );
        if (found === undefined) missing.push(wanted);
        else unmatchedActual.delete(found);
      }
      const unexpected = sortedNames(unmatchedActual);
      const exact = args.exact_match ?? true;
      const success = missing.length === 0 && (!exact || unexpected.length === 0);
      const mismatched = {
        ...(unexpected.length > 0 ? { unexpected } : {}),
        ...(missing.length > 0 ? { missing: sortedNames(missing) } : {}),
      };
      return {
        success,
        result: {
          observed_value: sortedNames(actual),
          ...(Object.keys(mismatched).length > 0 ? { details: { mismatched } } : {}),
        },
      };
    },
  }),
});

export const tableColumnsToMatchOrderedList = defineExpectation({
  type: "expect_table_columns_to_match_ordered_list",
  kind: "table",
  description: "The table's columns are exactly `column_list`, in that order (null: any columns).",
  kwargs: z
    .object({
      column_list: z.array(z.string().min(1)).nullable().describe("the column names in order; null for any"),
      ...commonKwargs,
    })
    .strict(),
  columns: () => [],
  // GX's result: mismatches as { "Expected Column Position", "Expected", "Found" }.
  compile: (args) => ({
    plan: "schema",
    evaluate: (fields) => {
      const actual = fields.map((f) => f.name);
      const expected = args.column_list;
      if (expected === null) return { success: true, result: { observed_value: actual } };
      const mismatched: Record<string, unknown>[] = [];
      for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
        if (actual[i] !== expected[i]) {
          mismatched.push({
            "Expected Column Position": i,
            Expected: expected[i] ?? null,
            Found: actual[i] ?? null,
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
