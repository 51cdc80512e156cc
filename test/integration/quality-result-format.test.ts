import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/errors.js";
import type { TableRef } from "../../src/core/types.js";
import type { ExpectationResult } from "../../src/quality/expectations/expectation.js";
import { expectationKind } from "../../src/quality/expectations/registry.js";
import { MAX_RESULT_RECORDS, type ResultFormatInput } from "../../src/quality/result-format.js";
import { runSuite } from "../../src/quality/run-suite.js";
import { defineSuite } from "../../src/quality/suite.js";
import { failingRowPredicate, validateDataset } from "../../src/quality/validate-dataset.js";
import { type CaseTable, EXPECTATION_CASES, loadCaseTables } from "../support/expectation-cases.js";
import {
  closeQualityEngine,
  loadTable,
  openQualityEngine,
  QUALITY_ENGINES,
  type QualityEngine,
} from "../support/quality-engines.js";

// GX's result_format (BOOLEAN_ONLY, BASIC, SUMMARY, COMPLETE) on DuckDB and PostgreSQL: the
// keys each level carries (great_expectations/expectations/expectation.py,
// `_format_map_output`), row order, index lists and queries, the caps.

const LEVELS = ["BOOLEAN_ONLY", "BASIC", "SUMMARY", "COMPLETE"] as const;
const MAP_BASIC = [
  "element_count",
  "missing_count",
  "missing_percent",
  "partial_unexpected_list",
  "unexpected_count",
  "unexpected_percent",
  "unexpected_percent_nonmissing",
  "unexpected_percent_total",
];
/** The NULL expectations test every row: no `missing_*`, no split percents (GX's skip_missing). */
const NULLS_BASIC = ["element_count", "partial_unexpected_list", "unexpected_count", "unexpected_percent"];
const SUMMARY_EXTRA = ["partial_unexpected_counts"];
const COMPLETE_EXTRA = ["unexpected_list"];

const isMap = (r: ExpectationResult) => {
  const kind = expectationKind(r.expectation.type);
  return (kind === "column_map" || kind === "multicolumn_map") && r.result.element_count !== undefined;
};
const aboutNulls = (r: ExpectationResult) => /_to_(not_)?be_null$/.test(r.expectation.type);
/** Type expectations report each engine's own type name (TEXT vs VARCHAR); the rest must agree. */
const comparable = (r: ExpectationResult) =>
  /_to_be_of_type|_in_type_list/.test(r.expectation.type)
    ? { ...r, result: { ...r.result, observed_value: "(engine type)" } }
    : {
        ...r,
        result: {
          ...r.result,
          unexpected_index_query: r.result.unexpected_index_query ? "(query)" : undefined,
        },
      };

describe("every expectation in every result format", () => {
  const engines: QualityEngine[] = [];
  const tables: Record<CaseTable, TableRef>[] = [];
  beforeAll(async () => {
    for (const name of QUALITY_ENGINES) {
      const e = await openQualityEngine(name, "weir_result_format_cases");
      engines.push(e);
      tables.push(await loadCaseTables(e.engine, e.schema));
    }
  });
  afterAll(async () => {
    for (const e of engines) await closeQualityEngine(e);
  });

  it.each(LEVELS)("%s: GX's keys, the same answers on every engine", async (level) => {
    for (const table of ["people", "empty", "hostile"] as const) {
      const expectations = EXPECTATION_CASES.filter((c) => c.table === table).map((c) => c.expectation);
      const runs = [];
      for (const [i, e] of engines.entries())
        runs.push(await validateDataset(e.engine, tables[i]![table], expectations, { resultFormat: level }));
      const [first, ...others] = runs;
      for (const r of first!.results) {
        expect(
          r.exception_info,
          `${r.expectation.type}: ${JSON.stringify(r.exception_info)}`,
        ).toBeUndefined();
        const keys = Object.keys(r.result).sort();
        if (level === "BOOLEAN_ONLY") expect(keys, r.expectation.type).toEqual([]);
        else if (isMap(r)) {
          const base = aboutNulls(r) ? NULLS_BASIC : MAP_BASIC;
          // A query for the failing rows exists where a row-level form does (not for JSON Schema).
          const rowLevel = failingRowPredicate(engines[0]!.engine, r.expectation) !== undefined;
          const wanted = [
            ...base,
            ...(level === "SUMMARY" || level === "COMPLETE" ? SUMMARY_EXTRA : []),
            ...(level === "COMPLETE" ? COMPLETE_EXTRA : []),
            ...(level === "COMPLETE" && rowLevel ? ["unexpected_index_query"] : []),
          ];
          // Each level adds its keys to the one below.
          expect(keys, r.expectation.type).toEqual(expect.arrayContaining(wanted));
          if (level !== "COMPLETE") expect(keys, r.expectation.type).toEqual([...wanted].sort());
        } else expect(keys, r.expectation.type).not.toContain("partial_unexpected_counts");
      }
      for (const other of others)
        expect(other.results.map(comparable), `${level} ${table}`).toEqual(first!.results.map(comparable));
    }
  });
});

describe.each(QUALITY_ENGINES)("result formats on %s", (engineName) => {
  let e: QualityEngine;
  let t: TableRef;
  let many: TableRef;
  const check = async (
    kwargs: Record<string, unknown>,
    resultFormat?: ResultFormatInput,
    type = "expect_column_values_to_be_between",
  ) =>
    (await validateDataset(e.engine, t, [{ type, kwargs }], resultFormat ? { resultFormat } : {}))
      .results[0]!;

  beforeAll(async () => {
    e = await openQualityEngine(engineName, "weir_result_format");
    // 30 failing values inserted in DESCENDING order: the first 20 in row order are 30…11,
    // the 20 smallest would be 1…20.
    const rows = Array.from({ length: 30 }, (_, i) => [
      100 + i,
      30 - i,
      i % 3 === 0 ? null : `t${i}`,
      "2024-01-02 03:04:05",
      "12.50",
    ]);
    t = await loadTable(
      e,
      "descending",
      {
        fields: [
          { name: "id", type: "bigint" },
          { name: "v", type: "bigint" },
          { name: "s", type: "varchar" },
          { name: "ts", type: "timestamp" },
          { name: "d", type: "decimal" },
        ],
      },
      rows,
    );
    many = await loadTable(e, "many", { fields: [{ name: "id", type: "bigint" }] }, []);
    const m = e.engine.dialect.quoteTable(many);
    await e.engine.run(`INSERT INTO ${m} SELECT g FROM generate_series(1, 100000) AS s(g)`);
  });
  afterAll(async () => closeQualityEngine(e));

  it("lists the FIRST failing rows in row order, not the smallest values", async () => {
    const r = await check({ column: "v", max_value: 0 });
    expect(r.result.unexpected_count).toBe(30);
    expect(r.result.partial_unexpected_list).toEqual(Array.from({ length: 20 }, (_, i) => 30 - i));
    const query = await validateDataset(
      e.engine,
      { sql: `SELECT * FROM ${e.engine.dialect.quoteTable(t)}` },
      [{ type: "expect_column_values_to_be_between", kwargs: { column: "v", max_value: 0 } }],
    );
    expect(query.results[0]!.result.partial_unexpected_list).toEqual(
      Array.from({ length: 20 }, (_, i) => 30 - i),
    );
  });

  it("counts the partial values as GX: most frequent first, then by value", async () => {
    const r = await check({ column: "s", value_set: ["t1"] }, "SUMMARY", "expect_column_values_to_be_in_set");
    expect(r.result.partial_unexpected_counts).toEqual(
      (r.result.partial_unexpected_list as string[])
        .sort((a, b) => (a < b ? -1 : 1))
        .map((value) => ({ value, count: 1 })),
    );
    const pairs = await validateDataset(e.engine, t, [
      {
        type: "expect_column_pair_values_to_be_equal",
        kwargs: { column_A: "ts", column_B: "ts", row_condition: "v > 100" },
      },
      { type: "expect_column_values_to_be_in_set", kwargs: { column: "ts", value_set: [] } },
    ]);
    expect(pairs.results[1]!.result.partial_unexpected_counts).toEqual([
      { value: "2024-01-02T03:04:05", count: 20 },
    ]);
  });

  it("lists identifying columns with unexpected_index_column_names, and a query for all failing rows", async () => {
    const format = { result_format: "COMPLETE" as const, unexpected_index_column_names: ["id"] };
    const kwargs = { column: "v", max_value: 10, row_condition: "id < 125" };
    const r = await check(kwargs, format);
    // Rows 100…124 hold 30…6: those above 10 are 100…119, in row order.
    expect(r.result.unexpected_count).toBe(20);
    expect(r.result.unexpected_index_column_names).toEqual(["id"]);
    expect(r.result.unexpected_index_list).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ id: 100 + i, v: 30 - i })),
    );
    expect(r.result.partial_unexpected_index_list).toEqual(r.result.unexpected_index_list);
    expect(r.result.unexpected_list).toEqual(Array.from({ length: 20 }, (_, i) => 30 - i));
    // The query runs on the engine and returns exactly the failing rows, row_condition applied.
    const rows = await e.engine.query(r.result.unexpected_index_query!);
    expect(rows.map((row) => Number(row.id)).sort()).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    expect(Object.keys(rows[0]!)).toEqual(["id", "v"]);
    // BASIC names the columns but lists no indexes; SUMMARY lists the partial index list.
    const basic = await check(kwargs, { ...format, result_format: "BASIC" });
    expect(basic.result.unexpected_index_column_names).toEqual(["id"]);
    expect(basic.result.partial_unexpected_index_list).toBeUndefined();
    const summary = await check(kwargs, { ...format, result_format: "SUMMARY", partial_unexpected_count: 3 });
    expect(summary.result.partial_unexpected_index_list).toEqual([
      { id: 100, v: 30 },
      { id: 101, v: 29 },
      { id: 102, v: 28 },
    ]);
    expect(summary.result.unexpected_index_query).toBeUndefined();
  });

  it("index lists and queries for uniqueness (a GROUP BY pass) and column pairs", async () => {
    const format = { result_format: "COMPLETE" as const, unexpected_index_column_names: ["id"] };
    const result = await validateDataset(
      e.engine,
      t,
      [
        { type: "expect_column_values_to_be_unique", kwargs: { column: "ts" } },
        {
          type: "expect_column_pair_values_a_to_be_greater_than_b",
          kwargs: { column_A: "id", column_B: "v", row_condition: "v > 27" },
        },
      ],
      { resultFormat: format },
    );
    const [unique, pair] = result.results;
    expect(unique!.result.unexpected_count).toBe(30);
    expect(unique!.result.unexpected_index_list!.slice(0, 2)).toEqual([
      { id: 100, ts: "2024-01-02T03:04:05" },
      { id: 101, ts: "2024-01-02T03:04:05" },
    ]);
    expect(await e.engine.query(unique!.result.unexpected_index_query!)).toHaveLength(30);
    expect(pair!.success).toBe(true);
    const failing = await validateDataset(
      e.engine,
      t,
      [
        {
          type: "expect_column_pair_values_a_to_be_greater_than_b",
          kwargs: { column_A: "v", column_B: "id", row_condition: "v > 27" },
        },
      ],
      { resultFormat: format },
    );
    expect(failing.results[0]!.result).toMatchObject({
      unexpected_list: [
        [30, 100],
        [29, 101],
        [28, 102],
      ],
      unexpected_index_list: [
        { id: 100, v: 30 },
        { id: 101, v: 29 },
        { id: 102, v: 28 },
      ],
    });
  });

  it("COMPLETE stops the lists at 200 rows, says so, and the query has them all", async () => {
    const r = (
      await validateDataset(
        e.engine,
        many,
        [{ type: "expect_column_values_to_be_between", kwargs: { column: "id", max_value: 0 } }],
        { resultFormat: { result_format: "COMPLETE", unexpected_index_column_names: ["id"] } },
      )
    ).results[0]!;
    expect(r.result.unexpected_count).toBe(100_000);
    expect(r.result.unexpected_list).toHaveLength(MAX_RESULT_RECORDS);
    expect(r.result.unexpected_list!.slice(0, 3)).toEqual([1, 2, 3]);
    expect(r.result.unexpected_index_list).toHaveLength(MAX_RESULT_RECORDS);
    expect(r.result.partial_unexpected_list).toHaveLength(20);
    expect(r.result.details).toMatchObject({ unexpected_list_truncated: true });
    const [count] = await e.engine.query(
      `SELECT count(*) AS n FROM (${r.result.unexpected_index_query}) AS q`,
    );
    expect(Number(count!.n)).toBe(100_000);
  });

  it("partial_unexpected_count, exclude_unexpected_values and include_unexpected_rows", async () => {
    const kwargs = { column: "v", max_value: 0 };
    const none = await check(kwargs, { result_format: "SUMMARY", partial_unexpected_count: 0 });
    expect(none.result.partial_unexpected_list).toEqual([]);
    expect(none.result.partial_unexpected_counts).toBeUndefined();
    const noValues = await check(kwargs, {
      result_format: "COMPLETE",
      exclude_unexpected_values: true,
      unexpected_index_column_names: ["id"],
      partial_unexpected_count: 2,
    });
    expect(noValues.result.partial_unexpected_list).toBeUndefined();
    expect(noValues.result.unexpected_list).toBeUndefined();
    expect(noValues.result.partial_unexpected_index_list).toEqual([
      { id: 100, v: 30 },
      { id: 101, v: 29 },
    ]);
    const rows = await check(kwargs, {
      result_format: "BASIC",
      include_unexpected_rows: true,
      partial_unexpected_count: 1,
    });
    // Every column, in its JSON form: timestamps ISO-8601, decimals as numbers.
    expect(rows.result.unexpected_rows).toEqual([
      { id: 100, v: 30, s: null, ts: "2024-01-02T03:04:05", d: 12.5 },
    ]);
  });

  it("honours result_format per expectation, per suite, and per run (the run's wins, as GX)", async () => {
    const own = {
      type: "expect_column_values_to_be_between",
      kwargs: { column: "v", max_value: 0, result_format: "BOOLEAN_ONLY" },
    };
    const plain = { type: "expect_column_values_to_be_between", kwargs: { column: "v", max_value: 0 } };
    const suite = defineSuite({ name: "formats", result_format: "BASIC", expectations: [own, plain] });
    const run = await runSuite(e.engine, t, suite, { failOnError: false });
    expect(run.validation.results[0]!.result).toEqual({});
    expect(run.validation.results[1]!.result.partial_unexpected_counts).toBeUndefined();
    expect(run.validation.results[1]!.result.partial_unexpected_list).toHaveLength(20);
    const overridden = await runSuite(e.engine, t, suite, { failOnError: false, resultFormat: "SUMMARY" });
    expect(overridden.validation.results[0]!.result.partial_unexpected_counts).toHaveLength(20);
  });

  it("refuses a result_format GX does not know, as a config error", async () => {
    await expect(check({ column: "v", max_value: 0, result_format: "FULL" })).rejects.toThrow(ConfigError);
    await expect(
      check({ column: "v", max_value: 0 }, { result_format: "BASIC", partial_unexpected_count: -1 }),
    ).rejects.toThrow(ConfigError);
  });

  it("percents are null when there are no rows; exception_info carries message and traceback", async () => {
    const empty = await check({ column: "v", max_value: 0, row_condition: "id < 0" }, "SUMMARY");
    expect(empty.result).toMatchObject({
      element_count: 0,
      missing_percent: null,
      unexpected_percent: null,
      unexpected_percent_total: null,
      unexpected_percent_nonmissing: null,
    });
    const broken = await check({ column: "nope", max_value: 0 });
    expect(broken.exception_info).toMatchObject({
      raised_exception: true,
      exception_message: expect.stringContaining('column "nope" not found'),
      exception_traceback: expect.any(String),
    });
  });
});
