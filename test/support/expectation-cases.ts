import { batchFromRows, type Row } from "../../src/core/batch.js";
import type { Schema, TableRef } from "../../src/core/types.js";
import type { Engine } from "../../src/engines/engine.js";
import type { ExpectationConfig, ExpectationResult } from "../../src/quality/expectations/expectation.js";

/**
 * One table-driven list of expectation cases, run on every engine (DuckDB beside the code,
 * PostgreSQL under test/integration). The expected results are worked out by hand from
 * GX's semantics and the rows below, so both engines are checked against the same truth —
 * and, in the PostgreSQL file, against each other, result object by result object.
 */

export type CaseTable = "people" | "empty" | "hostile";
/** What a case exercises; every expectation type must cover the variants its kind needs. */
export type Variant = "pass" | "fail" | "nulls" | "empty" | "mostly" | "row_condition" | "hostile";

export interface ExpectationCase {
  name: string;
  table: CaseTable;
  variant: Variant;
  expectation: ExpectationConfig;
  /** `success` and a subset of `result` (matched with toMatchObject). */
  expect: { success: boolean; result?: Partial<ExpectationResult["result"]> };
}

export const PEOPLE_SCHEMA: Schema = {
  fields: [
    { name: "id", type: "integer" },
    { name: "name", type: "varchar" },
    { name: "age", type: "integer" },
    { name: "score", type: "double" },
    { name: "country", type: "varchar" },
    { name: "email", type: "varchar" },
    { name: "signup", type: "date" },
    { name: "seen", type: "timestamp" },
    { name: "ds", type: "varchar" },
    { name: "js", type: "varchar" },
    { name: "lo", type: "integer" },
    { name: "hi", type: "integer" },
    { name: "seq", type: "integer" },
  ],
};
const PEOPLE_COLUMNS = PEOPLE_SCHEMA.fields.map((f) => f.name);

// biome-ignore format: one row per line reads as a table
const PEOPLE_VALUES: unknown[][] = [
  [1, "Ann", 25, 1.5, "US", "ann@x.com", "2024-01-01", "2024-01-01 10:00:00", "2024-01-15", '{"a":1}', 1, 5, 1],
  [2, "Bob", 31, 2.25, "US", "bob@x.com", "2024-01-02", "2024-01-02 11:00:00", "2024-02-29", "[1, 2]", 2, 2, 2],
  [3, "Cy", 47, null, "FR", "cy@y.org", "2024-01-03", "2024-01-02 09:00:00", "2023-02-29", "NaN", 3, 1, 4],
  [4, "Di", null, 3.75, "DE", "bad-email", "2024-01-04", "2024-01-05 08:00:00", "2024-1-5", '{"a":1,}', null, null, 3],
  [5, "Ed", 7, 0.5, "US", null, "2024-01-05", null, "x", null, 4, null, 5],
  [5, "Fay", 200, 4.0, "FR", "fay@x.com", null, "2024-01-06 00:00:00", null, '"s"', null, 6, 6],
  [null, "Gus", 60, -1.0, null, "gus@x.com", "2024-01-07", "2024-01-07 12:00:00", "2024-12-31", "1", 7, 3, 7],
  [8, "Hal", 33, 2.0, "US", "hal@x.com", "2024-01-08", "2024-01-08 00:00:00", "2024-04-31", "[]", 8, 8, 8],
];

/** Column names and values that break naive SQL generation. */
export const HOSTILE_SCHEMA: Schema = {
  fields: [
    { name: 'we"ird', type: "varchar" },
    { name: "it's", type: "integer" },
    { name: "semi;colon", type: "varchar" },
    { name: "ünï cødé", type: "varchar" },
    { name: "Mixed Case", type: "integer" },
  ],
};
// biome-ignore format: one row per line reads as a table
const HOSTILE_VALUES: unknown[][] = [
  ['a"b', 1, "x;y", "ß", 10],
  ["c'd", 2, "--", "日本", 20],
  ["a.b*(c)", 3, "/* */", "é", null],
  ["\\", null, "DROP TABLE x;", "😀", 40],
  [null, 5, "$1", "ß", 50],
];

const rows = (columns: readonly string[], values: unknown[][]): Row[] =>
  values.map((v) => Object.fromEntries(columns.map((c, i) => [c, v[i]])));

/** Creates the three case tables in `schema` (rows loaded in order, so insertion order is known). */
export async function loadCaseTables(engine: Engine, schema: string): Promise<Record<CaseTable, TableRef>> {
  const tables: Record<CaseTable, TableRef> = {
    people: { schema, name: "people" },
    empty: { schema, name: "people_empty" },
    hostile: { schema, name: "hostile" },
  };
  await engine.createTable(tables.people, PEOPLE_SCHEMA);
  await engine.load(tables.people, [batchFromRows(PEOPLE_SCHEMA, rows(PEOPLE_COLUMNS, PEOPLE_VALUES))]);
  await engine.createTable(tables.empty, PEOPLE_SCHEMA);
  await engine.createTable(tables.hostile, HOSTILE_SCHEMA);
  const hostileColumns = HOSTILE_SCHEMA.fields.map((f) => f.name);
  await engine.load(tables.hostile, [batchFromRows(HOSTILE_SCHEMA, rows(hostileColumns, HOSTILE_VALUES))]);
  return tables;
}

const CASES_LIST: ExpectationCase[] = [];
function add(
  table: CaseTable,
  variant: Variant,
  type: string,
  kwargs: Record<string, unknown>,
  expect: ExpectationCase["expect"],
): void {
  CASES_LIST.push({
    name: `${type} ${variant} #${CASES_LIST.length}`,
    table,
    variant,
    expectation: { type, kwargs },
    expect,
  });
}
const ok = (result?: ExpectationCase["expect"]["result"]) => ({
  success: true,
  ...(result ? { result } : {}),
});
const bad = (result?: ExpectationCase["expect"]["result"]) => ({
  success: false,
  ...(result ? { result } : {}),
});
/** A map result on the people table: counts and percents as GX computes them. */
const map = (element: number, missing: number, unexpected: number, list?: unknown[]) => ({
  element_count: element,
  missing_count: missing,
  unexpected_count: unexpected,
  unexpected_percent: element - missing === 0 ? null : (unexpected / (element - missing)) * 100,
  ...(list ? { partial_unexpected_list: list } : {}),
});
const emptyMap = {
  element_count: 0,
  missing_count: 0,
  unexpected_count: 0,
  unexpected_percent: null,
  partial_unexpected_list: [],
};

// ---- table -------------------------------------------------------------------------------
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_table_row_count_to_equal";
  add("people", "pass", t, { value: 8 }, ok({ observed_value: 8 }));
  add("people", "fail", t, { value: 7 }, bad({ observed_value: 8 }));
  add("empty", "empty", t, { value: 0 }, ok({ observed_value: 0 }));
  add("people", "nulls", t, { value: 1, row_condition: "age IS NULL" }, ok({ observed_value: 1 }));
  add("people", "row_condition", t, { value: 4, row_condition: "country = 'US'" }, ok({ observed_value: 4 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_table_row_count_to_be_between";
  add("people", "pass", t, { min_value: 1, max_value: 10 }, ok({ observed_value: 8 }));
  add("people", "fail", t, { min_value: 9 }, bad({ observed_value: 8 }));
  add("empty", "empty", t, { min_value: 1 }, bad({ observed_value: 0 }));
  add("people", "row_condition", t, { max_value: 2, row_condition: "country = 'FR'" }, ok({ observed_value: 2 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_table_column_count_to_equal";
  add("people", "pass", t, { value: 13 }, ok({ observed_value: 13 }));
  add("people", "fail", t, { value: 12 }, bad({ observed_value: 13 }));
  add("empty", "empty", t, { value: 13 }, ok({ observed_value: 13 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_table_column_count_to_be_between";
  add("people", "pass", t, { min_value: 10, max_value: 13 }, ok({ observed_value: 13 }));
  add("people", "fail", t, { max_value: 5 }, bad({ observed_value: 13 }));
  add("empty", "empty", t, { min_value: 13 }, ok({ observed_value: 13 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_table_columns_to_match_set";
  const shuffled = [...PEOPLE_COLUMNS].reverse();
  add("people", "pass", t, { column_set: shuffled }, ok({ observed_value: sortBinary(PEOPLE_COLUMNS) }));
  add("people", "fail", t, { column_set: [...PEOPLE_COLUMNS.slice(1), "nope"] }, bad({ details: { mismatched: { unexpected: ["id"], missing: ["nope"] } } }));
  add("people", "pass", t, { column_set: ["age", "id"], exact_match: false }, ok());
  add("empty", "empty", t, { column_set: PEOPLE_COLUMNS }, ok());
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_table_columns_to_match_ordered_list";
  add("people", "pass", t, { column_list: PEOPLE_COLUMNS }, ok({ observed_value: PEOPLE_COLUMNS }));
  add("people", "fail", t, { column_list: ["name", "id", ...PEOPLE_COLUMNS.slice(2)] }, bad({ details: { mismatched: [{ "Expected Column Position": 0, Expected: "name", Found: "id" }, { "Expected Column Position": 1, Expected: "id", Found: "name" }] } }));
  add("empty", "empty", t, { column_list: PEOPLE_COLUMNS }, ok());
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_to_exist";
  add("people", "pass", t, { column: "age", column_index: 2 }, ok({ observed_value: 2 }));
  add("people", "fail", t, { column: "nope" }, bad({ observed_value: null }));
  add("people", "fail", t, { column: "age", column_index: 0 }, bad({ observed_value: 2 }));
  add("empty", "empty", t, { column: "seq" }, ok({ observed_value: 12 }));
  add("hostile", "hostile", t, { column: 'we"ird' }, ok({ observed_value: 0 }));
}

// ---- column map ----------------------------------------------------------------------------
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_not_be_null";
  add("people", "pass", t, { column: "name" }, ok({ element_count: 8, unexpected_count: 0, unexpected_percent: 0, partial_unexpected_list: [] }));
  add("people", "fail", t, { column: "id" }, bad({ element_count: 8, unexpected_count: 1, unexpected_percent: 12.5, partial_unexpected_list: [null] }));
  add("people", "nulls", t, { column: "email" }, bad({ unexpected_count: 1 }));
  add("people", "mostly", t, { column: "id", mostly: 0.8 }, ok({ unexpected_count: 1 }));
  add("empty", "empty", t, { column: "id" }, ok({ element_count: 0, unexpected_count: 0, unexpected_percent: null }));
  add("people", "row_condition", t, { column: "id", row_condition: "age > 30" }, bad({ element_count: 5, unexpected_count: 1, unexpected_percent: 20 }));
  add("hostile", "hostile", t, { column: 'we"ird' }, bad({ element_count: 5, unexpected_count: 1 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_be_null";
  const emails = ["ann@x.com", "bob@x.com", "cy@y.org", "bad-email", "fay@x.com", "gus@x.com", "hal@x.com"];
  add("people", "pass", t, { column: "id", row_condition: "id IS NULL" }, ok({ element_count: 1, unexpected_count: 0 }));
  add("people", "fail", t, { column: "email" }, bad({ element_count: 8, unexpected_count: 7, unexpected_percent: 87.5, partial_unexpected_list: emails }));
  add("people", "nulls", t, { column: "js", mostly: 0.1 }, ok({ unexpected_count: 7 }));
  add("people", "mostly", t, { column: "id", mostly: 0.2 }, bad({ unexpected_count: 7 }));
  add("empty", "empty", t, { column: "email" }, ok({ element_count: 0, unexpected_count: 0, unexpected_percent: null }));
  add("people", "row_condition", t, { column: "age", row_condition: "name = 'Di'" }, ok({ element_count: 1, unexpected_count: 0 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_be_in_set";
  add("people", "pass", t, { column: "country", value_set: ["US", "FR", "DE"] }, ok(map(8, 1, 0, [])));
  add("people", "fail", t, { column: "country", value_set: ["US", "FR"] }, bad(map(8, 1, 1, ["DE"])));
  add("people", "nulls", t, { column: "email", value_set: [] }, bad(map(8, 1, 7)));
  add("people", "mostly", t, { column: "country", value_set: ["US", "FR"], mostly: 0.8 }, ok(map(8, 1, 1)));
  add("empty", "empty", t, { column: "country", value_set: ["US"] }, ok(emptyMap));
  add("people", "row_condition", t, { column: "country", value_set: ["US", "FR"], row_condition: "country <> 'DE'" }, ok(map(6, 0, 0)));
  add("hostile", "hostile", t, { column: 'we"ird', value_set: ['a"b', "c'd", "a.b*(c)", "\\"] }, ok({ missing_count: 1, unexpected_count: 0 }));
  add("hostile", "hostile", t, { column: "semi;colon", value_set: ["x;y", "--", "/* */", "$1"] }, bad({ unexpected_count: 1, partial_unexpected_list: ["DROP TABLE x;"] }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_not_be_in_set";
  add("people", "pass", t, { column: "country", value_set: ["XX"] }, ok(map(8, 1, 0)));
  add("people", "fail", t, { column: "country", value_set: ["US"] }, bad(map(8, 1, 4, ["US", "US", "US", "US"])));
  add("people", "nulls", t, { column: "age", value_set: [7] }, bad(map(8, 1, 1, [7])));
  add("people", "mostly", t, { column: "country", value_set: ["US"], mostly: 0.4 }, ok(map(8, 1, 4)));
  add("empty", "empty", t, { column: "country", value_set: ["US"] }, ok(emptyMap));
  add("people", "row_condition", t, { column: "country", value_set: ["US"], row_condition: "seq > 5" }, bad(map(3, 1, 1, ["US"])));
  add("hostile", "hostile", t, { column: "ünï cødé", value_set: ["é", "😀"] }, bad({ unexpected_count: 2, partial_unexpected_list: ["é", "😀"] }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_be_between";
  add("people", "pass", t, { column: "age", min_value: 0, max_value: 300 }, ok(map(8, 1, 0)));
  add("people", "fail", t, { column: "age", min_value: 13, max_value: 120 }, bad(map(8, 1, 2, [7, 200])));
  add("people", "fail", t, { column: "age", min_value: 7, max_value: 200, strict_min: true }, bad(map(8, 1, 1, [7])));
  add("people", "fail", t, { column: "age", max_value: 200, strict_max: true }, bad(map(8, 1, 1, [200])));
  add("people", "nulls", t, { column: "signup", min_value: "2024-01-02" }, bad(map(8, 1, 1, ["2024-01-01"])));
  add("people", "mostly", t, { column: "age", min_value: 13, max_value: 120, mostly: 0.7 }, ok(map(8, 1, 2)));
  add("people", "mostly", t, { column: "age", min_value: 13, max_value: 120, mostly: 0.75 }, bad(map(8, 1, 2)));
  add("empty", "empty", t, { column: "age", min_value: 13 }, ok(emptyMap));
  add("people", "row_condition", t, { column: "age", min_value: 13, max_value: 120, row_condition: "age < 100" }, bad(map(6, 0, 1, [7])));
  add("people", "pass", t, { column: "seen", min_value: "2024-01-01 00:00:00", max_value: "2024-12-31 23:59:59" }, ok(map(8, 1, 0)));
  add("people", "fail", t, { column: "country", min_value: "E" }, bad(map(8, 1, 1, ["DE"])));
  add("hostile", "hostile", t, { column: "Mixed Case", min_value: 15, row_condition: '"it\'s" >= 2' }, ok({ element_count: 3, missing_count: 1, unexpected_count: 0 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_match_regex";
  const email = "^[^@]+@[^@]+\\.[a-z]+$";
  add("people", "pass", t, { column: "email", regex: "^[a-z]" }, ok(map(8, 1, 0)));
  add("people", "fail", t, { column: "email", regex: email }, bad(map(8, 1, 1, ["bad-email"])));
  add("people", "nulls", t, { column: "ds", regex: "^\\d{4}-" }, bad(map(8, 1, 1, ["x"])));
  add("people", "mostly", t, { column: "email", regex: email, mostly: 0.8 }, ok(map(8, 1, 1)));
  add("empty", "empty", t, { column: "email", regex: email }, ok(emptyMap));
  add("people", "row_condition", t, { column: "email", regex: email, row_condition: "country = 'US'" }, ok(map(4, 1, 0)));
  add("people", "pass", t, { column: "age", regex: "^\\d+$" }, ok(map(8, 1, 0)));
  add("hostile", "hostile", t, { column: 'we"ird', regex: "['\"]" }, bad({ unexpected_count: 2, partial_unexpected_list: ["a.b*(c)", "\\"] }));
  add("hostile", "hostile", t, { column: "ünï cødé", regex: "^[ßé]$" }, bad({ unexpected_count: 2, partial_unexpected_list: ["日本", "😀"] }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_not_match_regex";
  add("people", "pass", t, { column: "email", regex: "\\d" }, ok(map(8, 1, 0)));
  add("people", "fail", t, { column: "email", regex: "-" }, bad(map(8, 1, 1, ["bad-email"])));
  add("people", "nulls", t, { column: "js", regex: "^\\[" }, bad(map(8, 1, 2, ["[1, 2]", "[]"])));
  add("people", "mostly", t, { column: "email", regex: "-", mostly: 0.85 }, ok(map(8, 1, 1)));
  add("empty", "empty", t, { column: "email", regex: "-" }, ok(emptyMap));
  add("people", "row_condition", t, { column: "email", regex: "-", row_condition: "id <> 4" }, ok(map(6, 1, 0)));
  add("hostile", "hostile", t, { column: 'we"ird', regex: "^a\\.b\\*\\(c\\)$" }, bad({ unexpected_count: 1, partial_unexpected_list: ["a.b*(c)"] }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_match_regex_list";
  const list = ["@x\\.com$", "@y\\.org$"];
  add("people", "pass", t, { column: "email", regex_list: [...list, "-"] }, ok(map(8, 1, 0)));
  add("people", "fail", t, { column: "email", regex_list: list }, bad(map(8, 1, 1, ["bad-email"])));
  add("people", "fail", t, { column: "email", regex_list: ["^[a-z]", "@x"], match_on: "all" }, bad(map(8, 1, 2, ["cy@y.org", "bad-email"])));
  add("people", "nulls", t, { column: "ds", regex_list: ["^2024"] }, bad(map(8, 1, 2, ["2023-02-29", "x"])));
  add("people", "mostly", t, { column: "email", regex_list: list, mostly: 0.8 }, ok(map(8, 1, 1)));
  add("empty", "empty", t, { column: "email", regex_list: list }, ok(emptyMap));
  add("people", "row_condition", t, { column: "email", regex_list: list, row_condition: "name <> 'Di'" }, ok(map(7, 1, 0)));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_not_match_regex_list";
  add("people", "pass", t, { column: "email", regex_list: ["\\d", "\\s"] }, ok(map(8, 1, 0)));
  add("people", "fail", t, { column: "email", regex_list: ["-", "^c"] }, bad(map(8, 1, 2, ["cy@y.org", "bad-email"])));
  add("people", "nulls", t, { column: "js", regex_list: ["a"] }, bad(map(8, 1, 3, ['{"a":1}', "NaN", '{"a":1,}'])));
  add("people", "mostly", t, { column: "email", regex_list: ["-", "^c"], mostly: 0.7 }, ok(map(8, 1, 2)));
  add("empty", "empty", t, { column: "email", regex_list: ["-"] }, ok(emptyMap));
  add("people", "row_condition", t, { column: "email", regex_list: ["-"], row_condition: "seq > 3" }, ok(map(5, 1, 0)));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_match_like_pattern";
  add("people", "pass", t, { column: "email", like_pattern: "%_%" }, ok(map(8, 1, 0)));
  add("people", "fail", t, { column: "email", like_pattern: "%@%" }, bad(map(8, 1, 1, ["bad-email"])));
  add("people", "nulls", t, { column: "ds", like_pattern: "2024-%" }, bad(map(8, 1, 2, ["2023-02-29", "x"])));
  add("people", "mostly", t, { column: "email", like_pattern: "%@%", mostly: 0.8 }, ok(map(8, 1, 1)));
  add("empty", "empty", t, { column: "email", like_pattern: "%@%" }, ok(emptyMap));
  add("people", "row_condition", t, { column: "email", like_pattern: "%@%", row_condition: "id < 4" }, ok(map(3, 0, 0)));
  add("hostile", "hostile", t, { column: 'we"ird', like_pattern: "%\\\\" }, bad({ unexpected_count: 3, partial_unexpected_list: ['a"b', "c'd", "a.b*(c)"] }));
  add("hostile", "hostile", t, { column: 'we"ird', like_pattern: "%'%" }, bad({ unexpected_count: 3, partial_unexpected_list: ['a"b', "a.b*(c)", "\\"] }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_not_match_like_pattern";
  add("people", "pass", t, { column: "email", like_pattern: "% %" }, ok(map(8, 1, 0)));
  add("people", "fail", t, { column: "email", like_pattern: "%-%" }, bad(map(8, 1, 1, ["bad-email"])));
  add("people", "nulls", t, { column: "country", like_pattern: "U_" }, bad(map(8, 1, 4)));
  add("people", "mostly", t, { column: "country", like_pattern: "U_", mostly: 0.4 }, ok(map(8, 1, 4)));
  add("empty", "empty", t, { column: "email", like_pattern: "%-%" }, ok(emptyMap));
  add("people", "row_condition", t, { column: "country", like_pattern: "U_", row_condition: "country <> 'US'" }, ok(map(3, 0, 0)));
  add("hostile", "hostile", t, { column: "semi;colon", like_pattern: "%;%" }, bad({ unexpected_count: 2, partial_unexpected_list: ["x;y", "DROP TABLE x;"] }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_value_lengths_to_be_between";
  add("people", "pass", t, { column: "name", min_value: 2, max_value: 3 }, ok(map(8, 0, 0)));
  add("people", "fail", t, { column: "name", min_value: 3, max_value: 3 }, bad(map(8, 0, 3, ["Cy", "Di", "Ed"])));
  add("people", "nulls", t, { column: "email", min_value: 8, max_value: 9 }, ok(map(8, 1, 0)));
  add("people", "mostly", t, { column: "name", min_value: 3, mostly: 0.6 }, ok(map(8, 0, 3)));
  add("empty", "empty", t, { column: "name", min_value: 3 }, ok(emptyMap));
  add("people", "row_condition", t, { column: "name", min_value: 3, row_condition: "seq IN (1, 2, 6)" }, ok(map(3, 0, 0)));
  add("hostile", "hostile", t, { column: "ünï cødé", max_value: 1 }, bad({ unexpected_count: 1, partial_unexpected_list: ["日本"] }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_value_lengths_to_equal";
  add("people", "pass", t, { column: "country", value: 2 }, ok(map(8, 1, 0)));
  add("people", "fail", t, { column: "name", value: 3 }, bad(map(8, 0, 3, ["Cy", "Di", "Ed"])));
  add("people", "nulls", t, { column: "ds", value: 10 }, bad(map(8, 1, 2, ["2024-1-5", "x"])));
  add("people", "mostly", t, { column: "name", value: 3, mostly: 0.6 }, ok(map(8, 0, 3)));
  add("empty", "empty", t, { column: "name", value: 3 }, ok(emptyMap));
  add("people", "row_condition", t, { column: "name", value: 2, row_condition: "seq BETWEEN 3 AND 5" }, ok(map(3, 0, 0)));
  add("hostile", "hostile", t, { column: "semi;colon", value: 2 }, bad({ unexpected_count: 3 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_match_strftime_format";
  add("people", "pass", t, { column: "seen", strftime_format: "%Y-%m-%d %H:%M:%S" }, ok(map(8, 1, 0)));
  add("people", "fail", t, { column: "ds", strftime_format: "%Y-%m-%d" }, bad(map(8, 1, 3, ["2023-02-29", "x", "2024-04-31"])));
  add("people", "nulls", t, { column: "signup", strftime_format: "%Y-%m-%d" }, ok(map(8, 1, 0)));
  add("people", "mostly", t, { column: "ds", strftime_format: "%Y-%m-%d", mostly: 0.5 }, ok(map(8, 1, 3)));
  add("empty", "empty", t, { column: "ds", strftime_format: "%Y-%m-%d" }, ok(emptyMap));
  add("people", "row_condition", t, { column: "ds", strftime_format: "%Y-%m-%d", row_condition: "ds LIKE '2024-%' AND ds <> '2024-04-31'" }, ok(map(4, 0, 0)));
  add("people", "fail", t, { column: "ds", strftime_format: "%d/%m/%Y" }, bad(map(8, 1, 7)));
  add("people", "fail", t, { column: "signup", strftime_format: "%Y-%b-%d" }, bad(map(8, 1, 7)));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_be_json_parseable";
  add("people", "pass", t, { column: "js", row_condition: "seq IN (1, 2, 6, 7, 8)" }, ok(map(5, 0, 0)));
  add("people", "fail", t, { column: "js" }, bad(map(8, 1, 2, ["NaN", '{"a":1,}'])));
  add("people", "nulls", t, { column: "email" }, bad(map(8, 1, 7)));
  add("people", "mostly", t, { column: "js", mostly: 0.7 }, ok(map(8, 1, 2)));
  add("empty", "empty", t, { column: "js" }, ok(emptyMap));
  add("people", "row_condition", t, { column: "js", row_condition: "js <> 'NaN'" }, bad(map(6, 0, 1, ['{"a":1,}'])));
  add("hostile", "hostile", t, { column: "semi;colon" }, bad({ unexpected_count: 5 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_be_increasing";
  add("people", "pass", t, { column: "seq", order_by: "seq" }, ok(map(8, 0, 0)));
  add("people", "fail", t, { column: "seq" }, bad(map(8, 0, 1, [3])));
  add("people", "nulls", t, { column: "age", order_by: "seq" }, bad(map(8, 1, 3, [7, 60, 33])));
  add("people", "mostly", t, { column: "age", order_by: "seq", mostly: 0.5 }, ok(map(8, 1, 3)));
  add("people", "pass", t, { column: "lo", order_by: ["seq"], strictly: true, row_condition: "seq <> 8" }, ok(map(7, 2, 0)));
  add("people", "fail", t, { column: "hi", order_by: "lo", strictly: true }, bad(map(8, 2, 3, [2, 1, 6])));
  add("empty", "empty", t, { column: "seq" }, ok(emptyMap));
  add("people", "row_condition", t, { column: "age", order_by: "seq", row_condition: "age < 100 AND seq <> 5" }, bad(map(5, 0, 1, [33])));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_be_decreasing";
  add("people", "pass", t, { column: "hi", order_by: "lo", row_condition: "lo <= 3" }, ok(map(3, 0, 0)));
  add("people", "fail", t, { column: "seq", order_by: "seq" }, bad(map(8, 0, 7, [2, 4, 3, 5, 6, 7, 8])));
  add("people", "nulls", t, { column: "score", order_by: "seq" }, bad(map(8, 1, 4, [2.25, 3.75, 4, 2])));
  add("people", "mostly", t, { column: "score", order_by: "seq", mostly: 0.4 }, ok(map(8, 1, 4)));
  add("people", "mostly", t, { column: "score", order_by: "seq", mostly: 0.5 }, bad(map(8, 1, 4)));
  add("empty", "empty", t, { column: "seq" }, ok(emptyMap));
  add("people", "row_condition", t, { column: "seq", order_by: "seq", row_condition: "seq = 1" }, ok(map(1, 0, 0)));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_be_unique";
  add("people", "pass", t, { column: "seq" }, ok(map(8, 0, 0, [])));
  add("people", "fail", t, { column: "id" }, bad(map(8, 1, 2, [5, 5])));
  add("people", "nulls", t, { column: "country" }, bad(map(8, 1, 6, ["US", "US", "FR", "US", "FR", "US"])));
  add("people", "mostly", t, { column: "id", mostly: 0.7 }, ok(map(8, 1, 2)));
  add("empty", "empty", t, { column: "id" }, ok(emptyMap));
  add("people", "row_condition", t, { column: "id", row_condition: "age < 100" }, ok(map(6, 1, 0)));
  add("hostile", "hostile", t, { column: "ünï cødé" }, bad({ unexpected_count: 2, partial_unexpected_list: ["ß", "ß"] }));
}

// ---- multicolumn ---------------------------------------------------------------------------
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_compound_columns_to_be_unique";
  add("people", "pass", t, { column_list: ["country", "id"] }, ok(map(8, 1, 0, [])));
  add("people", "fail", t, { column_list: ["country"] }, bad(map(8, 1, 6, [{ country: "US" }, { country: "US" }, { country: "FR" }, { country: "US" }, { country: "FR" }, { country: "US" }])));
  add("people", "nulls", t, { column_list: ["id", "age"], ignore_row_if: "any_value_is_missing" }, ok(map(8, 2, 0)));
  add("people", "pass", t, { column_list: ["id", "hi"], ignore_row_if: "never" }, ok(map(8, 0, 0)));
  add("people", "mostly", t, { column_list: ["country"], mostly: 0.1 }, ok(map(8, 1, 6)));
  add("empty", "empty", t, { column_list: ["country", "id"] }, ok(emptyMap));
  add("people", "row_condition", t, { column_list: ["country"], row_condition: "seq <= 4" }, bad(map(4, 0, 2, [{ country: "US" }, { country: "US" }])));
  add("hostile", "hostile", t, { column_list: ['we"ird', "it's"] }, ok({ unexpected_count: 0 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_pair_values_a_to_be_greater_than_b";
  add("people", "pass", t, { column_A: "seq", column_B: "lo", or_equal: true, ignore_row_if: "either_value_is_missing" }, ok(map(8, 2, 0)));
  add("people", "fail", t, { column_A: "lo", column_B: "hi" }, bad(map(8, 1, 5, [[1, 5], [2, 2], [4, null], [null, 6], [8, 8]])));
  add("people", "nulls", t, { column_A: "lo", column_B: "hi", or_equal: true }, bad(map(8, 1, 3, [[1, 5], [4, null], [null, 6]])));
  add("people", "nulls", t, { column_A: "lo", column_B: "hi", or_equal: true, ignore_row_if: "either_value_is_missing" }, bad(map(8, 3, 1, [[1, 5]])));
  add("people", "nulls", t, { column_A: "lo", column_B: "hi", ignore_row_if: "neither" }, bad(map(8, 0, 6)));
  add("people", "mostly", t, { column_A: "lo", column_B: "hi", or_equal: true, mostly: 0.5 }, ok(map(8, 1, 3)));
  add("empty", "empty", t, { column_A: "lo", column_B: "hi" }, ok(emptyMap));
  add("people", "row_condition", t, { column_A: "lo", column_B: "hi", row_condition: "lo > 2 AND hi IS NOT NULL AND lo <> hi" }, ok(map(2, 0, 0)));
  add("people", "fail", t, { column_A: "seen", column_B: "signup", or_equal: true }, bad(map(8, 0, 3, [["2024-01-02T09:00:00", "2024-01-03"], [null, "2024-01-05"], ["2024-01-06T00:00:00", null]])));
  add("hostile", "hostile", t, { column_A: "Mixed Case", column_B: "it's" }, bad({ missing_count: 0, unexpected_count: 2 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_pair_values_to_be_equal";
  add("people", "pass", t, { column_A: "seq", column_B: "lo", row_condition: "seq IN (1, 2, 7, 8)" }, ok(map(4, 0, 0)));
  add("people", "fail", t, { column_A: "seq", column_B: "lo" }, bad(map(8, 0, 4, [[4, 3], [3, null], [5, 4], [6, null]])));
  add("people", "nulls", t, { column_A: "seq", column_B: "lo", ignore_row_if: "either_value_is_missing" }, bad(map(8, 2, 2)));
  add("people", "mostly", t, { column_A: "seq", column_B: "lo", mostly: 0.5 }, ok(map(8, 0, 4)));
  add("empty", "empty", t, { column_A: "seq", column_B: "lo" }, ok(emptyMap));
  add("people", "row_condition", t, { column_A: "seq", column_B: "lo", row_condition: "seq > 6" }, ok(map(2, 0, 0)));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_multicolumn_sum_to_equal";
  add("people", "pass", t, { column_list: ["lo", "hi"], sum_total: 4, row_condition: "seq IN (2, 4, 5)" }, ok(map(3, 0, 0)));
  add("people", "fail", t, { column_list: ["lo", "hi"], sum_total: 4 }, bad(map(8, 1, 4, [{ lo: 1, hi: 5 }, { lo: null, hi: 6 }, { lo: 7, hi: 3 }, { lo: 8, hi: 8 }])));
  add("people", "nulls", t, { column_list: ["lo", "hi"], sum_total: 4, ignore_row_if: "any_value_is_missing" }, bad(map(8, 3, 3)));
  add("people", "mostly", t, { column_list: ["lo", "hi"], sum_total: 4, mostly: 0.4 }, ok(map(8, 1, 4)));
  add("empty", "empty", t, { column_list: ["lo", "hi"], sum_total: 4 }, ok(emptyMap));
  add("people", "row_condition", t, { column_list: ["lo", "hi"], sum_total: 4, row_condition: "seq < 5" }, bad(map(4, 1, 1)));
}

// ---- column aggregate ----------------------------------------------------------------------
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_min_to_be_between";
  add("people", "pass", t, { column: "age", min_value: 0, max_value: 10 }, ok({ observed_value: 7 }));
  add("people", "fail", t, { column: "age", min_value: 10 }, bad({ observed_value: 7 }));
  add("people", "fail", t, { column: "age", min_value: 7, strict_min: true }, bad({ observed_value: 7 }));
  add("people", "nulls", t, { column: "signup", min_value: "2024-01-01", max_value: "2024-01-01" }, ok({ observed_value: "2024-01-01" }));
  add("empty", "empty", t, { column: "age", min_value: 0 }, bad({ observed_value: null }));
  add("people", "row_condition", t, { column: "age", min_value: 30, row_condition: "age > 30" }, ok({ observed_value: 31 }));
  add("people", "pass", t, { column: "country", max_value: "DE" }, ok({ observed_value: "DE" }));
  add("hostile", "hostile", t, { column: "ünï cødé", min_value: "ß", max_value: "ß" }, ok({ observed_value: "ß" }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_max_to_be_between";
  add("people", "pass", t, { column: "age", max_value: 200 }, ok({ observed_value: 200 }));
  add("people", "fail", t, { column: "age", max_value: 200, strict_max: true }, bad({ observed_value: 200 }));
  add("people", "nulls", t, { column: "seen", min_value: "2024-01-08" }, ok({ observed_value: "2024-01-08T00:00:00" }));
  add("empty", "empty", t, { column: "age", max_value: 1000 }, bad({ observed_value: null }));
  add("people", "row_condition", t, { column: "age", max_value: 100, row_condition: "age < 100" }, ok({ observed_value: 60 }));
  add("hostile", "hostile", t, { column: "ünï cødé", min_value: "😀" }, ok({ observed_value: "😀" }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_mean_to_be_between";
  add("people", "pass", t, { column: "age", min_value: 57, max_value: 58 }, ok({ observed_value: 403 / 7 }));
  add("people", "fail", t, { column: "age", max_value: 50 }, bad({ observed_value: 403 / 7 }));
  add("people", "nulls", t, { column: "score", min_value: 1.8, max_value: 1.9 }, ok({ observed_value: 13 / 7 }));
  add("empty", "empty", t, { column: "age", min_value: 0 }, bad({ observed_value: null }));
  add("people", "row_condition", t, { column: "age", min_value: 30, max_value: 30, row_condition: "age BETWEEN 25 AND 35" }, bad({ observed_value: 89 / 3 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_median_to_be_between";
  add("people", "pass", t, { column: "age", min_value: 33, max_value: 33 }, ok({ observed_value: 33 }));
  add("people", "fail", t, { column: "age", min_value: 34 }, bad({ observed_value: 33 }));
  add("people", "nulls", t, { column: "score", min_value: 2, max_value: 2 }, ok({ observed_value: 2 }));
  add("empty", "empty", t, { column: "age", min_value: 0 }, bad({ observed_value: null }));
  add("people", "row_condition", t, { column: "age", max_value: 30, row_condition: "age < 40" }, ok({ observed_value: 28 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_sum_to_be_between";
  add("people", "pass", t, { column: "age", min_value: 403, max_value: 403 }, ok({ observed_value: 403 }));
  add("people", "fail", t, { column: "age", max_value: 400 }, bad({ observed_value: 403 }));
  add("people", "nulls", t, { column: "score", min_value: 13, max_value: 13 }, ok({ observed_value: 13 }));
  add("empty", "empty", t, { column: "age", min_value: 0 }, bad({ observed_value: null }));
  add("people", "row_condition", t, { column: "age", min_value: 100, row_condition: "country = 'FR'" }, ok({ observed_value: 247 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_stdev_to_be_between";
  add("people", "pass", t, { column: "age", min_value: 64, max_value: 65 }, ok({ observed_value: 64.97655254745654 }));
  add("people", "fail", t, { column: "age", max_value: 10 }, bad({ observed_value: 64.97655254745654 }));
  add("people", "nulls", t, { column: "score", min_value: 1.7, max_value: 1.8 }, ok({ observed_value: 1.7550946250436592 }));
  add("empty", "empty", t, { column: "age", min_value: 0 }, bad({ observed_value: null }));
  add("people", "row_condition", t, { column: "age", min_value: 0, row_condition: "age = 25" }, bad({ observed_value: null }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_quantile_values_to_be_between";
  const quantiles = [0.25, 0.5, 0.75];
  add("people", "pass", t, { column: "age", quantile_ranges: { quantiles, value_ranges: [[20, 30], [33, 33], [null, 60]] } }, ok({ observed_value: { quantiles, values: [25, 33, 60] }, details: { success_details: [true, true, true] } }));
  add("people", "fail", t, { column: "age", quantile_ranges: { quantiles, value_ranges: [[20, 30], [34, null], [null, 60]] } }, bad({ details: { success_details: [true, false, true] } }));
  add("people", "nulls", t, { column: "score", quantile_ranges: { quantiles: [0, 1], value_ranges: [[-1, -1], [4, 4]] } }, ok({ observed_value: { quantiles: [0, 1], values: [-1, 4] } }));
  add("empty", "empty", t, { column: "age", quantile_ranges: { quantiles: [0.5], value_ranges: [[null, null]] } }, bad({ observed_value: { quantiles: [0.5], values: [null] } }));
  add("people", "row_condition", t, { column: "age", quantile_ranges: { quantiles: [0.5], value_ranges: [[31, 31]] }, row_condition: "age < 50" }, ok({ observed_value: { quantiles: [0.5], values: [31] } }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_proportion_of_unique_values_to_be_between";
  add("people", "pass", t, { column: "seq", min_value: 1 }, ok({ observed_value: 1 }));
  add("people", "fail", t, { column: "country", min_value: 0.5 }, bad({ observed_value: 3 / 7 }));
  add("people", "nulls", t, { column: "id", min_value: 0.85, max_value: 0.86 }, ok({ observed_value: 6 / 7 }));
  add("empty", "empty", t, { column: "id", max_value: 0 }, ok({ observed_value: 0 }));
  add("people", "row_condition", t, { column: "country", min_value: 1, row_condition: "seq >= 3" }, bad({ observed_value: 0.6 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_unique_value_count_to_be_between";
  add("people", "pass", t, { column: "country", min_value: 3, max_value: 3 }, ok({ observed_value: 3 }));
  add("people", "fail", t, { column: "id", min_value: 7 }, bad({ observed_value: 6 }));
  add("empty", "empty", t, { column: "id", max_value: 0 }, ok({ observed_value: 0 }));
  add("people", "nulls", t, { column: "email", min_value: 7, max_value: 7 }, ok({ observed_value: 7 }));
  add("people", "row_condition", t, { column: "country", max_value: 1, row_condition: "seq < 3" }, ok({ observed_value: 1 }));
  add("hostile", "hostile", t, { column: "ünï cødé", min_value: 4, max_value: 4 }, ok({ observed_value: 4 }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_distinct_values_to_be_in_set";
  add("people", "pass", t, { column: "country", value_set: ["US", "FR", "DE", "XX"] }, ok({ observed_value: ["DE", "FR", "US"], details: { value_counts: [{ value: "DE", count: 1 }, { value: "FR", count: 2 }, { value: "US", count: 4 }] } }));
  add("people", "fail", t, { column: "country", value_set: ["US", "FR"] }, bad({ observed_value: ["DE", "FR", "US"] }));
  add("people", "nulls", t, { column: "age", value_set: [7, 25, 31, 33, 47, 60, 200] }, ok({ observed_value: [7, 25, 31, 33, 47, 60, 200] }));
  add("empty", "empty", t, { column: "country", value_set: ["US"] }, ok({ observed_value: [] }));
  add("people", "row_condition", t, { column: "country", value_set: ["US"], row_condition: "seq IN (1, 2, 5)" }, ok({ observed_value: ["US"] }));
  add("hostile", "hostile", t, { column: "ünï cødé", value_set: ["ß", "é", "日本", "😀"] }, ok({ observed_value: ["ß", "é", "日本", "😀"] }));
  add("hostile", "hostile", t, { column: 'we"ird', value_set: ['a"b', "c'd"] }, bad({ observed_value: ["\\", 'a"b', "a.b*(c)", "c'd"] }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_distinct_values_to_contain_set";
  add("people", "pass", t, { column: "country", value_set: ["US", "DE"] }, ok({ observed_value: ["DE", "FR", "US"] }));
  add("people", "fail", t, { column: "country", value_set: ["US", "XX", "YY"] }, bad({ details: { missing: ["XX", "YY"] } }));
  add("people", "nulls", t, { column: "age", value_set: [7, 200] }, ok());
  add("empty", "empty", t, { column: "country", value_set: ["US"] }, bad({ observed_value: [], details: { missing: ["US"] } }));
  add("people", "row_condition", t, { column: "country", value_set: ["DE"], row_condition: "country <> 'DE'" }, bad({ details: { missing: ["DE"] } }));
  add("hostile", "hostile", t, { column: 'we"ird', value_set: ["c'd", "\\"] }, ok());
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_distinct_values_to_equal_set";
  add("people", "pass", t, { column: "country", value_set: ["US", "FR", "DE"] }, ok({ observed_value: ["DE", "FR", "US"] }));
  add("people", "fail", t, { column: "country", value_set: ["US", "FR", "DE", "XX"] }, bad({ details: { missing: ["XX"] } }));
  add("people", "fail", t, { column: "country", value_set: ["US", "FR"] }, bad());
  add("people", "nulls", t, { column: "signup", value_set: ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05", "2024-01-07", "2024-01-08"] }, ok());
  add("empty", "empty", t, { column: "country", value_set: [] }, ok({ observed_value: [] }));
  add("people", "row_condition", t, { column: "country", value_set: ["FR"], row_condition: "seq IN (4, 6)" }, ok({ observed_value: ["FR"] }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_most_common_value_to_be_in_set";
  add("people", "pass", t, { column: "country", value_set: ["US", "XX"] }, ok({ observed_value: ["US"] }));
  add("people", "fail", t, { column: "country", value_set: ["FR"] }, bad({ observed_value: ["US"] }));
  add("people", "nulls", t, { column: "id", value_set: [5] }, ok({ observed_value: [5] }));
  add("empty", "empty", t, { column: "country", value_set: ["US"] }, bad({ observed_value: [] }));
  add("people", "row_condition", t, { column: "country", value_set: ["US"], row_condition: "seq IN (1, 3, 4)" }, bad({ observed_value: ["DE", "FR", "US"] }));
  add("people", "row_condition", t, { column: "country", value_set: ["US"], ties_okay: true, row_condition: "seq IN (1, 3, 4)" }, ok({ observed_value: ["DE", "FR", "US"] }));
  add("hostile", "hostile", t, { column: "ünï cødé", value_set: ["ß"] }, ok({ observed_value: ["ß"] }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_be_of_type";
  // The engine's own type names: TEXT and DOUBLE_PRECISION on PostgreSQL, VARCHAR and DOUBLE on DuckDB.
  add("people", "pass", t, { column: "age", type_: "integer" }, ok({ observed_value: "INTEGER" }));
  add("people", "pass", t, { column: "email", type_: "VARCHAR" }, ok());
  add("people", "fail", t, { column: "age", type_: "varchar" }, bad({ observed_value: "INTEGER" }));
  add("people", "nulls", t, { column: "signup", type_: "date" }, ok({ observed_value: "DATE" }));
  add("empty", "empty", t, { column: "seen", type_: "timestamp" }, ok({ observed_value: "TIMESTAMP" }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_be_in_type_list";
  add("people", "pass", t, { column: "score", type_list: ["integer", "double"] }, ok());
  add("people", "fail", t, { column: "score", type_list: ["integer", "bigint"] }, bad());
  add("empty", "empty", t, { column: "id", type_list: ["integer"] }, ok({ observed_value: "INTEGER" }));
}

// ---- query ---------------------------------------------------------------------------------
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_sql_to_return_no_rows";
  add("people", "pass", t, { sql: "SELECT id, age FROM {batch} WHERE age > 1000" }, ok({ observed_value: 0, unexpected_count: 0, partial_unexpected_list: [] }));
  add("people", "fail", t, { sql: "SELECT id, age FROM {batch} WHERE age > 120 OR age < 13" }, bad({ observed_value: 2, partial_unexpected_list: [{ id: 5, age: 7 }, { id: 5, age: 200 }] }));
  add("people", "nulls", t, { sql: "SELECT id, name FROM {batch} WHERE id IS NULL" }, bad({ observed_value: 1, partial_unexpected_list: [{ id: null, name: "Gus" }] }));
  add("empty", "empty", t, { sql: "SELECT * FROM {batch}" }, ok({ observed_value: 0 }));
  add("people", "row_condition", t, { sql: "SELECT id FROM {batch} WHERE age > 120", row_condition: "country <> 'FR'" }, ok({ observed_value: 0 }));
  add("people", "fail", t, { sql: "WITH old AS (SELECT * FROM {batch} WHERE age > 40) SELECT name FROM old" }, bad({ observed_value: 3, partial_unexpected_list: [{ name: "Cy" }, { name: "Fay" }, { name: "Gus" }] }));
  add("hostile", "hostile", t, { sql: `SELECT "we""ird" FROM {batch} WHERE "we""ird" LIKE '%''%' OR "semi;colon" = 'DROP TABLE x;'` }, bad({ observed_value: 2, partial_unexpected_list: [{ 'we"ird': "\\" }, { 'we"ird': "c'd" }] }));
}

/** A case over a query target (`{ sql }`), for vectors of values both engines must judge alike. */
export interface QueryCase {
  name: string;
  sql: string;
  expectation: ExpectationConfig;
  expect: ExpectationCase["expect"];
}

const values = (column: string, list: readonly string[]) =>
  `SELECT * FROM (VALUES ${list.map((v) => `('${v.replaceAll("'", "''")}')`).join(", ")}) AS v(${column})`;

/** Values per strftime format: [value, parses with Python's strptime]. */
const STRFTIME_VECTORS: [string, [string, boolean][]][] = [
  [
    "%Y-%m-%d",
    [
      ["2024-01-05", true],
      ["2024-1-5", true],
      ["2024-02-29", true],
      ["2023-02-29", false],
      ["1900-02-29", false],
      ["2000-02-29", true],
      ["2024-04-31", false],
      ["2024-13-01", false],
      ["2024-00-10", false],
      ["2024-01-00", false],
      [" 2024-01-05", false],
      ["2024-01-05 ", false],
      ["2024-01- 5", true],
      ["24-01-05", false],
      ["2024-01-05T", false],
    ],
  ],
  [
    "%d/%m/%Y %H:%M",
    [
      ["05/01/2024 23:59", true],
      ["5/1/2024 0:0", true],
      ["31/04/2024 10:00", false],
      ["29/02/2023 10:00", false],
      ["01/01/2024 24:00", false],
      ["01/01/2024  10:00", true],
      ["01/01/2024\t10:00", true],
    ],
  ],
  [
    "%b %d, %Y",
    [
      ["Feb 29, 2024", true],
      ["feb 29, 2023", false],
      ["FEB 28, 2023", true],
      ["Sept 01, 2024", false],
      ["September 01, 2024", false],
    ],
  ],
  [
    "%B %Y",
    [
      ["march 2024", true],
      ["Mar 2024", false],
      ["DECEMBER 1999", true],
    ],
  ],
  [
    "%d.%m",
    [
      ["29.02", false],
      ["28.02", true],
      ["31.12", true],
      ["31.11", false],
    ],
  ],
  [
    "%y%m%d",
    [
      ["000229", true],
      ["010229", false],
      ["991231", true],
    ],
  ],
  [
    "%I:%M %p",
    [
      ["12:30 PM", true],
      ["13:30 PM", false],
      ["01:05 am", true],
      ["1:05 a.m.", false],
    ],
  ],
  [
    "%Y-%m-%dT%H:%M:%S.%f%z",
    [
      ["2024-01-01T10:00:00.123+0100", true],
      ["2024-01-01T10:00:00.1234567+0100", false],
      ["2024-01-01T10:00:00.5Z", true],
      ["2024-01-01t10:00:00.5+01:00", true],
      ["2024-01-01T10:00:00.5", false],
    ],
  ],
  [
    "100%% at %H",
    [
      ["100% at 23", true],
      ["100 at 23", false],
      ["100% AT 7", true],
    ],
  ],
];

/** Strict JSON (RFC 8259), as PostgreSQL's parser judges it: [text, valid]. */
const JSON_VECTORS: [string, boolean][] = [
  ["1", true],
  ["-0", true],
  ["1.5e10", true],
  ["[1E+2, -1.5e-3]", true],
  ['"a"', true],
  ['"\\u00e9"', true],
  ["null", true],
  ["[true,false,null]", true],
  ["[]", true],
  ["{}", true],
  [' {"a": [1, {"b": null}]} ', true],
  ['"with \\"escaped\\" quotes"', true],
  ['"日本"', true],
  ['{"a":"NaN"}', true],
  ['{"a\\"b": 1}', true],
  ["", false],
  [" ", false],
  ["{", false],
  ["[1,]", false],
  ['{"a":1,}', false],
  ["[1 , ]", false],
  ["NaN", false],
  ["Infinity", false],
  ["-Infinity", false],
  ["{'a':1}", false],
  ["01", false],
  ["1.", false],
  [".5", false],
  ["tru", false],
  ['{"a" 1}', false],
  ["[1 2]", false],
  ['"unterminated', false],
  ["// c\n1", false],
  ["nulll", false],
  ['{"a":1}x', false],
  ["[truex]", false],
  ["[e5]", false],
  ["[1,e]", false],
];

/**
 * Regex search as both engines run it (RE2 in DuckDB, POSIX ARE in PostgreSQL): the common
 * subset, anchors meaning the text's ends, `.` matching a newline. [regex, values, matching].
 */
const REGEX_VECTORS: [string, string[], string[]][] = [
  ["b|^a", ["xa", "ab", "a", "cb"], ["a", "ab", "cb"]],
  ["^$", ["", "x"], [""]],
  ["a$", ["ba", "a\nx", "ab"], ["ba"]],
  ["^b", ["a\nb", "b"], ["b"]],
  ["(?i)abc", ["xABCx", "ab c"], ["xABCx"]],
  ["a.c", ["abc", "a\nc", "ac"], ["a\nc", "abc"]],
  ["\\d{2,}", ["abc123", "a1b2", "99"], ["99", "abc123"]],
  ["[[:alpha:]]", ["123", "1a"], ["1a"]],
  ["^a\\.b\\*\\(c\\)$", ["a.b*(c)", "axb*(c)", "a.b*(c)d"], ["a.b*(c)"]],
  ["'|\"", ["it's", 'say "hi"', "plain"], ["it's", 'say "hi"']],
  ["日本|é", ["日本語", "café", "cafe"], ["café", "日本語"]],
];

const QUERY_CASES_LIST: QueryCase[] = [];
for (const [regex, list, matching] of REGEX_VECTORS) {
  const other = list.filter((v) => !matching.includes(v));
  QUERY_CASES_LIST.push({
    name: `regex ${JSON.stringify(regex)}`,
    sql: values("v", list),
    expectation: { type: "expect_column_values_to_not_match_regex", kwargs: { column: "v", regex } },
    expect: {
      success: matching.length === 0,
      result: {
        unexpected_count: matching.length,
        partial_unexpected_list: list.filter((v) => matching.includes(v)),
      },
    },
  });
  QUERY_CASES_LIST.push({
    name: `regex ${JSON.stringify(regex)} (match)`,
    sql: values("v", list),
    expectation: { type: "expect_column_values_to_match_regex", kwargs: { column: "v", regex } },
    expect: {
      success: other.length === 0,
      result: { unexpected_count: other.length, partial_unexpected_list: other },
    },
  });
}
for (const [format, vectors] of STRFTIME_VECTORS) {
  const bad = vectors.filter(([, valid]) => !valid).map(([v]) => v);
  QUERY_CASES_LIST.push({
    name: `strftime ${JSON.stringify(format)}`,
    sql: values(
      "v",
      vectors.map(([v]) => v),
    ),
    expectation: {
      type: "expect_column_values_to_match_strftime_format",
      kwargs: { column: "v", strftime_format: format },
    },
    expect: {
      success: bad.length === 0,
      result: { unexpected_count: bad.length, partial_unexpected_list: bad },
    },
  });
}
{
  const bad = JSON_VECTORS.filter(([, valid]) => !valid).map(([v]) => v);
  QUERY_CASES_LIST.push({
    name: "strict JSON vectors",
    sql: values(
      "doc",
      JSON_VECTORS.map(([v]) => v),
    ),
    expectation: { type: "expect_column_values_to_be_json_parseable", kwargs: { column: "doc" } },
    expect: {
      success: false,
      result: { unexpected_count: bad.length, partial_unexpected_list: bad.slice(0, 20) },
    },
  });
}
// Values of types whose text forms differ between engines come back in weir's one representation.
const TYPED =
  "SELECT * FROM (VALUES " +
  "(CAST('12.50' AS DECIMAL(10,2)), CAST(9007199254740993 AS BIGINT), CAST('2024-01-01 10:00:00+02' AS TIMESTAMPTZ), TRUE, CAST(1.5 AS FLOAT8), CAST('2024-03-01' AS DATE)), " +
  "(CAST('-0.25' AS DECIMAL(10,2)), CAST(-3 AS BIGINT), CAST('2024-06-30 23:59:59.5+00' AS TIMESTAMPTZ), FALSE, CAST('Infinity' AS FLOAT8), CAST('1999-12-31' AS DATE))" +
  ") AS v(d, b, tz, f, x, day)";
const listAll = (column: string, list: unknown[]): QueryCase => ({
  name: `typed values of ${column}`,
  sql: TYPED,
  expectation: { type: "expect_column_values_to_be_null", kwargs: { column } },
  expect: { success: false, result: { unexpected_count: 2, partial_unexpected_list: list } },
});
QUERY_CASES_LIST.push(
  listAll("d", [12.5, -0.25]),
  listAll("b", ["9007199254740993", -3]),
  listAll("tz", ["2024-01-01T08:00:00Z", "2024-06-30T23:59:59.5Z"]),
  listAll("f", [true, false]),
  listAll("x", [1.5, Number.POSITIVE_INFINITY]),
  listAll("day", ["2024-03-01", "1999-12-31"]),
  {
    name: "max of a timestamptz",
    sql: TYPED,
    expectation: {
      type: "expect_column_max_to_be_between",
      kwargs: { column: "tz", min_value: "2024-06-01 00:00:00+00" },
    },
    expect: { success: true, result: { observed_value: "2024-06-30T23:59:59.5Z" } },
  },
  {
    name: "sum and mean of a bigint beyond 2^53",
    sql: TYPED,
    expectation: { type: "expect_column_sum_to_be_between", kwargs: { column: "b", min_value: 0 } },
    expect: { success: true, result: { observed_value: 9007199254740990 } },
  },
  {
    name: "increasing over a query, in order_by order",
    sql: TYPED,
    expectation: { type: "expect_column_values_to_be_increasing", kwargs: { column: "b", order_by: "day" } },
    expect: { success: true, result: { unexpected_count: 0 } },
  },
  {
    name: "decreasing over a query, in order_by order",
    sql: TYPED,
    expectation: { type: "expect_column_values_to_be_decreasing", kwargs: { column: "b", order_by: "day" } },
    expect: {
      success: false,
      result: { unexpected_count: 1, partial_unexpected_list: ["9007199254740993"] },
    },
  },
);

// Integers too large to square in a BIGINT take the wide path of the exact sums.
const HUGE =
  "SELECT * FROM (VALUES (CAST(3037000500 AS BIGINT)), (CAST(-3037000500 AS BIGINT)), (CAST(1 AS BIGINT))) AS v(b)";
QUERY_CASES_LIST.push(
  {
    name: "stdev of integers whose squares overflow a BIGINT",
    sql: HUGE,
    expectation: { type: "expect_column_stdev_to_be_between", kwargs: { column: "b", min_value: 3e9 } },
    expect: { success: true, result: { observed_value: 3037000500 } },
  },
  {
    name: "mean of integers whose squares overflow a BIGINT",
    sql: HUGE,
    expectation: { type: "expect_column_mean_to_be_between", kwargs: { column: "b", max_value: 1 } },
    expect: { success: true, result: { observed_value: 1 / 3 } },
  },
);

// Medians and quantiles of integer columns: a narrow range is answered from value counts,
// a wide one by the engine's quantile aggregates; both must give the same answers.
const NARROW = "SELECT * FROM (VALUES (7), (1), (100), (2), (8), (NULL)) AS v(n)";
const WIDE = "SELECT * FROM (VALUES (CAST(7 AS BIGINT)), (1), (10000000000), (2), (8), (NULL)) AS v(n)";
for (const [label, sql, top] of [
  ["a narrow integer range (value counts)", NARROW, 100],
  ["a wide integer range (engine aggregates)", WIDE, 10000000000],
] as const) {
  QUERY_CASES_LIST.push(
    {
      name: `median of ${label}, even count interpolated`,
      sql: `${sql} WHERE n <> 8 OR n IS NULL`,
      expectation: { type: "expect_column_median_to_be_between", kwargs: { column: "n", min_value: 4.5 } },
      expect: { success: true, result: { observed_value: 4.5 } },
    },
    {
      name: `median of ${label}, odd count`,
      sql,
      expectation: { type: "expect_column_median_to_be_between", kwargs: { column: "n", max_value: 7 } },
      expect: { success: true, result: { observed_value: 7 } },
    },
    {
      name: `quantiles of ${label}`,
      sql,
      expectation: {
        type: "expect_column_quantile_values_to_be_between",
        kwargs: {
          column: "n",
          quantile_ranges: {
            quantiles: [0, 0.2, 0.5, 0.99, 1],
            value_ranges: [
              [1, 1],
              [1, 1],
              [7, 7],
              [null, null],
              [top, top],
            ],
          },
        },
      },
      expect: {
        success: true,
        result: { observed_value: { quantiles: [0, 0.2, 0.5, 0.99, 1], values: [1, 1, 7, top, top] } },
      },
    },
    {
      name: `median of ${label} where row_condition keeps no row`,
      sql,
      expectation: {
        type: "expect_column_median_to_be_between",
        kwargs: { column: "n", min_value: 0, row_condition: "n > 1e12" },
      },
      expect: { success: false, result: { observed_value: null } },
    },
  );
}

/** Cases over query targets, run on every engine. */
export const QUERY_CASES: readonly QueryCase[] = QUERY_CASES_LIST;

/** Code-point order, as both engines sort text for samples. */
function sortBinary(list: readonly string[]): string[] {
  return [...list].sort((a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8")));
}

export const EXPECTATION_CASES: readonly ExpectationCase[] = CASES_LIST;

/**
 * A 30-expectation suite on the people table: one failing case of each type the main scan
 * answers (GROUP BY kinds, SQL checks and schema-only checks left out; a distinct count
 * alone needs no GROUP BY pass, so it is in).
 */
export const ONE_SCAN_SUITE: readonly ExpectationConfig[] = [
  ...new Map(
    EXPECTATION_CASES.filter(
      (c) =>
        c.table === "people" &&
        c.variant === "fail" &&
        !/values_to_be_unique|compound_columns|distinct_values|most_common|sql_to_return|column_count|columns_to_match|to_exist|_type/.test(
          c.expectation.type,
        ),
    ).map((c) => [c.expectation.type, c.expectation] as const),
  ).values(),
].slice(0, 30);

/**
 * Runs one case alone and checks it against its expected result; for row-level kinds also
 * checks that `failingRowPredicate` flags exactly `unexpected_count` rows. Returns the result.
 */
export async function checkCase(
  engine: Engine,
  tables: Record<CaseTable, TableRef>,
  c: ExpectationCase,
): Promise<ExpectationResult> {
  const { expect } = await import("vitest");
  const { failingRowPredicate, validateDataset } = await import("../../src/quality/validate-dataset.js");
  const validation = await validateDataset(engine, tables[c.table], [c.expectation]);
  const result = validation.results[0]!;
  expect(result.exception_info, JSON.stringify(result.exception_info)).toBeUndefined();
  expect(result.success, JSON.stringify(result.result)).toBe(c.expect.success);
  if (c.expect.result) expect(result.result).toMatchObject(c.expect.result);
  const fields = (await engine.describe(tables[c.table]))!.fields;
  const predicate = failingRowPredicate(engine, c.expectation, { fields });
  if (predicate !== undefined) {
    const [row] = await engine.query(
      `SELECT count(*) FILTER (WHERE weir_fails) AS n FROM (SELECT ${predicate} AS weir_fails FROM ${engine.dialect.quoteTable(tables[c.table])}) AS weir_rows`,
    );
    expect(Number(row?.n), "rows failing the row-level predicate").toBe(result.result.unexpected_count);
  }
  return result;
}

/** Runs a query case and checks its expected result. */
export async function checkQueryCase(engine: Engine, c: QueryCase): Promise<ExpectationResult> {
  const { expect } = await import("vitest");
  const { validateDataset } = await import("../../src/quality/validate-dataset.js");
  const result = (await validateDataset(engine, { sql: c.sql }, [c.expectation])).results[0]!;
  expect(result.exception_info, JSON.stringify(result.exception_info)).toBeUndefined();
  expect(result.success, JSON.stringify(result.result)).toBe(c.expect.success);
  if (c.expect.result) expect(result.result).toMatchObject(c.expect.result);
  return result;
}

// ---- issue 11: the GX expectations added later (appended here so the lists above keep their order) ----
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_match_like_pattern_list";
  add("people", "pass", t, { column: "email", like_pattern_list: ["%@x.com", "%@y.org", "bad%"] }, ok(map(8, 1, 0, [])));
  add("people", "fail", t, { column: "email", like_pattern_list: ["%@x.com", "%@y.org"] }, bad(map(8, 1, 1, ["bad-email"])));
  add("people", "fail", t, { column: "email", like_pattern_list: ["%@%", "%.com"], match_on: "all" }, bad(map(8, 1, 2)));
  add("people", "nulls", t, { column: "email", like_pattern_list: ["%@%"], match_on: "any" }, bad({ missing_count: 1, unexpected_count: 1 }));
  add("people", "mostly", t, { column: "email", like_pattern_list: ["%@x.com", "%@y.org"], mostly: 0.8 }, ok({ unexpected_count: 1 }));
  add("people", "row_condition", t, { column: "email", like_pattern_list: ["%@x.com"], row_condition: "country = 'FR'" }, bad(map(2, 0, 1, ["cy@y.org"])));
  add("empty", "empty", t, { column: "email", like_pattern_list: ["%"] }, ok(emptyMap));
  add("hostile", "hostile", t, { column: 'we"ird', like_pattern_list: ["%'%", "a%"] }, bad(map(5, 1, 1, ["\\"])));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_values_to_not_match_like_pattern_list";
  add("people", "pass", t, { column: "email", like_pattern_list: ["%@z.com", "x%"] }, ok(map(8, 1, 0, [])));
  add("people", "fail", t, { column: "email", like_pattern_list: ["%@y.org", "bad%"] }, bad(map(8, 1, 2)));
  add("people", "nulls", t, { column: "email", like_pattern_list: ["%"] }, bad({ missing_count: 1, unexpected_count: 7 }));
  add("people", "mostly", t, { column: "email", like_pattern_list: ["%@y.org", "bad%"], mostly: 0.7 }, ok({ unexpected_count: 2 }));
  add("people", "row_condition", t, { column: "email", like_pattern_list: ["bad%"], row_condition: "country = 'DE'" }, bad(map(1, 0, 1, ["bad-email"])));
  add("empty", "empty", t, { column: "email", like_pattern_list: ["%"] }, ok(emptyMap));
  add("hostile", "hostile", t, { column: 'we"ird', like_pattern_list: ["\\\\", "%\\%%"] }, bad(map(5, 1, 1, ["\\"])));
}
// biome-ignore format: a table of cases, one per line
{
  // age without its NULL: 25 31 47 7 200 60 33 — mean 57.57, sample sd 64.98, z(200) = 2.19.
  const t = "expect_column_value_z_scores_to_be_less_than";
  add("people", "pass", t, { column: "age", threshold: 3, double_sided: true }, ok(map(8, 1, 0, [])));
  add("people", "fail", t, { column: "age", threshold: 2, double_sided: true }, bad(map(8, 1, 1, [200])));
  add("people", "fail", t, { column: "age", threshold: -0.5, double_sided: false }, bad(map(8, 1, 5)));
  add("people", "nulls", t, { column: "score", threshold: 1.5, double_sided: true }, bad(map(8, 1, 1, [-1])));
  add("people", "mostly", t, { column: "age", threshold: 2, double_sided: true, mostly: 0.8 }, ok({ unexpected_count: 1 }));
  add("people", "row_condition", t, { column: "age", threshold: 1.2, double_sided: true, row_condition: "country = 'US'" }, bad(map(4, 0, 1, [7])));
  // One value has no standard deviation, so no z-score: unexpected, as pandas' NaN.
  add("people", "row_condition", t, { column: "age", threshold: 3, double_sided: true, row_condition: "seq = 1" }, bad(map(1, 0, 1, [25])));
  add("empty", "empty", t, { column: "age", threshold: 3, double_sided: true }, ok(emptyMap));
}
// biome-ignore format: a table of cases, one per line
{
  // (lo, hi): (1,5) (2,2) (3,1) (NULL,NULL) (4,NULL) (NULL,6) (7,3) (8,8)
  const t = "expect_column_pair_values_to_be_in_set";
  const all = [[1, 5], [2, 2], [3, 1], [4, null], [null, 6], [7, 3], [8, 8]];
  add("people", "pass", t, { column_A: "lo", column_B: "hi", value_pairs_set: all }, ok(map(8, 1, 0, [])));
  add("people", "fail", t, { column_A: "lo", column_B: "hi", value_pairs_set: all.slice(0, 6) }, bad(map(8, 1, 1, [[8, 8]])));
  add("people", "nulls", t, { column_A: "lo", column_B: "hi", value_pairs_set: [[1, 5], [2, 2], [3, 1], [7, 3], [8, 8]], ignore_row_if: "either_value_is_missing" }, ok(map(8, 3, 0, [])));
  add("people", "nulls", t, { column_A: "lo", column_B: "hi", value_pairs_set: [[1, 5], [2, 2], [3, 1], [7, 3], [8, 8]], ignore_row_if: "neither" }, bad(map(8, 0, 3)));
  add("people", "mostly", t, { column_A: "lo", column_B: "hi", value_pairs_set: all.slice(0, 6), mostly: 0.8 }, ok({ unexpected_count: 1 }));
  add("people", "row_condition", t, { column_A: "lo", column_B: "hi", value_pairs_set: [[1, 5]], row_condition: "seq <= 2" }, bad(map(2, 0, 1, [[2, 2]])));
  add("empty", "empty", t, { column_A: "lo", column_B: "hi", value_pairs_set: [] }, ok(emptyMap));
  add("hostile", "hostile", t, { column_A: 'we"ird', column_B: "it's", value_pairs_set: [['a"b', 1], ["c'd", 2], ["a.b*(c)", 3], ["\\", null], [null, 5]] }, ok(map(5, 0, 0, [])));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_select_column_values_to_be_unique_within_record";
  add("people", "pass", t, { column_list: ["age", "seq"] }, ok(map(8, 0, 0, [])));
  add("people", "fail", t, { column_list: ["lo", "hi"] }, bad(map(8, 1, 2)));
  add("people", "nulls", t, { column_list: ["lo", "hi"], ignore_row_if: "never" }, bad(map(8, 0, 3)));
  add("people", "nulls", t, { column_list: ["lo", "hi"], ignore_row_if: "any_value_is_missing" }, bad(map(8, 3, 2)));
  add("people", "mostly", t, { column_list: ["lo", "hi"], mostly: 0.7 }, ok({ unexpected_count: 2 }));
  add("people", "row_condition", t, { column_list: ["lo", "hi", "seq"], row_condition: "seq <= 2" }, bad(map(2, 0, 2)));
  add("people", "row_condition", t, { column_list: ["lo", "hi"], row_condition: "seq >= 2 AND seq <= 3" }, bad(map(2, 1, 1, [{ lo: 2, hi: 2 }])));
  add("empty", "empty", t, { column_list: ["lo", "hi"] }, ok(emptyMap));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_table_row_count_to_equal_other_table";
  add("people", "pass", t, { other_table_name: "people" }, ok({ observed_value: { self: 8, other: 8 } }));
  add("people", "fail", t, { other_table_name: "hostile" }, bad({ observed_value: { self: 8, other: 5 } }));
  add("empty", "empty", t, { other_table_name: "people_empty" }, ok({ observed_value: { self: 0, other: 0 } }));
  add("empty", "empty", t, { other_table_name: '"people"' }, bad({ observed_value: { self: 0, other: 8 } }));
  // As GX: the other table is counted with the same row_condition.
  add("people", "row_condition", t, { other_table_name: "people", row_condition: "country = 'US'" }, ok({ observed_value: { self: 4, other: 4 } }));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "expect_column_kl_divergence_to_be_less_than";
  const countries = { values: ["US", "FR", "DE"], weights: [4 / 7, 2 / 7, 1 / 7] };
  add("people", "pass", t, { column: "country", partition_object: countries, threshold: 0.1 }, ok({ observed_value: 0, details: { observed_partition: { values: ["US", "FR", "DE"], weights: [4 / 7, 2 / 7, 1 / 7] } } }));
  add("people", "fail", t, { column: "country", partition_object: { values: ["US", "FR", "DE"], weights: [1 / 3, 1 / 3, 1 / 3] }, threshold: 0.01 }, bad());
  // A value the partition gives no weight: the divergence is infinite, reported as null.
  add("people", "fail", t, { column: "country", partition_object: { values: ["US", "FR"], weights: [0.5, 0.5] }, threshold: 10 }, bad({ observed_value: null }));
  add("people", "pass", t, { column: "country", partition_object: { values: ["US", "FR"], weights: [0.5, 0.5] }, threshold: null }, ok({ observed_value: null }));
  add("people", "nulls", t, { column: "score", partition_object: { bins: [-1, 1, 3, 5], weights: [2 / 7, 3 / 7, 2 / 7] }, threshold: 0.01 }, ok({ observed_value: 0, details: { observed_partition: { bins: [-1, 1, 3, 5], weights: [2 / 7, 3 / 7, 2 / 7], tail_weights: [0, 0] } } }));
  add("empty", "empty", t, { column: "country", partition_object: countries, threshold: 0.5 }, bad({ observed_value: null }));
  add("empty", "empty", t, { column: "score", partition_object: { bins: [-1, 1, 3, 5], weights: [2 / 7, 3 / 7, 2 / 7] }, threshold: 0.5 }, bad({ observed_value: null }));
  add("people", "row_condition", t, { column: "country", partition_object: { values: ["US", "FR", "DE"], weights: [1 / 3, 1 / 3, 1 / 3] }, threshold: 0, row_condition: "seq IN (1, 3, 4)" }, ok({ observed_value: 0 }));
  add("hostile", "hostile", t, { column: "ünï cødé", partition_object: { values: ["ß", "日本", "é", "😀"], weights: [0.4, 0.2, 0.2, 0.2] }, threshold: 0 }, ok({ observed_value: 0 }));
}
// biome-ignore format: a table of cases, one per line
{
  // ds: 2024-01-15, 2024-02-29, 2023-02-29 (no such day), 2024-1-5, x, NULL, 2024-12-31, 2024-04-31 (no such day)
  const t = "expect_column_values_to_be_dateutil_parseable";
  add("people", "pass", t, { column: "ds", row_condition: "seq IN (1, 2, 3, 7)" }, ok(map(4, 0, 0, [])));
  add("people", "fail", t, { column: "ds" }, bad(map(8, 1, 3)));
  add("people", "nulls", t, { column: "ds", row_condition: "seq IN (1, 6)" }, ok(map(2, 1, 0, [])));
  add("people", "mostly", t, { column: "ds", mostly: 0.5 }, ok({ unexpected_count: 3 }));
  add("people", "row_condition", t, { column: "ds", row_condition: "seq = 4" }, bad(map(1, 0, 1, ["2023-02-29"])));
  add("empty", "empty", t, { column: "ds" }, ok(emptyMap));
  add("hostile", "hostile", t, { column: 'we"ird' }, bad(map(5, 1, 4)));
}
// biome-ignore format: a table of cases, one per line
{
  // js: {"a":1}, [1, 2], NaN, {"a":1,} (not JSON: seq 3 is left out, GX raises on it), NULL, "s", 1, []
  const t = "expect_column_values_to_match_json_schema";
  add("people", "pass", t, { column: "js", json_schema: {}, row_condition: "seq <> 3" }, ok(map(7, 1, 0, [])));
  add("people", "fail", t, { column: "js", json_schema: { type: "object" }, row_condition: "seq <> 3" }, bad(map(7, 1, 5)));
  add("people", "nulls", t, { column: "js", json_schema: { type: "number" }, row_condition: "seq IN (4, 5, 7)" }, ok(map(3, 1, 0, [])));
  add("people", "mostly", t, { column: "js", json_schema: { type: ["object", "array"] }, mostly: 0.5, row_condition: "seq <> 3" }, ok({ unexpected_count: 3 }));
  add("people", "row_condition", t, { column: "js", json_schema: { type: "object" }, row_condition: "seq IN (1, 2)" }, bad(map(2, 0, 1, ["[1, 2]"])));
  add("empty", "empty", t, { column: "js", json_schema: { type: "object" } }, ok(emptyMap));
}
// biome-ignore format: a table of cases, one per line
{
  const t = "unexpected_rows_expectation";
  add("people", "pass", t, { unexpected_rows_query: "SELECT id, age FROM {batch} WHERE age > 1000" }, ok({ observed_value: "0 unexpected rows", details: { unexpected_rows: [] } }));
  add("people", "fail", t, { unexpected_rows_query: "SELECT id, age FROM {batch} WHERE age > 120 OR age < 13" }, bad({ observed_value: "2 unexpected rows", details: { unexpected_rows: [{ id: 5, age: 7 }, { id: 5, age: 200 }] } }));
  add("people", "nulls", t, { unexpected_rows_query: "SELECT id, name FROM {batch} WHERE id IS NULL" }, bad({ observed_value: "1 unexpected row", details: { unexpected_rows: [{ id: null, name: "Gus" }] } }));
  add("empty", "empty", t, { unexpected_rows_query: "SELECT * FROM {batch}" }, ok({ observed_value: "0 unexpected rows" }));
  add("people", "row_condition", t, { unexpected_rows_query: "SELECT id FROM {batch} WHERE age > 120", row_condition: "country <> 'FR'" }, ok({ observed_value: "0 unexpected rows" }));
}
