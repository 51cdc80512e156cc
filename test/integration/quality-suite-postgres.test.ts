import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { MIGRATIONS } from "../../src/metadata/migrations.js";
import { PostgresDatabase } from "../../src/metadata/postgres-database.js";
import { SqlQualityStore } from "../../src/metadata/sql-quality-store.js";
import { profileDataset } from "../../src/quality/profile.js";
import { qualityHistory } from "../../src/quality/quality-history.js";
import { runSuite } from "../../src/quality/run-suite.js";
import { suggestSuite } from "../../src/quality/suggest-suite.js";
import { defineSuite } from "../../src/quality/suite.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

// Suites, quarantine, profiling and the quality history on PostgreSQL (engine and metadata).
const SCHEMA = "weir_quality_suite_pg";
const DATASET = `${SCHEMA} "people"`;
const COL = `i"d; DROP TABLE x --`;

describe.skipIf(!postgresAvailable)("quality suites on PostgreSQL", () => {
  let engine: PostgresEngine;
  let client: pg.Client;
  let pool: pg.Pool;
  let store: SqlQualityStore;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.query(`CREATE SCHEMA ${SCHEMA}`);
    engine = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 });
    const q = engine.dialect.quoteIdent(COL);
    await engine.run(
      `CREATE TABLE ${SCHEMA}.people (${q} INTEGER, email VARCHAR, age INTEGER, "note's" TEXT)`,
    );
    await engine.run(`INSERT INTO ${SCHEMA}.people VALUES
      (1, 'a@x.com', 30, 'it''s'),
      (2, 'b@x.com', 40, NULL),
      (NULL, 'c@x.com', 50, 'x"y'),
      (4, 'nope', 20, '<b>'),
      (5, 'e@x.com', 7, ''),
      (6, 'bad', 200, 'both')`);
    // The metadata tables in this file's schema, through the store's PostgreSQL seam.
    pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2, options: `-c search_path=${SCHEMA}` });
    for (const m of MIGRATIONS.filter((m) => m.version <= 2))
      for (const s of m.statements) await pool.query(s);
    store = new SqlQualityStore(new PostgresDatabase(pool));
  });
  afterAll(async () => {
    await engine?.close();
    await pool?.end();
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.query(`DROP TABLE IF EXISTS quarantine."${DATASET.replaceAll('"', '""')}"`);
    await client.end();
  });

  const people = { schema: SCHEMA, name: "people" };

  it("quarantines failing rows (in = passed + quarantined) and records the run", async () => {
    const suite = defineSuite({
      name: "people",
      dataset: DATASET,
      expectations: [
        {
          type: "expect_column_values_to_not_be_null",
          kwargs: { column: COL },
          name: "id_present",
          quarantine: true,
        },
        {
          type: "expect_column_values_to_match_regex",
          kwargs: { column: "email", regex: "^[^@]+@[^@]+\\.[a-z]+$" },
          name: "valid_email",
          quarantine: true,
        },
        {
          type: "expect_column_values_to_be_between",
          kwargs: { column: "age", min_value: 13, max_value: 120 },
          name: "age_13_120",
          quarantine: true,
        },
        { type: "expect_column_values_to_be_unique", kwargs: { column: COL } },
      ],
      anomalies: { metrics: ["row_count", "null_rate:email", `distinct_count:${COL}`, "mean:age"] },
    });
    const result = await runSuite(engine, people, suite, {
      runId: "run_pg",
      store,
      now: new Date("2024-01-16T00:00:00Z"),
      quarantine: {
        passed: { schema: SCHEMA, name: "people_passed" },
        logicalDate: "2024-01-15",
        stage: "check",
      },
    });
    expect(result.quarantined).toMatchObject({
      rowsIn: 6,
      passed: 2,
      rows: 4,
      byExpectation: { id_present: 1, valid_email: 2, age_13_120: 2 },
    });
    const { rows: passed } = await client.query(`SELECT COUNT(*)::int AS n FROM ${SCHEMA}.people_passed`);
    const { rows: filed } = await client.query(
      `SELECT "check", record::text AS record FROM quarantine."${DATASET.replaceAll('"', '""')}" ORDER BY "check"`,
    );
    expect(passed[0].n + filed.length).toBe(6);
    expect(filed.map((r) => r.check)).toEqual([
      "age_13_120",
      "id_present",
      "valid_email",
      "valid_email; age_13_120",
    ]);
    expect(JSON.parse(filed[1].record)).toEqual({ [COL]: null, email: "c@x.com", age: 50, "note's": 'x"y' });
    expect(result.success).toBe(true);
    expect(result.metrics).toMatchObject({
      row_count: 6,
      "null_rate:email": 0,
      [`distinct_count:${COL}`]: 5,
    });
    expect(result.metrics["mean:age"]).toBeCloseTo(57.833, 3);

    const [stored] = await qualityHistory(store, DATASET);
    expect(stored).toMatchObject({
      id: result.checkId,
      runId: "run_pg",
      rowCount: 6,
      success: true,
      score: { rows: 2 / 6 },
      metrics: { row_count: 6 },
    });
    expect(stored!.results.map((r) => [r.name, r.success])).toEqual([
      ["id_present", false],
      ["valid_email", false],
      ["age_13_120", false],
      [`expect_column_values_to_be_unique(${COL})`, true],
      ["anomaly(row_count)", true],
      ["anomaly(null_rate:email)", true],
      [`anomaly(distinct_count:${COL})`, true],
      ["anomaly(mean:age)", true],
    ]);
    expect(await store.latestColumns(DATASET)).toEqual([
      { name: COL, type: "integer" },
      { name: "email", type: "varchar" },
      { name: "age", type: "integer" },
      { name: "note's", type: "varchar" },
    ]);
  });

  it("runs from the CLI against PostgreSQL with --engine, exiting 1 on failure", () => {
    const dir = mkdtempSync(join(tmpdir(), "weir-quality-pg-cli-"));
    try {
      writeFileSync(
        join(dir, "suite.yaml"),
        "expectations:\n  - { type: expect_column_values_to_be_between, kwargs: { column: age, min_value: 13, max_value: 120 } }\n",
      );
      const run = (table: string) =>
        spawnSync(
          process.execPath,
          [
            "--import",
            "tsx",
            "src/cli/main.ts",
            "check",
            table,
            "--suite",
            join(dir, "suite.yaml"),
            "--engine",
            POSTGRES_URL,
            "--json",
          ],
          {
            cwd: resolve(import.meta.dirname, "../.."),
            env: { ...process.env, WEIR_HOME: join(dir, "home") },
            encoding: "utf8",
          },
        );
      const failing = run(`${SCHEMA}.people`);
      expect(failing.status, failing.stderr).toBe(1);
      expect(JSON.parse(failing.stdout).checks[0]).toMatchObject({
        success: false,
        samples: [7, 200],
        message: "2 of 6 unexpected (33.33 %)",
      });
      const passing = run(`${SCHEMA}.people_passed`);
      expect(passing.status, passing.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it("profiles in two scans and suggests a suite that passes on the same data", async () => {
    const profile = await profileDataset(engine, people);
    expect(profile.scans).toBe(2);
    const id = profile.columns.find((c) => c.name === COL)!;
    expect(id).toMatchObject({ count: 5, nullCount: 1, distinctCount: 5, min: 1, max: 6 });
    expect(id.numeric).toMatchObject({ mean: 3.6, p50: 4 });
    const note = profile.columns.find((c) => c.name === "note's")!;
    expect(note.length).toEqual({ min: 0, max: 4, mean: 2.8 });
    const suite = defineSuite(suggestSuite(profile));
    const result = await runSuite(engine, people, suite, { failOnError: false });
    expect(result.checks.filter((c) => !c.success)).toEqual([]);
    expect(result.success).toBe(true);
  });
});
