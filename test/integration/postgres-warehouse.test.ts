import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCustomers } from "../../examples/customers/seed.js";
import { newId } from "../../src/core/ids.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../../src/engines/engine.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { Lake } from "../../src/lake/lake.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { ROOT, runWeir, type WeirResult } from "../support/weir-process.js";

/**
 * The customers example, unchanged, on a PostgreSQL warehouse named by WEIR_WAREHOUSE_URL:
 * `weir run` extracts into PostgreSQL staging, lands the raw lake through the lake's own
 * DuckDB, checks and loads dim_customers in PostgreSQL; the result must equal the same run
 * on the embedded DuckDB warehouse. Then `weir sql` and `weir check` on that warehouse.
 *
 * The run gets a database of its own (dropped after): the pipeline writes fixed names
 * (`quarantine.customers`, `dim_customers`) that other tests' schemas must not see.
 */
const EXAMPLE = join(ROOT, "examples/customers");
const DAY = "2024-01-15";
// A password in the URL: it must never be printed (the server trusts local users and ignores it).
const PASSWORD = "h5-not-printed-9137";

/** Every value as comparable text: engines return bigints, numbers and dates differently. */
function canonical(rows: Record<string, unknown>[]): string[] {
  return rows.map((row) =>
    JSON.stringify(
      Object.fromEntries(
        Object.keys(row)
          .sort()
          .map((k) => {
            const v = row[k];
            if (v === null || v === undefined) return [k, null];
            if (v instanceof Date) return [k, v.toISOString()];
            return [k, String(v)];
          }),
      ),
    ),
  );
}

async function lakeRows(home: string): Promise<string[]> {
  const engine = await DuckDBEngine.create();
  try {
    const lake = await Lake.open({ root: join(home, "lake"), engine });
    const from = await lake.dataset("lake.raw.customers").scanSql();
    if (!from) return [];
    return canonical(await engine.query(`SELECT * FROM ${from} ORDER BY ALL`));
  } finally {
    await engine.close();
  }
}

/** dim_customers, and quarantine.customers without run ids and times, from one engine. */
async function warehouseRows(engine: Engine): Promise<{ dim: string[]; quarantine: string[] }> {
  const dim = canonical(await engine.query("SELECT * FROM dim_customers ORDER BY customer_id"));
  const quarantine = canonical(
    await engine.query(
      `SELECT CAST(logical_date AS VARCHAR) AS logical_date, dataset, stage, "check", reason, location, line
       FROM quarantine.customers ORDER BY 1, 2, 3, 4, 5, 6, 7`,
    ),
  );
  return { dim, quarantine };
}

describe.skipIf(!postgresAvailable)("the customers pipeline on a PostgreSQL warehouse", () => {
  let dir: string;
  let source: string;
  let admin: pg.Client;
  let database: string;
  let url: string;
  let env: Record<string, string>;
  let duckHome: string;
  let pgRun: WeirResult;
  let duckRun: WeirResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-pg-warehouse-"));
    source = join(dir, "crm.sqlite");
    seedCustomers({ path: source });
    database = `weir_pgwh_${newId().toLowerCase()}`;
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const u = new URL(POSTGRES_URL);
    u.pathname = `/${database}`;
    u.password = PASSWORD;
    url = u.toString();
    env = { WEIR_HOME: join(dir, "pg-home"), WEIR_WAREHOUSE_URL: url };
    duckHome = join(dir, "duck-home");
    const args = ["run", EXAMPLE, "--date", DAY, "--param", `source=${source}`];
    // The same command on both warehouses (so the same data interval); empty is unset.
    [pgRun, duckRun] = await Promise.all([
      runWeir(args, env),
      runWeir(args, { WEIR_HOME: duckHome, WEIR_WAREHOUSE_URL: "" }),
    ]);
  }, 240_000);

  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs end to end, printing the warehouse without its password", () => {
    expect(pgRun.stderr + pgRun.stdout).not.toContain(PASSWORD);
    expect(pgRun.code, pgRun.stderr).toBe(0);
    expect(pgRun.stdout).toContain("✓ reconciled");
    expect(pgRun.stdout).toMatch(/warehouse: postgres:\/\/\*\*\*(:\*\*\*)?@127\.0\.0\.1:5432\/weir_pgwh_/);
  });

  it("gives the same dim_customers, quarantine and raw lake as the DuckDB warehouse", async () => {
    expect(duckRun.code, duckRun.stderr).toBe(0);
    expect(duckRun.stdout).toContain(`warehouse: ${join(duckHome, "warehouse.duckdb")}`);
    const duck = await DuckDBEngine.create({ path: join(duckHome, "warehouse.duckdb") });
    const postgres = await PostgresEngine.create({ url, poolSize: 1 });
    try {
      const [onDuck, onPg] = [await warehouseRows(duck), await warehouseRows(postgres)];
      // The seeded day has planted defects: a few hundred loaded, some quarantined.
      expect(onDuck.dim.length).toBeGreaterThan(100);
      expect(onDuck.quarantine.length).toBeGreaterThan(10);
      expect(onPg.dim).toEqual(onDuck.dim);
      expect(onPg.quarantine).toEqual(onDuck.quarantine);
      // No staging schema is left behind by a run that succeeded.
      const staging = await postgres.query(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'staging\\_%'",
      );
      expect(staging).toEqual([]);
    } finally {
      await duck.close();
      await postgres.close();
    }
    const [duckLake, pgLake] = [await lakeRows(duckHome), await lakeRows(env.WEIR_HOME!)];
    expect(duckLake.length).toBeGreaterThan(100);
    expect(pgLake).toEqual(duckLake);
  });

  it("weir sql queries the PostgreSQL warehouse, and only reads without --write", async () => {
    const read = await runWeir(
      ["sql", "SELECT count(*) AS n, version() AS v FROM dim_customers", "--json"],
      env,
    );
    expect(read.code, read.stderr).toBe(0);
    const [row] = JSON.parse(read.stdout) as { n: number | string; v: string }[];
    expect(Number(row!.n)).toBeGreaterThan(100);
    expect(row!.v).toMatch(/^PostgreSQL/);

    const refused = await runWeir(["sql", "CREATE TABLE weir_h5_t AS SELECT 1 AS x"], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("--write");
    expect(refused.stderr).not.toContain(PASSWORD);
    const written = await runWeir(["sql", "CREATE TABLE weir_h5_t AS SELECT 1 AS x", "--write"], env);
    expect(written.code, written.stderr).toBe(0);
    const back = await runWeir(["sql", "SELECT x FROM weir_h5_t", "--json"], env);
    expect(JSON.parse(back.stdout)).toEqual([{ x: 1 }]);
  }, 180_000);

  it("weir check runs a suite on a PostgreSQL table and on a lake dataset", async () => {
    const suite = join(EXAMPLE, "customers.suite.yaml");
    // dim_customers as landed: the policy applied (dim_customers.suite.yaml checks that too).
    const table = await runWeir(
      ["check", "dim_customers", "--suite", join(EXAMPLE, "dim_customers.suite.yaml"), "--json"],
      env,
    );
    expect(table.code, table.stderr).toBe(0);
    const onTable = JSON.parse(table.stdout) as { success: boolean; checks: unknown[] };
    expect(onTable.success).toBe(true);
    expect(onTable.checks.length).toBeGreaterThan(5);

    // The raw lake holds the rows before dedupe and checks: the suite runs (on the lake's
    // DuckDB, not PostgreSQL) and finds the planted defects.
    const lake = await runWeir(["check", "lake.raw.customers", "--suite", suite, "--json"], env);
    expect(lake.stderr).not.toContain("postgres rejected");
    const onLake = JSON.parse(lake.stdout) as { success: boolean };
    expect(lake.code).toBe(1);
    expect(onLake.success).toBe(false);
  }, 180_000);
});
