import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { MIGRATIONS } from "../metadata/migrations.js";
import { SqlQualityStore } from "../metadata/sql-quality-store.js";
import { SqliteDatabase } from "../metadata/sqlite-database.js";
import { qualityHistory } from "./quality-history.js";
import { runSuite } from "./run-suite.js";
import { defineSuite } from "./suite.js";
import { SuiteFailedError } from "./suite-failed-error.js";

let engine: DuckDBEngine;
let db: Database.Database;
let store: SqlQualityStore;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  await engine.run("CREATE SCHEMA staging");
  // 10 rows: 2 NULL ids, 3 bad emails, 2 ages out of range; row 9 has a bad email AND a bad age.
  await engine.run(`CREATE TABLE staging.people AS SELECT * FROM (VALUES
    (1, 'a@x.com', 30),
    (2, 'b@x.com', 40),
    (NULL, 'c@x.com', 50),
    (NULL, 'd@x.com', 20),
    (5, 'not-an-email', 25),
    (6, 'e@x.com', 7),
    (7, 'also bad', 33),
    (8, 'f@x.com', NULL),
    (9, 'bad@@', 200),
    (10, NULL, 44)) t(id, email, age)`);
});
afterAll(async () => engine.close());

beforeEach(() => {
  db = new Database(":memory:");
  for (const m of MIGRATIONS.filter((m) => m.version <= 2)) for (const s of m.statements) db.exec(s);
  store = new SqlQualityStore(new SqliteDatabase(db));
});
afterEach(() => db.close());

const people = { schema: "staging", name: "people" };
const passed = { schema: "staging", name: "people_passed" };

const rowSuite = defineSuite({
  name: "people",
  dataset: "people",
  expectations: [
    {
      type: "expect_column_values_to_not_be_null",
      kwargs: { column: "id" },
      name: "id_present",
      quarantine: true,
    },
    {
      type: "expect_column_values_to_match_regex",
      kwargs: { column: "email", regex: "^[^@ ]+@[^@ ]+\\.[a-z]+$" },
      name: "valid_email",
      quarantine: true,
    },
    {
      type: "expect_column_values_to_be_between",
      kwargs: { column: "age", min_value: 13, max_value: 120 },
      name: "age_13_120",
      quarantine: true,
    },
    { type: "expect_table_row_count_to_be_between", kwargs: { min_value: 1000 }, severity: "warn" },
  ],
});

async function count(sql: string): Promise<number> {
  const [row] = await engine.query<{ n: unknown }>(sql);
  return Number(row?.n);
}

describe("runSuite with quarantine", () => {
  it("splits rows: in = passed + quarantined, with every failing expectation and a reason", async () => {
    const result = await runSuite(engine, people, rowSuite, {
      runId: "run_1",
      store,
      quarantine: { passed, logicalDate: "2024-01-15", stage: "check" },
    });
    // 2 NULL ids + 3 bad emails + 2 bad ages, row 9 counted once: 6 rows quarantined.
    expect(result.quarantined).toEqual({
      rowsIn: 10,
      passed: 4,
      rows: 6,
      byExpectation: { id_present: 2, valid_email: 3, age_13_120: 2 },
      table: "quarantine.people",
    });
    expect(await count("SELECT COUNT(*) AS n FROM staging.people_passed")).toBe(4);
    expect(await count("SELECT COUNT(*) AS n FROM quarantine.people")).toBe(6);
    expect(result.quarantined!.rowsIn).toBe(result.quarantined!.passed + result.quarantined!.rows);
    const both = await engine.query(
      `SELECT "check", reason, run_id, stage, CAST(record AS VARCHAR) AS record FROM quarantine.people WHERE "check" LIKE '%;%'`,
    );
    expect(both).toHaveLength(1);
    expect(both[0]).toMatchObject({ check: "valid_email; age_13_120", run_id: "run_1", stage: "check" });
    expect(String(both[0]!.reason)).toMatch(/^email bad@@ fails valid_email: .*; age 200 fails age_13_120: /);
    expect(JSON.parse(String(both[0]!.record))).toEqual({ id: 9, email: "bad@@", age: 200 });
    // The passed table keeps exactly the source's columns, and none of the bad rows.
    expect(await engine.query("SELECT id FROM staging.people_passed ORDER BY id")).toEqual([
      { id: 1 },
      { id: 2 },
      { id: 8 },
      { id: 10 },
    ]);
    // Quarantine expectations act by quarantining: the suite still succeeds (the warn fails).
    expect(result.success).toBe(true);
    expect(result.checks.find((c) => c.name === "valid_email")).toMatchObject({
      success: false,
      action: "quarantine",
    });
    expect(result.score).toMatchObject({
      rows: 0.4,
      validRows: 4,
      rowCount: 10,
      passedChecks: 0,
      totalChecks: 4,
    });
  });

  it("can leave the passed rows as a view, replacing a table (or view) of an earlier run", async () => {
    const viewed = { schema: "staging", name: "people_passed_view" };
    const tableType = async () =>
      (
        await engine.query<{ t: string }>(
          "SELECT table_type AS t FROM information_schema.tables WHERE table_schema = 'staging' AND table_name = 'people_passed_view'",
        )
      ).map((r) => r.t);
    await runSuite(engine, people, rowSuite, {
      quarantine: { passed: viewed, logicalDate: "2024-01-17", stage: "check" },
    });
    expect(await tableType()).toEqual(["BASE TABLE"]);
    for (let i = 0; i < 2; i++) {
      const result = await runSuite(engine, people, rowSuite, {
        quarantine: { passed: viewed, passedAsView: true, logicalDate: "2024-01-17", stage: "check" },
      });
      expect(result.quarantined).toMatchObject({ rowsIn: 10, passed: 4, rows: 6 });
      expect(await tableType()).toEqual(["VIEW"]);
      expect(await engine.query("SELECT id FROM staging.people_passed_view ORDER BY id")).toEqual([
        { id: 1 },
        { id: 2 },
        { id: 8 },
        { id: 10 },
      ]);
    }
    await runSuite(engine, people, rowSuite, {
      quarantine: { passed: viewed, logicalDate: "2024-01-17", stage: "check" },
    });
    expect(await tableType()).toEqual(["BASE TABLE"]);
  });

  it("is idempotent for the logical date and stage", async () => {
    for (let i = 0; i < 2; i++) {
      await runSuite(engine, people, rowSuite, {
        quarantine: { passed, logicalDate: "2024-01-16", stage: "check" },
      });
    }
    expect(
      await count("SELECT COUNT(*) AS n FROM quarantine.people WHERE logical_date = DATE '2024-01-16'"),
    ).toBe(6);
  });

  it("without a quarantine, quarantine expectations fail by their severity", async () => {
    const error = await runSuite(engine, people, rowSuite).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SuiteFailedError);
    expect(error).toMatchObject({ code: "QUALITY_FAILED", exitCode: 1 });
    expect(
      (error as SuiteFailedError).result.checks.filter((c) => c.action === "fail" && !c.success),
    ).toHaveLength(3);
    expect((error as Error).message).toMatch(
      /suite "people" failed on people: id_present \(2 of 10 unexpected/,
    );
  });

  it("refuses to quarantine with an aggregate expectation", async () => {
    expect(() =>
      defineSuite({
        expectations: [
          { type: "expect_table_row_count_to_be_between", kwargs: { min_value: 1 }, quarantine: true },
        ],
      }),
    ).toThrow(/only row-level .* can quarantine rows/);
  });
});

describe("runSuite severities", () => {
  const suite = (severity: "error" | "warn") =>
    defineSuite({
      name: "s",
      expectations: [
        { type: "expect_column_values_to_not_be_null", kwargs: { column: "email" }, severity },
        { type: "expect_column_values_to_not_be_null", kwargs: { column: "id" }, severity: "warn" },
      ],
    });

  it("error fails with a QualityError carrying the result, after recording it", async () => {
    const error = await runSuite(engine, people, suite("error"), { store }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SuiteFailedError);
    const result = (error as SuiteFailedError).result;
    expect(result.success).toBe(false);
    const [stored] = await qualityHistory(store, "staging.people");
    expect(stored).toMatchObject({ id: result.checkId, success: false });
  });

  it("warn records the failure and continues", async () => {
    const result = await runSuite(engine, people, suite("warn"), { store });
    expect(result.success).toBe(true);
    expect(result.checks.map((c) => [c.success, c.action])).toEqual([
      [false, "warn"],
      [false, "warn"],
    ]);
    const [stored] = await qualityHistory(store, "staging.people");
    expect(stored!.results.map((r) => [r.name, r.success, r.unexpectedCount])).toEqual([
      ["expect_column_values_to_not_be_null(email)", false, 1],
      ["expect_column_values_to_not_be_null(id)", false, 2],
    ]);
  });

  it("failOnError: false returns the failed result instead of throwing", async () => {
    const result = await runSuite(engine, people, suite("error"), { failOnError: false });
    expect(result.success).toBe(false);
  });
});

describe("runSuite history, anomalies and schema changes", () => {
  it("stores every run with time, dataset, run and scores, and reads them back", async () => {
    const result = await runSuite(engine, people, rowSuite, {
      runId: "run_7",
      store,
      now: new Date("2024-01-16T00:00:00Z"),
      quarantine: { passed, logicalDate: "2024-01-15", stage: "check" },
    });
    const [stored] = await qualityHistory(store, "people");
    expect(stored).toMatchObject({
      id: result.checkId,
      runId: "run_7",
      dataset: "people",
      suite: "people",
      checkedAt: "2024-01-16T00:00:00.000Z",
      success: true,
      rowCount: 10,
      score: { checks: 0, rows: 0.4 },
      metrics: { row_count: 10 },
    });
    expect(stored!.results.map((r) => [r.name, r.success, r.unexpectedCount ?? null])).toEqual([
      ["id_present", false, 2],
      ["valid_email", false, 3],
      ["age_13_120", false, 2],
      ["expect_table_row_count_to_be_between", false, null],
    ]);
    expect(stored!.columns).toEqual([
      { name: "id", type: "integer" },
      { name: "email", type: "varchar" },
      { name: "age", type: "integer" },
    ]);
  });

  it("flags a planted row-count drop after enough history, and nothing before", async () => {
    const suite = defineSuite({
      name: "daily",
      anomalies: { metrics: ["row_count", "null_rate:v"], minHistory: 5 },
    });
    const sizes = [1000, 1012, 990, 1005, 997, 1003, 120];
    const statuses: string[] = [];
    for (const [day, n] of sizes.entries()) {
      await engine.run(
        `CREATE OR REPLACE TABLE staging.daily AS SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE i END AS v FROM range(${n}) t(i)`,
      );
      const r = await runSuite(engine, { schema: "staging", name: "daily" }, suite, {
        store,
        now: new Date(Date.UTC(2024, 0, 10 + day)),
      });
      statuses.push(r.anomalies!.map((a) => a.status).join(","));
      expect(r.success).toBe(true); // anomalies default to warn
    }
    expect(statuses).toEqual([
      "insufficient_history,insufficient_history",
      "insufficient_history,insufficient_history",
      "insufficient_history,insufficient_history",
      "insufficient_history,insufficient_history",
      "insufficient_history,insufficient_history",
      "ok,ok",
      "anomaly,ok",
    ]);
    const history = await store.metricHistory("staging.daily", "row_count");
    expect(history.map((p) => p.value)).toEqual(sizes);
  });

  it("reports schema changes against the previous run as breaking or additive", async () => {
    const suite = defineSuite({ name: "contract", schema: { columns: [{ name: "id", type: "integer" }] } });
    const t = { schema: "staging", name: "evolving" };
    await engine.run("CREATE OR REPLACE TABLE staging.evolving (id INTEGER, name VARCHAR, score DOUBLE)");
    const first = await runSuite(engine, t, suite, { store, now: new Date("2024-01-01T00:00:00Z") });
    expect(first.schema).toMatchObject({ success: true });
    expect(first.schema!.changes).toBeUndefined();
    await engine.run("ALTER TABLE staging.evolving ADD COLUMN city VARCHAR");
    const additive = await runSuite(engine, t, suite, { store, now: new Date("2024-01-02T00:00:00Z") });
    expect(additive.schema!.changes).toEqual({
      breaking: [],
      additive: [{ column: "city", change: "added", to: "varchar" }],
    });
    expect(additive.success).toBe(true);
    await engine.run("ALTER TABLE staging.evolving DROP COLUMN name");
    await engine.run("ALTER TABLE staging.evolving ALTER score TYPE VARCHAR");
    const error = (await runSuite(engine, t, suite, { store, now: new Date("2024-01-03T00:00:00Z") }).catch(
      (e: unknown) => e,
    )) as SuiteFailedError;
    expect(error.result.schema!.changes!.breaking).toEqual([
      { column: "name", change: "removed", from: "varchar" },
      { column: "score", change: "type_changed", from: "double", to: "varchar" },
    ]);
    expect(error.message).toMatch(/schema_contract \(breaking: column name \(varchar\) was removed/);
  });

  it("checks freshness against the injected now", async () => {
    await engine.run(
      "CREATE OR REPLACE TABLE staging.events AS SELECT TIMESTAMP '2024-01-15 10:00:00' AS ts",
    );
    const suite = defineSuite({ freshness: { column: "ts", maxAge: "6h" } });
    const fresh = await runSuite(engine, { schema: "staging", name: "events" }, suite, {
      now: new Date("2024-01-15T15:00:00Z"),
    });
    expect(fresh.freshness).toMatchObject({ success: true });
    const stale = await runSuite(engine, { schema: "staging", name: "events" }, suite, {
      now: new Date("2024-01-15T17:00:00Z"),
      failOnError: false,
    });
    expect(stale.success).toBe(false);
    expect(stale.checks.at(-1)).toMatchObject({ name: "freshness(ts)", success: false, action: "fail" });
  });
});

describe("hostile names and values", () => {
  it("quarantines rows of columns named like SQL, with quotes in the values", async () => {
    const col = `we"ird'; DROP TABLE staging.people; --`;
    const q = engine.dialect.quoteIdent(col);
    await engine.run(
      `CREATE OR REPLACE TABLE staging."odd ""table""" AS SELECT * FROM (VALUES (1, 'it''s'), (NULL, 'x"y'), (3, NULL)) t(${q}, "v'al")`,
    );
    const suite = defineSuite({
      dataset: `odd "dataset"`,
      expectations: [
        { type: "expect_column_values_to_not_be_null", kwargs: { column: col }, quarantine: true },
      ],
    });
    const result = await runSuite(engine, { schema: "staging", name: `odd "table"` }, suite, {
      store,
      quarantine: {
        passed: { schema: "staging", name: `odd "passed"` },
        logicalDate: "2024-01-15",
        stage: "check",
      },
    });
    expect(result.quarantined).toMatchObject({ rowsIn: 3, passed: 2, rows: 1 });
    const [row] = await engine.query(
      `SELECT reason, CAST(record AS VARCHAR) AS record FROM quarantine."odd ""dataset"""`,
    );
    expect(JSON.parse(String(row!.record))).toEqual({ [col]: null, "v'al": 'x"y' });
    expect(String(row!.reason)).toContain(`${col} NULL fails`);
    expect(await count("SELECT COUNT(*) AS n FROM staging.people")).toBe(10);
  });
});
