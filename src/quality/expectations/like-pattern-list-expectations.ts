import { z } from "zod";
import { asText, columnMap } from "./column-map-expectations.js";
import { type CompileContext, defineExpectation } from "./expectation-definition.js";
import { column, commonKwargs, mostly } from "./kwargs.js";

/**
 * `expect_column_values_to_match_like_pattern_list` / `_not_match_like_pattern_list`: SQL
 * LIKE on the engine, as GX's SQL metrics (`column_values.match_like_pattern_list`), with a
 * backslash escaping `%` and `_` on both engines. A value matches the list when it matches
 * any pattern (`match_on: any`, GX's default) or every pattern (`match_on: all`); the
 * negative form fails a value matching any pattern. NULLs are missing.
 */

const likePatternList = z
  .array(z.string().min(1))
  .min(1, "At least one like_pattern must be supplied in the like_pattern_list.")
  .describe("SQL LIKE patterns: % any run, _ one character, \\ escapes");

/** `text LIKE 'pattern'`, with `ESCAPE '\'` only when the pattern has a backslash (PostgreSQL's default, DuckDB has none). */
function like(ctx: CompileContext, text: string, pattern: string): string {
  return `(${text} LIKE ${ctx.lit(pattern)}${pattern.includes("\\") ? " ESCAPE '\\'" : ""})`;
}

export const columnValuesToMatchLikePatternList = defineExpectation({
  type: "expect_column_values_to_match_like_pattern_list",
  kind: "column_map",
  description: "Values (as text) match any (match_on: any) or all (match_on: all) of the LIKE patterns.",
  kwargs: z
    .object({
      column,
      like_pattern_list: likePatternList,
      match_on: z.enum(["any", "all"]).optional().describe('"any" (default) or "all" of the patterns'),
      mostly,
      ...commonKwargs,
    })
    .strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    const text = asText(ctx, a.column);
    const tests = a.like_pattern_list.map((p) => like(ctx, text, p));
    return columnMap(ctx, a.column, `NOT (${tests.join(a.match_on === "all" ? " AND " : " OR ")})`, a.mostly);
  },
});

export const columnValuesToNotMatchLikePatternList = defineExpectation({
  type: "expect_column_values_to_not_match_like_pattern_list",
  kind: "column_map",
  description: "Values (as text) match none of the LIKE patterns.",
  kwargs: z.object({ column, like_pattern_list: likePatternList, mostly, ...commonKwargs }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    const text = asText(ctx, a.column);
    return columnMap(
      ctx,
      a.column,
      `(${a.like_pattern_list.map((p) => like(ctx, text, p)).join(" OR ")})`,
      a.mostly,
    );
  },
});

export const LIKE_PATTERN_LIST_EXPECTATIONS = [
  columnValuesToMatchLikePatternList,
  columnValuesToNotMatchLikePatternList,
];
