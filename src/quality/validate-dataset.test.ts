import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CaseTable,
  EXPECTATION_CASES,
  loadCaseTables,
  ONE_SCAN_SUITE,
  type Variant,
} from "../../test/support/expectation-cases.js";
import { ConfigError } from "../core/errors.js";
import type { TableRef } from "../core/types.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import type { Engine } from "../engines/engine.js";
import { expectationKind, expectationTypes } from "./expectations/registry.js";
import { failingRowPredicate, validateDataset } from "./validate-dataset.js";

let engine: DuckDBEngine;
let tables: Record<CaseTable, TableRef>;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  tables = await loadCaseTables(engine, "cases");
});
afterAll(async () => engine?.close());

/** An engine that records every statement that reads the people table. */
function counting(inner: Engine): { engine: Engine; reads: string[] } {
  const reads: string[] = [];
  const record = (sql: string) => {
    if (sql.includes('"people"')) reads.push(sql);
  };
  const wrap = (engine: Engine): Engine =>
    new Proxy(engine, {
      get(target, prop, receiver) {
        if (prop === "query" || prop === "run" || prop === "stream") {
          return (sql: string, ...rest: unknown[]) => {
            record(sql);
            return (target[prop] as (...a: unknown[]) => unknown).call(target, sql, ...rest);
          };
        }
        // Checks run in a read-only session: record what runs there too.
        if (prop === "readOnly")
          return <T>(fn: (ro: Engine) => Promise<T>) => target.readOnly((ro) => fn(wrap(ro)));
        return Reflect.get(target, prop, receiver);
      },
    });
  return { engine: wrap(inner), reads };
}

describe("validateDataset", () => {
  it("has cases for every expectation type: pass, fail, empty table, and nulls / mostly / row_condition where they apply", () => {
    const needed = (type: string): Variant[] => {
      const kind = expectationKind(type);
      if (kind === "column_map" || kind === "multicolumn_map")
        return ["pass", "fail", "nulls", "empty", "mostly", "row_condition"];
      if (kind === "column_aggregate") {
        // Type checks read the schema only: there is nothing for NULLs or a row_condition to change.
        return /_of_type|_in_type_list/.test(type)
          ? ["pass", "fail", "empty"]
          : ["pass", "fail", "nulls", "empty", "row_condition"];
      }
      if (kind === "query") return ["pass", "fail", "nulls", "empty", "row_condition"];
      return /row_count/.test(type) ? ["pass", "fail", "empty", "row_condition"] : ["pass", "fail", "empty"];
    };
    const missing = expectationTypes().flatMap((type) => {
      const have = new Set(
        EXPECTATION_CASES.filter((c) => c.expectation.type === type).map((c) => c.variant),
      );
      return needed(type)
        .filter((v) => !have.has(v))
        .map((v) => `${type}: ${v}`);
    });
    expect(missing).toEqual([]);
  });

  it("answers a 30-expectation suite of map, aggregate and table kinds with one scan (and one distribution pass for an integer median and quantiles)", async () => {
    expect(ONE_SCAN_SUITE).toHaveLength(30);
    expect(ONE_SCAN_SUITE.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        "expect_column_proportion_of_unique_values_to_be_between",
        "expect_column_values_to_be_increasing",
        "expect_multicolumn_sum_to_equal",
      ]),
    );
    const { engine: counted, reads } = counting(engine);
    const result = await validateDataset(counted, tables.people, ONE_SCAN_SUITE);
    const quantileTypes = ONE_SCAN_SUITE.filter((e) => /median|quantile/.test(e.type));
    expect(quantileTypes.map((e) => e.kwargs.column)).toEqual(["age", "age"]);
    expect(result.scans).toBe(2);
    // The main scan, one lookup by row id of the first failing rows (not a pass), the
    // distribution pass.
    expect(reads).toHaveLength(3);
    expect(reads[1]).toMatch(/WHERE rowid = ANY\(\[[\d, ]+\]\)$/);
    expect(reads[2]).toMatch(/GROUP BY 1 ORDER BY 1$/);
    expect(result.results.every((r) => r.exception_info === undefined)).toBe(true);
    expect(result.statistics.evaluated_expectations).toBe(30);
    expect(result.rowCount).toBe(8);
  });

  it("shares one GROUP BY pass among the uniqueness and distinct-value expectations of a column", async () => {
    const { engine: counted, reads } = counting(engine);
    const result = await validateDataset(counted, tables.people, [
      { type: "expect_column_values_to_be_unique", kwargs: { column: "country" } },
      {
        type: "expect_column_distinct_values_to_be_in_set",
        kwargs: { column: "country", value_set: ["US"] },
      },
      {
        type: "expect_column_most_common_value_to_be_in_set",
        kwargs: { column: "country", value_set: ["US"] },
      },
      { type: "expect_column_values_to_be_unique", kwargs: { column: "id" } },
      { type: "expect_column_values_to_not_be_null", kwargs: { column: "id" } },
      {
        type: "expect_column_proportion_of_unique_values_to_be_between",
        kwargs: { column: "country", min_value: 0.4 },
      },
      { type: "expect_column_unique_value_count_to_be_between", kwargs: { column: "country", min_value: 3 } },
    ]);
    // The main scan, one GROUP BY per column, then — because two uniqueness expectations
    // fail — one statement each for their first failing rows (GROUP BY finds no rows).
    expect(result.scans).toBe(5);
    expect(reads.filter((r) => /GROUP BY/.test(r))).toHaveLength(2);
    expect(result.results.map((r) => r.success)).toEqual([false, false, true, false, false, true, true]);
    expect(result.results[5]!.result.observed_value).toBe(3 / 7);
    expect(result.results[0]!.result.partial_unexpected_list).toEqual(["US", "US", "FR", "US", "FR", "US"]);
    // A format that lists no rows reads none.
    const quiet = await validateDataset(
      engine,
      tables.people,
      [{ type: "expect_column_values_to_be_unique", kwargs: { column: "country" } }],
      { resultFormat: "BOOLEAN_ONLY" },
    );
    expect(quiet.scans).toBe(2);
  });

  it("fails only the expectations the data makes impossible, with the engine's reason", async () => {
    const result = await validateDataset(engine, tables.people, [
      { type: "expect_column_values_to_not_be_null", kwargs: { column: "nope" } },
      {
        type: "expect_column_values_to_not_be_null",
        kwargs: { column: "id", row_condition: "no_such_column > 1" },
      },
      { type: "expect_column_values_to_be_in_set", kwargs: { column: "age", value_set: ["not a number"] } },
      // Only real rows break this one (the planner cannot know 'Ann' is no integer).
      {
        type: "expect_column_values_to_not_be_null",
        kwargs: { column: "id", row_condition: "CAST(name AS INTEGER) > 0" },
      },
      { type: "expect_column_values_to_not_be_null", kwargs: { column: "name" } },
      { type: "expect_column_mean_to_be_between", kwargs: { column: "age", min_value: 0 } },
    ]);
    const [missing, badCondition, badValue, runtime, fine, mean] = result.results;
    expect(missing!.exception_info?.exception_message).toMatch(
      /column "nope" not found in the dataset \(columns: id, name/,
    );
    expect(badCondition!.exception_info?.exception_message).toContain("no_such_column");
    expect(badValue!.exception_info?.raised_exception).toBe(true);
    expect(runtime!.exception_info?.raised_exception).toBe(true);
    expect([missing, badCondition, badValue, runtime].every((r) => r!.success === false)).toBe(true);
    expect(fine).toMatchObject({ success: true, result: { element_count: 8, unexpected_count: 0 } });
    expect(mean).toMatchObject({ success: true, result: { observed_value: 403 / 7 } });
    expect(result.statistics).toEqual({
      evaluated_expectations: 6,
      successful_expectations: 2,
      unsuccessful_expectations: 4,
      success_percent: (2 / 6) * 100,
    });
  });

  it("validates a query target; increasing/decreasing on a query need order_by", async () => {
    const result = await validateDataset(engine, { sql: "SELECT * FROM cases.people WHERE seq <= 4" }, [
      { type: "expect_table_row_count_to_equal", kwargs: { value: 4 } },
      { type: "expect_column_values_to_be_increasing", kwargs: { column: "seq" } },
      { type: "expect_column_values_to_be_increasing", kwargs: { column: "seq", order_by: "id" } },
    ]);
    expect(result.rowCount).toBe(4);
    expect(result.results[0]!.success).toBe(true);
    expect(result.results[1]!.exception_info?.exception_message).toContain("needs order_by");
    expect(result.results[2]).toMatchObject({
      success: false,
      result: { unexpected_count: 1, partial_unexpected_list: [3] },
    });
  });

  it("keeps at most sampleSize unexpected values", async () => {
    const one = await validateDataset(
      engine,
      tables.people,
      [
        { type: "expect_column_values_to_be_null", kwargs: { column: "email" } },
        { type: "expect_column_values_to_not_be_null", kwargs: { column: "id" } },
        { type: "expect_column_values_to_be_unique", kwargs: { column: "country" } },
        { type: "expect_sql_to_return_no_rows", kwargs: { sql: "SELECT name FROM {batch}" } },
      ],
      { sampleSize: 1 },
    );
    expect(one.results.map((r) => r.result.partial_unexpected_list)).toEqual([
      ["ann@x.com"],
      [null],
      ["US"],
      [{ name: "Ann" }],
    ]);
    const none = await validateDataset(
      engine,
      tables.people,
      [{ type: "expect_column_values_to_be_null", kwargs: { column: "email" } }],
      {
        sampleSize: 0,
      },
    );
    expect(none.results[0]!.result).toMatchObject({ unexpected_count: 7, partial_unexpected_list: [] });
  });

  it("refuses invalid expectations and missing tables before reading anything", async () => {
    const { engine: counted, reads } = counting(engine);
    await expect(
      validateDataset(counted, tables.people, [
        { type: "expect_column_values_to_be_betwen", kwargs: { column: "age" } },
      ]),
    ).rejects.toThrow(
      /expectations\[0\]: unknown expectation type .*did you mean expect_column_values_to_be_between/,
    );
    expect(reads).toEqual([]);
    await expect(validateDataset(engine, { schema: "cases", name: "nope" }, [])).rejects.toBeInstanceOf(
      ConfigError,
    );
  });

  it("returns results that survive JSON (integers beyond 2^53 as text)", async () => {
    const result = await validateDataset(engine, { sql: "SELECT CAST(9007199254740993 AS BIGINT) AS b" }, [
      { type: "expect_column_max_to_be_between", kwargs: { column: "b", max_value: 0 } },
      { type: "expect_column_values_to_be_null", kwargs: { column: "b" } },
    ]);
    expect(result.results.map((r) => r.result.observed_value ?? r.result.partial_unexpected_list)).toEqual([
      "9007199254740993",
      ["9007199254740993"],
    ]);
    expect(() => JSON.stringify(result)).not.toThrow();
  });
});

describe("failingRowPredicate", () => {
  it("exists for row-level kinds only", () => {
    expect(
      failingRowPredicate(engine, {
        type: "expect_column_mean_to_be_between",
        kwargs: { column: "age", min_value: 1 },
      }),
    ).toBeUndefined();
    expect(
      failingRowPredicate(engine, { type: "expect_table_row_count_to_equal", kwargs: { value: 1 } }),
    ).toBeUndefined();
    expect(
      failingRowPredicate(engine, { type: "expect_sql_to_return_no_rows", kwargs: { sql: "SELECT 1" } }),
    ).toBeUndefined();
    expect(
      failingRowPredicate(engine, {
        type: "expect_column_values_to_be_in_set",
        kwargs: { column: "c", value_set: ["a"] },
      }),
    ).toBe(`(NOT ("c" IS NULL) AND COALESCE(NOT ("c" IN ('a')), FALSE))`);
  });

  it("flags the rows a quarantine would take, honouring row_condition and NULLs", async () => {
    const predicate = failingRowPredicate(engine, {
      type: "expect_column_values_to_be_between",
      kwargs: { column: "age", min_value: 13, max_value: 120, row_condition: "country = 'US'" },
    })!;
    const rows = await engine.query(
      `SELECT name FROM (SELECT name, ${predicate} AS f FROM cases.people) AS t WHERE f ORDER BY name`,
    );
    expect(rows).toEqual([{ name: "Ed" }]);
    const duplicates = failingRowPredicate(engine, {
      type: "expect_column_values_to_be_unique",
      kwargs: { column: "id" },
    })!;
    const dup = await engine.query(
      `SELECT name FROM (SELECT name, ${duplicates} AS f FROM cases.people) AS t WHERE f ORDER BY name`,
    );
    expect(dup).toEqual([{ name: "Ed" }, { name: "Fay" }]);
  });
});
