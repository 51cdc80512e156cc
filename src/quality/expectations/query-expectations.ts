import { z } from "zod";
import { defineExpectation } from "./expectation-definition.js";
import { commonKwargs } from "./kwargs.js";
import { SQL_CHECK_EXPECTED, sqlCheckProblem } from "./user-sql.js";

/** A SQL check's query kwarg: one read-only query whose rows are failures. */
export const sqlCheckQuery = z
  .string()
  .min(1)
  .superRefine((text, ctx) => {
    const problem = sqlCheckProblem(text);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: `${SQL_CHECK_EXPECTED}: ${problem}` });
  })
  .describe("a SELECT whose rows are failures; {batch} is the dataset");

/**
 * weir's SQL check, like dbt's singular tests: a query whose returned rows are the failures.
 * `{batch}` in the query stands for the dataset being validated (as in GX's
 * UnexpectedRowsExpectation), already filtered by `row_condition`; it is bound as a CTE
 * named `weir_batch`. The result lists `observed_value` = the number of rows returned and up
 * to the sample size of those rows (as objects) in `partial_unexpected_list`, ordered by
 * every column so both engines list the same rows. `expect_select_rows_to_be_empty` is
 * accepted as another name for it.
 */
export const sqlToReturnNoRows = defineExpectation({
  type: "expect_sql_to_return_no_rows",
  kind: "query",
  description: "A SQL query returns no rows; every row it returns is a failure. {batch} is the dataset.",
  kwargs: z
    .object({
      sql: sqlCheckQuery,
      ...commonKwargs,
    })
    .strict(),
  columns: () => [],
  compile: (a) => ({ plan: "query", sql: a.sql }),
});

export const QUERY_EXPECTATIONS = [sqlToReturnNoRows];

/** Other names the SQL check answers to. */
export const QUERY_ALIASES: Record<string, string> = {
  expect_select_rows_to_be_empty: "expect_sql_to_return_no_rows",
};
