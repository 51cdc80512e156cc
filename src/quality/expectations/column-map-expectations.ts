import { z } from "zod";
import type { WeirType } from "../../core/types.js";
import type { CompileContext, MapPlan } from "./expectation-definition.js";
import { defineExpectation } from "./expectation-definition.js";
import {
  type Bound,
  betweenKwargs,
  boundsInOrder,
  column,
  commonKwargs,
  hasABound,
  mostly,
  needsABound,
  type SetMember,
  valueSet,
} from "./kwargs.js";
import { strftimeMatchSql, strftimePattern } from "./strftime-pattern.js";

/**
 * Column map expectations: a test per row of one column, counted in the main scan. NULLs
 * are `missing` (not tested) except in the two expectations about NULLs.
 */

const mapKwargs = { column, mostly, ...commonKwargs };

/** A map plan on `column` whose failing rows list their value. */
export function columnMap(
  ctx: CompileContext,
  name: string,
  unexpected: string,
  m: number | undefined,
): MapPlan {
  return {
    plan: "map",
    missing: `${ctx.q(name)} IS NULL`,
    unexpected,
    sample: [{ sql: ctx.q(name), type: ctx.typeOf(name) }],
    mostly: m,
    plainCounts: { missing: nullCount(ctx, name) },
  };
}

/** The NULLs of a column as `count(*) - count(c)`, which DuckDB answers from its statistics. */
export function nullCount(ctx: CompileContext, name: string): string {
  return `(count(*) - count(${ctx.q(name)}))`;
}

/** The column as text: regexes, lengths and formats read the text form of any type. */
export function asText(ctx: CompileContext, name: string): string {
  return ctx.typeOf(name) === "varchar" ? ctx.q(name) : `CAST(${ctx.q(name)} AS VARCHAR)`;
}

/**
 * `v IN (…)`, or FALSE for an empty set (SQL has no empty IN list). A text value tested
 * against a set of strings goes through the engine's own spelling (`ExpectationSql.textInSet`),
 * which on DuckDB is several times faster than IN. NULL members are left out: they match no
 * value (`v IN (NULL, …)` would make every non-member NULL rather than false).
 */
export function inSet(
  ctx: CompileContext,
  value: string,
  type: WeirType | undefined,
  members: readonly SetMember[],
): string {
  const set = members.filter((v) => v !== null);
  if (set.length === 0) return "FALSE";
  const literals = set.map((v) => ctx.lit(v));
  if (type === "varchar" && set.every((v) => typeof v === "string"))
    return ctx.sql.textInSet(value, literals);
  return `${value} IN (${literals.join(", ")})`;
}

/** TRUE when `value` lies within the bounds (each optional, strict or not). */
export function withinBounds(
  ctx: CompileContext,
  value: string,
  b: {
    min_value?: Bound;
    max_value?: Bound;
    strict_min?: boolean | undefined;
    strict_max?: boolean | undefined;
  },
): string {
  const parts: string[] = [];
  if (b.min_value !== undefined && b.min_value !== null)
    parts.push(`${value} ${b.strict_min ? ">" : ">="} ${ctx.lit(b.min_value)}`);
  if (b.max_value !== undefined && b.max_value !== null)
    parts.push(`${value} ${b.strict_max ? "<" : "<="} ${ctx.lit(b.max_value)}`);
  return parts.length === 0 ? "TRUE" : `(${parts.join(" AND ")})`;
}

export const columnValuesToNotBeNull = defineExpectation({
  type: "expect_column_values_to_not_be_null",
  kind: "column_map",
  description: "Values are not NULL.",
  kwargs: z.object(mapKwargs).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => ({
    plan: "map",
    unexpected: `${ctx.q(a.column)} IS NULL`,
    sample: [],
    mostly: a.mostly,
    aboutNulls: true,
    plainCounts: { unexpected: nullCount(ctx, a.column) },
  }),
});

export const columnValuesToBeNull = defineExpectation({
  type: "expect_column_values_to_be_null",
  kind: "column_map",
  description: "Values are NULL.",
  kwargs: z.object(mapKwargs).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => ({
    plan: "map",
    unexpected: `${ctx.q(a.column)} IS NOT NULL`,
    sample: [{ sql: ctx.q(a.column), type: ctx.typeOf(a.column) }],
    mostly: a.mostly,
    aboutNulls: true,
    plainCounts: { unexpected: `count(${ctx.q(a.column)})` },
  }),
});

export const columnValuesToBeInSet = defineExpectation({
  type: "expect_column_values_to_be_in_set",
  kind: "column_map",
  description: "Values are members of `value_set`.",
  kwargs: z.object({ ...mapKwargs, value_set: valueSet }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    columnMap(
      ctx,
      a.column,
      `NOT (${inSet(ctx, ctx.q(a.column), ctx.typeOf(a.column), a.value_set)})`,
      a.mostly,
    ),
});

export const columnValuesToNotBeInSet = defineExpectation({
  type: "expect_column_values_to_not_be_in_set",
  kind: "column_map",
  description: "Values are not members of `value_set`.",
  kwargs: z.object({ ...mapKwargs, value_set: valueSet }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    columnMap(ctx, a.column, inSet(ctx, ctx.q(a.column), ctx.typeOf(a.column), a.value_set), a.mostly),
});

export const columnValuesToBeBetween = defineExpectation({
  type: "expect_column_values_to_be_between",
  kind: "column_map",
  description: "Values lie within [min_value, max_value] (bounds exclusive with strict_min / strict_max).",
  kwargs: z
    .object({ ...mapKwargs, ...betweenKwargs })
    .strict()
    .refine(hasABound, needsABound)
    .superRefine(boundsInOrder),
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    const value = ctx.orderKey(ctx.q(a.column), ctx.typeOf(a.column));
    return columnMap(ctx, a.column, `NOT ${withinBounds(ctx, value, a)}`, a.mostly);
  },
});

// GX accepts an empty regex, which matches every value (Python's re.search("", v)).
const regex = z.string().describe("a regular expression (RE2 / POSIX ARE common subset), searched anywhere");

export const columnValuesToMatchRegex = defineExpectation({
  type: "expect_column_values_to_match_regex",
  kind: "column_map",
  description: "Values (as text) contain a match of `regex` (anchor with ^…$ for a full match).",
  kwargs: z.object({ ...mapKwargs, regex }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    columnMap(ctx, a.column, `NOT ${ctx.sql.regexSearch(asText(ctx, a.column), a.regex, ctx.lit)}`, a.mostly),
});

export const columnValuesToNotMatchRegex = defineExpectation({
  type: "expect_column_values_to_not_match_regex",
  kind: "column_map",
  description: "Values (as text) contain no match of `regex`.",
  kwargs: z.object({ ...mapKwargs, regex }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    columnMap(ctx, a.column, ctx.sql.regexSearch(asText(ctx, a.column), a.regex, ctx.lit), a.mostly),
});

const regexList = z.array(z.string().min(1)).min(1).describe("regular expressions");
const matchOn = z.enum(["any", "all"]).optional().describe('"any" (default) or "all" of the regexes');

export const columnValuesToMatchRegexList = defineExpectation({
  type: "expect_column_values_to_match_regex_list",
  kind: "column_map",
  description: "Values match any (match_on: any) or all (match_on: all) of `regex_list`.",
  kwargs: z.object({ ...mapKwargs, regex_list: regexList, match_on: matchOn }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    const tests = a.regex_list.map((r) => ctx.sql.regexSearch(asText(ctx, a.column), r, ctx.lit));
    return columnMap(ctx, a.column, `NOT (${tests.join(a.match_on === "all" ? " AND " : " OR ")})`, a.mostly);
  },
});

export const columnValuesToNotMatchRegexList = defineExpectation({
  type: "expect_column_values_to_not_match_regex_list",
  kind: "column_map",
  description: "Values match none of `regex_list`.",
  kwargs: z.object({ ...mapKwargs, regex_list: regexList }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    const tests = a.regex_list.map((r) => ctx.sql.regexSearch(asText(ctx, a.column), r, ctx.lit));
    return columnMap(ctx, a.column, `(${tests.join(" OR ")})`, a.mostly);
  },
});

/**
 * The pattern with backslash as its escape character on both engines (PostgreSQL's default,
 * DuckDB has none). Only patterns with a backslash need the ESCAPE clause, and DuckDB
 * turns plain prefix/suffix patterns into fast string tests only without one.
 */
function likePatternSql(ctx: CompileContext, pattern: string): string {
  return pattern.includes("\\") ? `${ctx.lit(pattern)} ESCAPE '\\'` : ctx.lit(pattern);
}

const likePattern = z.string().min(1).describe("a SQL LIKE pattern: % any run, _ one character, \\ escapes");

export const columnValuesToMatchLikePattern = defineExpectation({
  type: "expect_column_values_to_match_like_pattern",
  kind: "column_map",
  description: "Values (as text) match the SQL LIKE pattern.",
  kwargs: z.object({ ...mapKwargs, like_pattern: likePattern }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    columnMap(
      ctx,
      a.column,
      `NOT (${asText(ctx, a.column)} LIKE ${likePatternSql(ctx, a.like_pattern)})`,
      a.mostly,
    ),
});

export const columnValuesToNotMatchLikePattern = defineExpectation({
  type: "expect_column_values_to_not_match_like_pattern",
  kind: "column_map",
  description: "Values (as text) do not match the SQL LIKE pattern.",
  kwargs: z.object({ ...mapKwargs, like_pattern: likePattern }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    columnMap(
      ctx,
      a.column,
      `(${asText(ctx, a.column)} LIKE ${likePatternSql(ctx, a.like_pattern)})`,
      a.mostly,
    ),
});

const length = z.number().int().min(0);

export const columnValueLengthsToBeBetween = defineExpectation({
  type: "expect_column_value_lengths_to_be_between",
  kind: "column_map",
  description: "Value lengths (characters of the text form) lie within [min_value, max_value].",
  kwargs: z
    .object({
      ...mapKwargs,
      min_value: length.nullable().optional().describe("the shortest allowed length"),
      max_value: length.nullable().optional().describe("the longest allowed length"),
    })
    .strict()
    .refine(hasABound, needsABound)
    .superRefine(boundsInOrder),
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    columnMap(ctx, a.column, `NOT ${withinBounds(ctx, `length(${asText(ctx, a.column)})`, a)}`, a.mostly),
});

export const columnValueLengthsToEqual = defineExpectation({
  type: "expect_column_value_lengths_to_equal",
  kind: "column_map",
  description: "Value lengths (characters of the text form) equal `value`.",
  kwargs: z.object({ ...mapKwargs, value: length.describe("the length") }).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) =>
    columnMap(ctx, a.column, `length(${asText(ctx, a.column)}) <> ${ctx.lit(a.value)}`, a.mostly),
});

export const columnValuesToMatchStrftimeFormat = defineExpectation({
  type: "expect_column_values_to_match_strftime_format",
  kind: "column_map",
  description:
    "Values (as text) parse with Python's strptime and `strftime_format` (e.g. %Y-%m-%d), real calendar days only.",
  kwargs: z
    .object({ ...mapKwargs, strftime_format: z.string().min(1).describe("e.g. %Y-%m-%d %H:%M:%S") })
    .strict()
    .superRefine((a, issue) => {
      try {
        strftimePattern(a.strftime_format);
      } catch (error) {
        issue.addIssue({ code: "custom", message: (error as Error).message, path: ["strftime_format"] });
      }
    }),
  columns: (a) => [a.column],
  compile: (a, ctx) => {
    const pattern = strftimePattern(a.strftime_format);
    const text = asText(ctx, a.column);
    const matches = strftimeMatchSql(
      pattern,
      (r) => ctx.sql.regexFullMatch(text, r, ctx.lit),
      (n) => ctx.sql.regexGroup(text, ctx.lit(`^${pattern.regex}$`), n),
    );
    return columnMap(ctx, a.column, `NOT ${matches}`, a.mostly);
  },
});

export const columnValuesToBeJsonParseable = defineExpectation({
  type: "expect_column_values_to_be_json_parseable",
  kind: "column_map",
  description: "Values (as text) are strict JSON documents (RFC 8259).",
  kwargs: z.object(mapKwargs).strict(),
  columns: (a) => [a.column],
  compile: (a, ctx) => columnMap(ctx, a.column, `NOT ${ctx.sql.jsonValid(asText(ctx, a.column))}`, a.mostly),
});

export const COLUMN_MAP_EXPECTATIONS = [
  columnValuesToNotBeNull,
  columnValuesToBeNull,
  columnValuesToBeInSet,
  columnValuesToNotBeInSet,
  columnValuesToBeBetween,
  columnValuesToMatchRegex,
  columnValuesToNotMatchRegex,
  columnValuesToMatchRegexList,
  columnValuesToNotMatchRegexList,
  columnValuesToMatchLikePattern,
  columnValuesToNotMatchLikePattern,
  columnValueLengthsToBeBetween,
  columnValueLengthsToEqual,
  columnValuesToMatchStrftimeFormat,
  columnValuesToBeJsonParseable,
];
