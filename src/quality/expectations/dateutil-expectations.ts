import { z } from "zod";
import { columnMap } from "./column-map-expectations.js";
import { dateutilParseableSql } from "./dateutil-grammar.js";
import { defineExpectation } from "./expectation-definition.js";
import { column, commonKwargs, mostly } from "./kwargs.js";

/**
 * `expect_column_values_to_be_dateutil_parseable`: each value is text that
 * `dateutil.parser.parse` reads — in weir, the documented subset of dateutil-grammar.ts,
 * tested in SQL. As GX, the column must hold text ("Values passed to
 * expect_column_values_to_be_dateutil_parseable must be of type string"). NULLs are missing.
 */
export const columnValuesToBeDateutilParseable = defineExpectation({
  type: "expect_column_values_to_be_dateutil_parseable",
  kind: "column_map",
  description:
    "Values are dates or times dateutil reads (ISO-8601, 01/31/2024, Jan 31, 2024, 10:30 PM…; see the README for the exact subset).",
  kwargs: z.object({ column, mostly, ...commonKwargs }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    const type = ctx.typeOf(a.column);
    if (type !== undefined && type !== "varchar")
      throw new Error(
        `column "${a.column}" is ${type}: values passed to expect_column_values_to_be_dateutil_parseable must be of type string (use expect_column_values_to_be_of_type for typed dates)`,
      );
    const text = ctx.q(a.column);
    const parseable = dateutilParseableSql(
      (regex) => ctx.sql.regexFullMatch(text, regex, ctx.lit),
      (regex) => ctx.sql.regexSearch(text, `^${regex}`, ctx.lit),
    );
    return columnMap(ctx, a.column, `NOT COALESCE(${parseable}, FALSE)`, a.mostly);
  },
});

export const DATEUTIL_EXPECTATIONS = [columnValuesToBeDateutilParseable];
