import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Schema, TableRef, WeirType } from "../../src/core/types.js";
import type { ExpectationConfig, ExpectationResult } from "../../src/quality/expectations/expectation.js";
import { expectationTypes } from "../../src/quality/expectations/registry.js";
import type { ResultFormatInput } from "../../src/quality/result-format.js";
import { validateDataset } from "../../src/quality/validate-dataset.js";
import {
  closeQualityEngine,
  loadTable,
  openQualityEngine,
  QUALITY_ENGINES,
  type QualityEngine,
} from "../support/quality-engines.js";

// Issue 11, item 1: no name weir writes into its SQL (lambda parameters, struct fields,
// subquery and CTE aliases, the columns it adds: flags, windows, the row position, group
// keys) may be captured by a column of the data. Every expectation runs on a table whose
// columns are named like those names — and DuckDB's `rowid` — and must answer exactly as on
// the same rows under innocent names.

/** Column names weir's generated SQL uses or used, plus pseudo-columns. */
const HOSTILE: [string, WeirType][] = [
  ["x", "bigint"], // the lambda parameter of the old sample aggregate
  ["v0", "bigint"], // its struct field
  ["a1", "double"], // main-scan aliases
  ["rows", "bigint"],
  ["weir_f0", "varchar"], // flags
  ["weir_w0_0", "varchar"], // window columns
  ["weir_row", "bigint"], // the row position
  ["rowid", "bigint"], // DuckDB's pseudo-column
  ["weir_t", "date"], // subquery aliases
  ["weir_flagged", "timestamp"],
  ["weir_windowed", "bigint"],
  ["weir_probe", "bigint"],
  ["weir_numbered", "bigint"],
  ["weir_k0", "varchar"], // GROUP BY pass columns
  ["weir_n", "bigint"],
  ["weir_max", "bigint"],
  ["weir_g", "bigint"],
  ["weir_v", "bigint"], // distribution pass
  ["weir_batch", "varchar"], // the SQL check's CTE, its window and subquery
  ["weir_total", "bigint"],
  ["weir_rows", "bigint"],
  ["weir_condition", "bigint"],
  ["t0", "bigint"], // type-name aliases
];
const HOSTILE_NAMES = HOSTILE.map(([n]) => n);
/** Innocent names sorting in the same order as the hostile ones, so sorted lists still match. */
const sortedHostile = [...HOSTILE_NAMES].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
const CLEAN_NAMES = HOSTILE_NAMES.map((n) => `c${String(sortedHostile.indexOf(n)).padStart(2, "0")}`);

// biome-ignore format: one row per line reads as a table
const ROWS: unknown[][] = [
  [1, 1, 0.5, 1, "ab", '{"a":1}', 10, 6, "2024-01-01", "2024-01-01 10:00:00", 1, 1, 1, "k1", 1, 1, 1, 1, "2024-01-01", 1, 1, 1, 1],
  [2, 3, 1.5, 2, "cd", "[1]", 20, 5, "2024-01-02", "2024-01-02 10:00:00", 2, 2, 2, "k2", 2, 2, 2, 2, "Jan 2 2024", 2, 2, 2, 2],
  [3, 2, 2.5, 3, "ab", "nope", 30, 4, "2024-01-03", "2024-01-01 09:00:00", 3, 3, 3, "k1", 3, 3, 3, 3, "nope", 3, 3, 3, 3],
  [null, 4, null, 4, null, null, 40, 3, null, null, 4, 4, 4, null, 4, 4, 4, 4, null, 4, 4, 4, 4],
  [5, null, 4.5, 5, "ef", '{"a":2}', 50, 2, "2024-01-05", "2024-01-05 10:00:00", 5, 5, 5, "k3", 5, 5, 5, 5, "2024-13-01", 5, 5, 5, 5],
  [5, 6, 5.5, 6, "gh", "2", 60, 1, "2024-01-06", "2024-01-06 10:00:00", 6, 6, 6, "k3", 6, 6, 6, 6, "2024-01-06", 6, 6, 6, 6],
];

/** One configuration of every expectation type, over the columns `n` names. */
function everyExpectation(n: (hostile: string) => string, table: TableRef): ExpectationConfig[] {
  const q = (hostile: string) => `"${n(hostile)}"`;
  const rc = `${q("rows")} > 1`;
  const e = (type: string, kwargs: Record<string, unknown>): ExpectationConfig => ({ type, kwargs });
  const col = (hostile: string) => ({ column: n(hostile) });
  const qualified = `${table.schema}.${table.name}`;
  return [
    e("expect_column_distinct_values_to_be_in_set", { ...col("weir_f0"), value_set: ["ab", "cd"] }),
    e("expect_column_distinct_values_to_contain_set", { ...col("weir_f0"), value_set: ["ab", "zz"] }),
    e("expect_column_distinct_values_to_equal_set", { ...col("weir_k0"), value_set: ["k1", "k2"] }),
    e("expect_column_kl_divergence_to_be_less_than", {
      ...col("weir_k0"),
      partition_object: { values: ["k1", "k2", "k3"], weights: [0.5, 0.25, 0.25] },
      threshold: 0.1,
    }),
    e("expect_column_max_to_be_between", { ...col("x"), max_value: 4 }),
    e("expect_column_mean_to_be_between", { ...col("a1"), min_value: 3 }),
    e("expect_column_median_to_be_between", { ...col("x"), max_value: 2 }),
    e("expect_column_min_to_be_between", { ...col("weir_t"), min_value: "2024-01-02" }),
    e("expect_column_most_common_value_to_be_in_set", { ...col("weir_f0"), value_set: ["cd"] }),
    e("expect_column_pair_values_a_to_be_greater_than_b", { column_A: n("x"), column_B: n("v0") }),
    e("expect_column_pair_values_to_be_equal", { column_A: n("x"), column_B: n("v0"), row_condition: rc }),
    e("expect_column_pair_values_to_be_in_set", {
      column_A: n("x"),
      column_B: n("v0"),
      value_pairs_set: [
        [1, 1],
        [3, 2],
      ],
    }),
    e("expect_column_proportion_of_unique_values_to_be_between", { ...col("x"), min_value: 0.9 }),
    e("expect_column_quantile_values_to_be_between", {
      ...col("x"),
      quantile_ranges: { quantiles: [0.5], value_ranges: [[1, 2]] },
    }),
    e("expect_column_stdev_to_be_between", { ...col("x"), max_value: 1 }),
    e("expect_column_sum_to_be_between", { ...col("a1"), max_value: 10 }),
    e("expect_column_to_exist", { ...col("weir_row"), column_index: 0 }),
    e("expect_column_unique_value_count_to_be_between", { ...col("x"), min_value: 5 }),
    e("expect_column_value_lengths_to_be_between", { ...col("weir_w0_0"), max_value: 3 }),
    e("expect_column_value_lengths_to_equal", { ...col("weir_f0"), value: 2, row_condition: rc }),
    e("expect_column_value_z_scores_to_be_less_than", { ...col("a1"), threshold: 1 }),
    e("expect_column_values_to_be_between", { ...col("x"), min_value: 2, max_value: 4 }),
    e("expect_column_values_to_be_dateutil_parseable", col("weir_batch")),
    e("expect_column_values_to_be_decreasing", col("rowid")),
    e("expect_column_values_to_be_in_set", { ...col("weir_f0"), value_set: ["ab"] }),
    e("expect_column_values_to_be_in_type_list", { ...col("x"), type_list: ["INTEGER"] }),
    e("expect_column_values_to_be_increasing", col("v0")),
    e("expect_column_values_to_be_json_parseable", col("weir_w0_0")),
    e("expect_column_values_to_be_null", col("weir_k0")),
    e("expect_column_values_to_be_of_type", { ...col("a1"), type_: "BIGINT" }),
    e("expect_column_values_to_be_unique", col("x")),
    e("expect_column_values_to_match_json_schema", {
      ...col("weir_w0_0"),
      json_schema: { type: "object" },
      row_condition: `${q("weir_w0_0")} <> 'nope'`, // not JSON at all: GX raises
    }),
    e("expect_column_values_to_match_like_pattern", { ...col("weir_f0"), like_pattern: "a%" }),
    e("expect_column_values_to_match_like_pattern_list", {
      ...col("weir_f0"),
      like_pattern_list: ["a%", "c%"],
    }),
    e("expect_column_values_to_match_regex", { ...col("weir_f0"), regex: "^[ac]" }),
    e("expect_column_values_to_match_regex_list", { ...col("weir_f0"), regex_list: ["b$", "d$"] }),
    e("expect_column_values_to_match_strftime_format", { ...col("weir_batch"), strftime_format: "%Y-%m-%d" }),
    e("expect_column_values_to_not_be_in_set", { ...col("x"), value_set: [5] }),
    e("expect_column_values_to_not_be_null", col("x")),
    e("expect_column_values_to_not_match_like_pattern", { ...col("weir_f0"), like_pattern: "%b" }),
    e("expect_column_values_to_not_match_like_pattern_list", {
      ...col("weir_f0"),
      like_pattern_list: ["%b"],
    }),
    e("expect_column_values_to_not_match_regex", { ...col("weir_f0"), regex: "h" }),
    e("expect_column_values_to_not_match_regex_list", { ...col("weir_f0"), regex_list: ["h", "^e"] }),
    e("expect_compound_columns_to_be_unique", { column_list: [n("x"), n("weir_k0")] }),
    e("expect_multicolumn_sum_to_equal", { column_list: [n("x"), n("v0")], sum_total: 2 }),
    e("expect_select_column_values_to_be_unique_within_record", { column_list: [n("x"), n("v0")] }),
    e("expect_sql_to_return_no_rows", {
      sql: `SELECT ${q("x")}, ${q("weir_total")} FROM {batch} WHERE ${q("x")} > 2`,
    }),
    e("expect_table_column_count_to_be_between", { min_value: 30 }),
    e("expect_table_column_count_to_equal", { value: HOSTILE.length }),
    e("expect_table_columns_to_match_ordered_list", { column_list: [...HOSTILE_NAMES.map(n)].reverse() }),
    e("expect_table_columns_to_match_set", { column_set: [...HOSTILE_NAMES.slice(1).map(n), "nope"] }),
    e("expect_table_row_count_to_be_between", { max_value: 3, row_condition: rc }),
    e("expect_table_row_count_to_equal", { value: 6 }),
    e("expect_table_row_count_to_equal_other_table", { other_table_name: qualified }),
    e("unexpected_rows_expectation", {
      unexpected_rows_query: `SELECT ${q("weir_row")} FROM {batch} WHERE ${q("v0")} > 3`,
    }),
  ];
}

const FORMATS: ResultFormatInput[] = [
  "SUMMARY",
  { result_format: "COMPLETE", unexpected_index_column_names: ["weir_row"] },
];

/** A result with the hostile names swapped for the innocent ones, for comparison. */
function renamed(result: ExpectationResult, from: readonly string[], to: readonly string[]): unknown {
  const { unexpected_index_query: _query, ...rest } = result.result;
  let json = JSON.stringify({ ...result, result: rest });
  for (const [i, name] of from.entries()) {
    json = json.replaceAll(JSON.stringify(name), JSON.stringify(to[i]));
    // Quoted identifiers inside SQL kwargs (row_condition, sql).
    json = json.replaceAll(`\\"${name}\\"`, `\\"${to[i]}\\"`);
  }
  return JSON.parse(json);
}

describe.each(QUALITY_ENGINES)("generated SQL on %s", (engineName) => {
  let e: QualityEngine;
  let hostile: TableRef;
  let clean: TableRef;

  beforeAll(async () => {
    e = await openQualityEngine(engineName, "weir_name_capture");
    const schema = (names: string[]): Schema => ({
      fields: HOSTILE.map(([, type], i) => ({ name: names[i]!, type })),
    });
    hostile = await loadTable(e, "hostile_names", schema(HOSTILE_NAMES), ROWS);
    clean = await loadTable(e, "clean_names", schema(CLEAN_NAMES), ROWS);
  });
  afterAll(async () => closeQualityEngine(e));

  it("has one case for every expectation type", () => {
    const types = everyExpectation((h) => h, { schema: "s", name: "t" }).map((c) => c.type);
    expect([...new Set(types)].sort()).toEqual(expectationTypes());
  });

  it.each(FORMATS.map((f) => [typeof f === "string" ? f : f.result_format, f] as const))(
    "every expectation answers the same under names weir uses itself (%s)",
    async (_label, format) => {
      const cleanFormat =
        typeof format === "string"
          ? format
          : { ...format, unexpected_index_column_names: [CLEAN_NAMES[HOSTILE_NAMES.indexOf("weir_row")]!] };
      const cleanName = (h: string) => CLEAN_NAMES[HOSTILE_NAMES.indexOf(h)]!;
      const onHostile = await validateDataset(
        e.engine,
        hostile,
        everyExpectation((h) => h, hostile),
        {
          resultFormat: format,
        },
      );
      const onClean = await validateDataset(e.engine, clean, everyExpectation(cleanName, clean), {
        resultFormat: cleanFormat,
      });
      for (const [i, r] of onHostile.results.entries()) {
        expect(
          r.exception_info,
          `${r.expectation.type}: ${JSON.stringify(r.exception_info)}`,
        ).toBeUndefined();
        const tables = [`${clean.schema}.${clean.name}`, clean.name];
        const reference = renamed(onClean.results[i]!, tables, [
          `${hostile.schema}.${hostile.name}`,
          hostile.name,
        ]);
        expect(renamed(r, HOSTILE_NAMES, CLEAN_NAMES), r.expectation.type).toEqual(
          renamed(reference as ExpectationResult, HOSTILE_NAMES, CLEAN_NAMES),
        );
      }
      // Failing expectations really fail: the data was chosen so that most of them do.
      expect(onHostile.results.filter((r) => !r.success).length).toBeGreaterThan(30);
      if (typeof format !== "string") {
        // The COMPLETE index queries run on the engine and return the failing rows.
        for (const r of onHostile.results) {
          const query = r.result.unexpected_index_query;
          if (query === undefined) continue;
          const rows = await e.engine.query(query);
          expect(rows.length, `${r.expectation.type}: ${query}`).toBe(r.result.unexpected_count);
        }
      }
    },
  );
});
