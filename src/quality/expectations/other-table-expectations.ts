import { z } from "zod";
import { defineExpectation, type Outcome } from "./expectation-definition.js";
import { commonKwargs } from "./kwargs.js";
import { toCount } from "./result-values.js";
import { parseTableName } from "./table-name.js";

/**
 * `expect_table_row_count_to_equal_other_table`, as GX: the rows of the dataset and of
 * `other_table_name`, `observed_value: { self, other }`. GX counts the other table with the
 * same domain kwargs, so a `row_condition` applies to both tables. The other count is a
 * scalar subquery of the main scan; the name is parsed as a table reference and quoted,
 * never spliced. A bare name is looked up in the validated table's schema (GX reads the
 * other table from the batch's own schema), or the engine's default schema for a query.
 */
export const tableRowCountToEqualOtherTable = defineExpectation({
  type: "expect_table_row_count_to_equal_other_table",
  kind: "table",
  description: "The table has as many rows as `other_table_name` (both filtered by row_condition).",
  kwargs: z
    .object({
      other_table_name: z
        .string()
        .min(1)
        .superRefine((text, issue) => {
          try {
            parseTableName(text);
          } catch (error) {
            issue.addIssue({ code: "custom", message: (error as Error).message });
          }
        })
        .describe('the other table: name, schema.name or "quoted"."names"'),
      ...commonKwargs,
    })
    .strict(),
  columns: () => [],
  compile: (a, ctx) => {
    const other = parseTableName(a.other_table_name);
    const schema = other.schema ?? ctx.table?.schema;
    const table = ctx.dialect.quoteTable(
      schema === undefined ? { name: other.name } : { schema, name: other.name },
    );
    const where = ctx.rowCondition === undefined ? "" : ` WHERE ${ctx.rowCondition}`;
    return {
      plan: "aggregate",
      selects: {
        self: ctx.rowCondition === undefined ? "count(*)" : `count(*) FILTER (WHERE ${ctx.rowCondition})`,
        other: `(SELECT count(*) FROM ${table}${where})`,
      },
      evaluate: (v): Outcome => {
        const [self, otherRows] = [toCount(v.self), toCount(v.other)];
        return { success: self === otherRows, result: { observed_value: { self, other: otherRows } } };
      },
    };
  },
});

export const OTHER_TABLE_EXPECTATIONS = [tableRowCountToEqualOtherTable];
