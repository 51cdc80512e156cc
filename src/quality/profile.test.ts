import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { profileDataset } from "./profile.js";
import { runSuite } from "./run-suite.js";
import { suggestSuite, suiteToYaml } from "./suggest-suite.js";
import { defineSuite } from "./suite.js";
import { parseSuiteYaml } from "./suite-yaml.js";

let engine: DuckDBEngine;
const HOSTILE = `x"); DROP TABLE t; --`;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  const h = engine.dialect.quoteIdent(HOSTILE);
  // 200 rows: a unique id, a 3-value category, a number with NULLs, free text, a flag.
  await engine.run(`CREATE TABLE t AS SELECT
      i AS id,
      ['red', 'green', 'blue'][1 + i % 3] AS color,
      CASE WHEN i % 20 = 0 THEN NULL ELSE (i % 50) * 1.5 END AS amount,
      'name-' || i || repeat('x', i % 7) AS ${h},
      i % 2 = 0 AS flag,
      TIMESTAMP '2024-01-01' + INTERVAL (i) HOUR AS ts
    FROM range(1, 201) r(i)`);
});
afterAll(async () => engine.close());

describe("profileDataset", () => {
  it("computes per-column statistics in two scans", async () => {
    const p = await profileDataset(engine, { name: "t" });
    expect(p).toMatchObject({ target: "t", rowCount: 200, scans: 2 });
    const col = (name: string) => p.columns.find((c) => c.name === name)!;
    expect(col("id")).toMatchObject({
      type: "bigint",
      count: 200,
      nullCount: 0,
      nullRate: 0,
      distinctCount: 200,
      min: 1,
      max: 200,
    });
    expect(col("id").numeric).toMatchObject({ mean: 100.5, p25: 50.75, p50: 100.5, p75: 150.25 });
    expect(col("id").numeric!.p5).toBeCloseTo(10.95, 9);
    expect(col("id").numeric!.p95).toBeCloseTo(190.05, 9);
    expect(col("id").numeric!.stdev).toBeCloseTo(57.879, 3);
    expect(col("id").values).toBeUndefined();
    expect(col("color")).toMatchObject({
      type: "varchar",
      distinctCount: 3,
      values: ["blue", "green", "red"],
      length: { min: 3, max: 5 },
    });
    expect(col("color").topValues).toEqual([
      { value: "blue", count: 67 },
      { value: "green", count: 67 },
      { value: "red", count: 66 },
    ]);
    expect(col("amount")).toMatchObject({
      type: "decimal",
      nullCount: 10,
      nullRate: 0.05,
      min: 0,
      max: 73.5,
    });
    expect(col(HOSTILE)).toMatchObject({ distinctCount: 200, length: { min: 6, max: 14 } });
    expect(col(HOSTILE).topValues).toHaveLength(5);
    expect(col("flag")).toMatchObject({
      type: "boolean",
      distinctCount: 2,
      topValues: [
        { value: "false", count: 100 },
        { value: "true", count: 100 },
      ],
    });
    expect(col("flag").min).toBeUndefined();
    expect(col("ts")).toMatchObject({ min: "2024-01-01 01:00:00", max: "2024-01-09 08:00:00" });
  });

  it("profiles an empty table and a query", async () => {
    await engine.run("CREATE TABLE empty (a INTEGER, b VARCHAR)");
    const empty = await profileDataset(engine, { name: "empty" });
    expect(empty.rowCount).toBe(0);
    expect(empty.columns[0]).toMatchObject({ count: 0, nullRate: null, distinctCount: 0, topValues: [] });
    const q = await profileDataset(engine, { sql: "SELECT color FROM t WHERE id <= 4" });
    expect(q.columns[0]).toMatchObject({
      distinctCount: 3,
      topValues: [
        { value: "green", count: 2 },
        { value: "blue", count: 1 },
        { value: "red", count: 1 },
      ],
    });
  });
});

describe("profileDataset reads only", () => {
  it("cannot advance a sequence or run a second statement through its target query", async () => {
    await engine.run("CREATE SEQUENCE profile_seq");
    await expect(profileDataset(engine, { sql: "SELECT nextval('profile_seq') AS n" })).rejects.toMatchObject(
      {
        code: "ENGINE_QUERY_FAILED",
      },
    );
    await expect(profileDataset(engine, { sql: "SELECT 1 AS n; DROP TABLE t" })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
    expect(
      await engine.query("SELECT nextval('profile_seq') AS n, (SELECT count(*) FROM t) AS rows"),
    ).toEqual([{ n: 1, rows: 200 }]);
  });
});

describe("suggestSuite", () => {
  it("suggests expectations that pass on the profiled data, and survive a YAML round trip", async () => {
    const profile = await profileDataset(engine, { name: "t" });
    const input = suggestSuite(profile, { name: "t", dataset: "t" });
    const types = input.expectations!.map((e) => `${e.type}(${String(e.kwargs?.column ?? "")})`);
    expect(types).toEqual(
      expect.arrayContaining([
        "expect_table_row_count_to_be_between()",
        "expect_column_values_to_not_be_null(id)",
        "expect_column_values_to_be_unique(id)",
        "expect_column_values_to_be_between(ts)",
        "expect_column_values_to_be_in_set(color)",
        "expect_column_value_lengths_to_be_between(color)",
        "expect_column_values_to_be_between(amount)",
        `expect_column_values_to_be_unique(${HOSTILE})`,
      ]),
    );
    // An identifier gets no range (the next batch's ids are new); a column with NULLs gets `mostly`.
    expect(types).not.toContain("expect_column_values_to_be_between(id)");
    const amount = input.expectations!.find(
      (e) => e.type === "expect_column_values_to_not_be_null" && e.kwargs?.column === "amount",
    );
    expect(amount?.kwargs).toEqual({ column: "amount", mostly: 0.9 });
    const suite = parseSuiteYaml(suiteToYaml(input, "suggested"), "t.suite.yaml");
    const result = await runSuite(engine, { name: "t" }, suite, { failOnError: false });
    expect(result.checks.filter((c) => !c.success).map((c) => `${c.name}: ${c.message}`)).toEqual([]);
    expect(result.score.checks).toBe(1);
  });

  it("catches drift the profile did not see", async () => {
    await engine.run("CREATE TABLE drift AS SELECT * FROM t");
    const suite = defineSuite(suggestSuite(await profileDataset(engine, { name: "drift" })));
    await engine.run("INSERT INTO drift SELECT 1, 'purple', 999, 'n', NULL, NULL");
    const result = await runSuite(engine, { name: "drift" }, suite, { failOnError: false });
    expect(result.success).toBe(false);
    const failed = result.checks.filter((c) => !c.success).map((c) => c.name);
    expect(failed).toEqual(
      expect.arrayContaining([
        "expect_column_values_to_be_unique(id)",
        "expect_column_values_to_be_in_set(color)",
        "expect_column_values_to_be_between(amount)",
        "expect_column_values_to_not_be_null(flag)",
      ]),
    );
  });
});
