import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedCustomers } from "../../examples/customers/seed.js";
import { Secret } from "../../src/config/secret.js";
import { newId } from "../../src/core/ids.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../../src/engines/engine.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { AuditLog } from "../../src/governance/audit/audit-log.js";
import { listErasures } from "../../src/governance/erasure/erasure-record.js";
import type { ErasureReport } from "../../src/governance/erasure/erasure-types.js";
import { piiDigest } from "../../src/governance/policies/pii-digest.js";
import { Lake } from "../../src/lake/lake.js";
import { SqliteMetadataStore } from "../../src/metadata/sqlite-metadata-store.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { ROOT, runWeir } from "../support/weir-process.js";

/**
 * `weir erase` end to end on the customers example: two days are run, a customer of the
 * first day lands in dim_customers (its email only as `email_hash`, by the example's
 * policy) and in the raw lake; a change of the same customer the next day fails the age
 * check, so the customer is also in quarantine and in a second lake partition. A dry run
 * lists all of it and changes nothing; the erasure removes it (a re-scan of every dataset
 * finds nothing, everyone else stays); a second erasure removes nothing and succeeds; the
 * audit chain verifies and the erasures table holds the requests by digest only.
 */
const EXAMPLE = join(ROOT, "examples/customers");
const DAYS = ["2024-01-15", "2024-01-16"];
const HASH_KEY = "erase-cli-hash-key-0123456789abcdef";
const TOKEN_KEY = "erase-cli-token-key-0123456789abcdef";

/**
 * A clean customer updated on the first day, changed again on the second day with an age
 * the suite quarantines (age_13_120): its email is then in the dimension, both lake
 * partitions and quarantine.
 */
function plantSubject(source: string): string {
  const crm = new Database(source);
  try {
    const row = crm
      .prepare(
        `SELECT customer_id, email FROM customers
         WHERE updated_at >= '2024-01-15' AND updated_at < '2024-01-16' AND age BETWEEN 20 AND 90
           AND email LIKE '%_@_%.__%' AND email NOT LIKE 'old.%' AND registration_date LIKE '20__-__-__'
           AND last_activity LIKE '20__-__-__ __:__:__'
           AND customer_id IN (SELECT customer_id FROM customers GROUP BY customer_id HAVING count(*) = 1)
           AND email IN (SELECT email FROM customers GROUP BY email HAVING count(*) = 1)
         ORDER BY customer_id LIMIT 1`,
      )
      .get() as { customer_id: number; email: string };
    crm
      .prepare(
        `INSERT INTO customers (customer_id, name, email, registration_date, last_activity, updated_at, age, phone, country)
         SELECT customer_id, name, email, registration_date, last_activity, '2024-01-16 12:00:00', 150, phone, country
         FROM customers WHERE customer_id = ?`,
      )
      .run(row.customer_id);
    return row.email;
  } finally {
    crm.close();
  }
}

interface Census {
  dim: number;
  dimAll: number;
  lake: number;
  lakeAll: number;
  quarantine: number;
  quarantineAll: number;
}

/** The subject's rows in every dataset (by each form it takes there), and all rows. */
async function census(warehouse: Engine, home: string, email: string): Promise<Census> {
  const count = async (engine: Engine, sql: string, params: unknown[] = []) =>
    Number((await engine.query<{ n: unknown }>(sql, params))[0]!.n);
  const digest = piiDigest(email, new Secret("WEIR_PII_HASH_KEY", HASH_KEY), "lower-trim");
  const lakeEngine = await DuckDBEngine.create();
  try {
    const from = await (await Lake.open({ root: join(home, "lake"), engine: lakeEngine }))
      .dataset("lake.raw.customers")
      .scanSql();
    return {
      dim: await count(warehouse, "SELECT count(*) AS n FROM dim_customers WHERE email_hash = $1", [digest]),
      dimAll: await count(warehouse, "SELECT count(*) AS n FROM dim_customers"),
      lake: await count(lakeEngine, `SELECT count(*) AS n FROM ${from} WHERE email = $1`, [email]),
      lakeAll: await count(lakeEngine, `SELECT count(*) AS n FROM ${from}`),
      quarantine: await count(
        warehouse,
        `SELECT count(*) AS n FROM quarantine.customers WHERE (CAST(record AS ${warehouse.dialect.typeName("json")}) ->> 'email') = $1`,
        [email],
      ),
      quarantineAll: await count(warehouse, "SELECT count(*) AS n FROM quarantine.customers"),
    };
  } finally {
    await lakeEngine.close();
  }
}

const subjectRows = (c: Census) => ({ dim: c.dim, lake: c.lake, quarantine: c.quarantine });

function expectFound(report: ErasureReport): void {
  expect(
    report.datasets.map((d) => ({
      dataset: d.dataset,
      kind: d.kind,
      columns: d.columns,
      matches: d.matches,
      rows: d.rows,
      partitions: d.partitions,
    })),
  ).toEqual([
    {
      dataset: "lake.raw.customers",
      kind: "lake",
      columns: ["email"],
      matches: ["raw"],
      rows: 2,
      partitions: ["year=2024/month=01/day=15", "year=2024/month=01/day=16"],
    },
    {
      dataset: "dim_customers",
      kind: "table",
      columns: ["email_hash"],
      matches: ["hashed"],
      rows: 1,
      partitions: undefined,
    },
    {
      dataset: "quarantine.customers",
      kind: "quarantine",
      columns: ["email"],
      matches: ["raw"],
      rows: 1,
      partitions: undefined,
    },
  ]);
  expect(report.plan.notSearchable).toContainEqual(
    expect.objectContaining({ dataset: "dim_customers", column: "email_masked" }),
  );
}

/** The erasure steps, on the warehouse `open` opens; the same for DuckDB and PostgreSQL. */
function eraseScenario(
  setup: () => {
    env: Record<string, string>;
    home: string;
    email: () => string;
    open: () => Promise<Engine>;
  },
) {
  const weir = (...args: string[]) => runWeir(args, setup().env);
  const scan = async () => {
    const engine = await setup().open();
    try {
      return await census(engine, setup().home, setup().email());
    } finally {
      await engine.close();
    }
  };
  let before: Census;

  it("--dry-run lists the dimension, both lake partitions and quarantine, and changes nothing", async () => {
    before = await scan();
    expect(subjectRows(before)).toEqual({ dim: 1, lake: 2, quarantine: 1 });
    const json = await weir("erase", "--subject", `email=${setup().email()}`, "--dry-run", "--json");
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as ErasureReport;
    expect(report.dryRun).toBe(true);
    expectFound(report);
    expect(report.rows).toBe(4);
    const text = await weir("erase", "--subject", `email=${setup().email()}`, "--dry-run");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/dataset\s+kind\s+column\s+match\s+would remove/);
    expect(text.stdout).toMatch(/dim_customers\s+table\s+email_hash\s+hashed\s+1/);
    expect(text.stdout).toContain("dim_customers.email_masked: masked (email)");
    // The value is never echoed back.
    for (const out of [json.stdout, text.stdout, json.stderr, text.stderr]) {
      expect(out).not.toContain(setup().email());
    }
    expect(await scan()).toEqual(before);
  }, 120_000);

  it("erases the subject: a re-scan of every dataset finds nothing, everyone else stays", async () => {
    const result = await weir("erase", "--subject", `email=${setup().email()}`, "--reason", "ticket 4711");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/dataset\s+kind\s+column\s+match\s+rows removed/);
    expect(result.stdout).toContain("4 rows removed from 3 datasets");
    expect(result.stdout + result.stderr).not.toContain(setup().email());
    expect(await scan()).toEqual({
      dim: 0,
      dimAll: before.dimAll - 1,
      lake: 0,
      lakeAll: before.lakeAll - 2,
      quarantine: 0,
      quarantineAll: before.quarantineAll - 1,
    });
  }, 120_000);

  it("a second erasure removes nothing and succeeds; the audit chain verifies", async () => {
    const again = await weir(
      "erase",
      "--subject",
      `email=${setup().email()}`,
      "--reason",
      "ticket 4711",
      "--json",
    );
    expect(again.code, again.stderr).toBe(0);
    const report = JSON.parse(again.stdout) as ErasureReport;
    expect(report).toMatchObject({ dryRun: false, rows: 0, datasets: [] });
    const [verify, list] = await Promise.all([
      weir("audit", "verify"),
      weir("audit", "list", "--action", "erase", "--json"),
    ]);
    expect(verify.code, verify.stderr).toBe(0);
    const entries = JSON.parse(list.stdout) as {
      dataset: string;
      rows: number;
      actor: string;
      reason: string;
    }[];
    expect(entries.map((e) => [e.dataset, e.rows]).sort()).toEqual([
      ["dim_customers", 1],
      ["lake.raw.customers", 2],
      ["quarantine.customers", 1],
    ]);
    expect(entries.every((e) => e.actor === "dpo" && e.reason === "ticket 4711")).toBe(true);
  }, 120_000);
}

/** The erasures table (SQLite store of the home) holds every request, by digest only; the chain verifies. */
async function expectRecords(home: string, email: string): Promise<void> {
  const store = await SqliteMetadataStore.open({ path: join(home, "weir.db") });
  try {
    const records = await listErasures(store.database);
    expect(records.map((r) => [r.dryRun, r.removed?.rows])).toEqual([
      [false, 0],
      [false, 4],
      [true, 4],
      [true, 4],
    ]);
    for (const r of records) {
      expect(r).toMatchObject({ subjectColumn: "email", requestedBy: "dpo" });
      expect(r.finishedAt).toBeDefined();
      expect(r.subjectDigest).toBe(`hmac-sha256:${piiDigest(email, new Secret("k", HASH_KEY))}`);
    }
    const text = JSON.stringify([
      await store.database.all("SELECT * FROM erasures"),
      await store.database.all("SELECT * FROM audit_log"),
    ]);
    expect(text).not.toContain(email);
    expect((await new AuditLog(store.database).verify()).ok).toBe(true);
  } finally {
    await store.close();
  }
}

async function runDays(env: Record<string, string>, source: string): Promise<void> {
  for (const day of DAYS) {
    const run = await runWeir(["run", EXAMPLE, "--date", day, "--param", `source=${source}`], env);
    expect(run.code, run.stderr + run.stdout).toBe(0);
  }
}

const baseEnv = {
  WEIR_METADATA_URL: "",
  WEIR_PII_HASH_KEY: HASH_KEY,
  WEIR_TOKEN_KEY: TOKEN_KEY,
  WEIR_USER: "dpo",
};

describe("weir erase on the customers example, DuckDB warehouse", () => {
  let dir: string;
  let home: string;
  let email: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-erase-cli-"));
    const source = join(dir, "crm.sqlite");
    seedCustomers({ path: source, rows: 4000 });
    email = plantSubject(source);
    home = join(dir, "home");
    env = { ...baseEnv, WEIR_HOME: home, WEIR_WAREHOUSE_URL: "" };
    await runDays(env, source);
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  eraseScenario(() => ({
    env,
    home,
    email: () => email,
    open: () => DuckDBEngine.create({ path: join(home, "warehouse.duckdb") }),
  }));

  it("keeps every request in the erasures table without the raw email", async () => {
    await expectRecords(home, email);
  });
});

describe.skipIf(!postgresAvailable)("weir erase on the customers example, PostgreSQL warehouse", () => {
  let dir: string;
  let home: string;
  let email: string;
  let env: Record<string, string>;
  let admin: pg.Client;
  let database: string;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-erase-pg-"));
    const source = join(dir, "crm.sqlite");
    seedCustomers({ path: source, rows: 4000 });
    email = plantSubject(source);
    // A database of its own: the example writes fixed names (dim_customers, quarantine.customers).
    database = `weir_erase_${newId().toLowerCase()}`;
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    const u = new URL(POSTGRES_URL);
    u.pathname = `/${database}`;
    url = u.toString();
    home = join(dir, "home");
    env = { ...baseEnv, WEIR_HOME: home, WEIR_WAREHOUSE_URL: url };
    await runDays(env, source);
  }, 240_000);
  afterAll(async () => {
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  eraseScenario(() => ({
    env,
    home,
    email: () => email,
    open: () => PostgresEngine.create({ url, poolSize: 1 }),
  }));

  it("keeps every request in the erasures table without the raw email", async () => {
    await expectRecords(home, email);
  });
});
