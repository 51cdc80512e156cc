import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { MIGRATIONS, SCHEMA_MIGRATIONS_DDL } from "../../src/metadata/migrations.js";
import { quarantine } from "../../src/quality/quarantine.js";
import { between, checkRows, matches, notNull, uniqueBy } from "../../src/quality/row-checks.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

// Row checks, quarantine and the metadata migrations are written to run on PostgreSQL too.
const SCHEMA = "weir_pipeline_quality_pg";

describe.skipIf(!postgresAvailable)("quality and metadata SQL on PostgreSQL", () => {
  let engine: PostgresEngine;
  let client: pg.Client;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.query(`CREATE SCHEMA ${SCHEMA}`);
    engine = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 });
  });
  afterAll(async () => {
    await engine?.close();
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    // Quarantine tables always live in the `quarantine` schema; this file's is named after its schema.
    await client.query(`DROP TABLE IF EXISTS quarantine.people_${SCHEMA}`);
    await client.end();
  });

  it("applies the metadata migrations unchanged", async () => {
    await client.query("BEGIN");
    await client.query(`SET LOCAL search_path TO ${SCHEMA}`);
    await client.query(SCHEMA_MIGRATIONS_DDL);
    for (const m of MIGRATIONS) {
      for (const statement of m.statements) await client.query(statement);
      await client.query("INSERT INTO schema_migrations VALUES ($1, $2, $3)", [m.version, m.name, "now"]);
    }
    await client.query("COMMIT");
    const { rows } = await client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
      [SCHEMA],
    );
    expect(rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining([
        "cursors",
        "runs",
        "schema_migrations",
        "quality_checks",
        "quality_results",
        "quality_metrics",
      ]),
    );
  });

  it("splits rows by checks and quarantines the failures with reasons", async () => {
    const t = (name: string) => ({ schema: SCHEMA, name });
    await engine.run(
      `CREATE TABLE ${SCHEMA}.people (id INTEGER, email VARCHAR, age INTEGER, updated_at TIMESTAMP)`,
    );
    await engine.run(`INSERT INTO ${SCHEMA}.people VALUES
      (1, 'a@x.com', 30, '2024-01-15 01:00:00'),
      (2, 'bad-email', 40, '2024-01-15 02:00:00'),
      (NULL, 'c@x.com', 50, '2024-01-15 03:00:00'),
      (5, 'e@x.com', 25, '2024-01-15 05:00:00'),
      (5, 'e2@x.com', 26, '2024-01-15 09:00:00'),
      (6, 'nope', 200, '2024-01-15 06:00:00')`);
    const result = await checkRows(engine, {
      source: t("people"),
      passed: t("people_ok"),
      failed: t("people_bad"),
      checks: [
        notNull("id"),
        matches("email", /[^@\s]+@[^@\s]+\.[a-z]+/),
        between("age", 13, 120),
        uniqueBy("id", { latestBy: "updated_at" }),
      ],
    });
    expect(result).toEqual({
      rowsIn: 6,
      passed: 2,
      failed: 4,
      byCheck: { "not_null(id)": 1, "matches(email)": 2, "between(age)": 1, "unique(id)": 1 },
    });
    const dataset = `people_${SCHEMA}`;
    const q = await quarantine(engine, {
      dataset,
      runId: "r1",
      logicalDate: "2024-01-15",
      stage: "check",
      failed: t("people_bad"),
    });
    expect(q.rows).toBe(4);
    expect(q.byCheck["matches(email); between(age)"]).toBe(1);
    const rows = await engine.query<{ check: string; reason: string; record: unknown }>(
      `SELECT "check", reason, record FROM quarantine.${dataset} ORDER BY reason`,
    );
    expect(rows.map((r) => r.reason)).toEqual([
      "duplicate id 5: a later row (updated_at 2024-01-15 09:00:00) was kept",
      "email bad-email does not match /[^@\\s]+@[^@\\s]+\\.[a-z]+/",
      "email nope does not match /[^@\\s]+@[^@\\s]+\\.[a-z]+/; age 200 is outside 13..120",
      "id is null",
    ]);
    const record = typeof rows[3]!.record === "string" ? JSON.parse(rows[3]!.record) : rows[3]!.record;
    expect(record).toMatchObject({ id: null, email: "c@x.com" });
  });
});
