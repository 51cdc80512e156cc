import { z } from "zod";
import { defineExpectation, type Outcome } from "./expectation-definition.js";
import { commonKwargs } from "./kwargs.js";
import { sqlCheckQuery } from "./query-expectations.js";

/**
 * GX 1.x's `UnexpectedRowsExpectation` (type `unexpected_rows_expectation`): the rows
 * `unexpected_rows_query` returns are failures. It runs exactly as weir's SQL check
 * (`expect_sql_to_return_no_rows`: one read-only query, `{batch}` bound to the dataset
 * filtered by row_condition) and reports as GX does: `observed_value` "N unexpected rows"
 * ("1 unexpected row") and `details.unexpected_rows`, the first rows (ordered by every
 * column, up to the partial list's length).
 */
export const unexpectedRowsExpectation = defineExpectation({
  type: "unexpected_rows_expectation",
  kind: "query",
  description:
    "A SQL query returns no rows; every row it returns is a failure (GX's UnexpectedRowsExpectation).",
  kwargs: z
    .object({
      unexpected_rows_query: sqlCheckQuery,
      ...commonKwargs,
    })
    .strict(),
  columns: () => [],
  compile: (a) => ({ plan: "query", sql: a.unexpected_rows_query, reshape: unexpectedRowsResult }),
});

/** The SQL check's outcome in GX's UnexpectedRowsExpectation shape. */
export function unexpectedRowsResult(outcome: Outcome): Outcome {
  const count = Number(outcome.result.observed_value ?? 0);
  return {
    success: outcome.success,
    result: {
      observed_value: `${count} unexpected ${count === 1 ? "row" : "rows"}`,
      details: { unexpected_rows: outcome.result.partial_unexpected_list ?? [] },
    },
  };
}

export const UNEXPECTED_ROWS_EXPECTATIONS = [unexpectedRowsExpectation];
