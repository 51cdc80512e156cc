import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  dateOfDay,
  generateWarehouseData,
  type WarehouseData,
} from "../../examples/warehouse/generate-data.js";
import pipeline from "../../examples/warehouse/pipeline.js";
import { dimUsers, factUserEvents, userDailyMetrics } from "../../examples/warehouse/warehouse.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../../src/engines/engine.js";
import { openEngine } from "../../src/engines/open-engine.js";
import { Lake } from "../../src/lake/lake.js";
import { SqliteMetadataStore } from "../../src/metadata/sqlite-metadata-store.js";
import { runPipeline } from "../../src/orchestrator/run-pipeline.js";
import { compareWithFullRecompute } from "../../src/warehouse/aggregates/compare-with-full-recompute.js";
import { tableContentHash } from "../../src/warehouse/content-hash.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

/**
 * The reference warehouse (examples/warehouse) loaded day by day for 7 days, on the
 * embedded DuckDB warehouse and, unchanged, on PostgreSQL: the SCD2 dimension matches the
 * generator's ground truth, the incremental aggregate equals a full recompute after every
 * day, re-running a day changes nothing, and every table's content hash is the same on
 * both engines.
 */
const DAYS = 7;
const USERS = 2_000;
const EVENTS = 60_000;
const TABLES = [
  "dim_users",
  "dim_event_types",
  "dim_date",
  "dim_time",
  "fact_user_events",
  "user_daily_metrics",
];
const id = randomBytes(4).toString("hex");
const database = `weir_t_wh_${id}`;

let dir: string;
let data: WarehouseData;

interface Warehouse {
  engine: Engine;
  /** What each day's first `extract_events` reported. */
  extracts: { rejected: number; skipped: number }[];
  run(day: number): Promise<void>;
  close(): Promise<void>;
}

async function openWarehouseFor(kind: "duckdb" | "postgres", home: string): Promise<Warehouse> {
  const lakeEngine = await DuckDBEngine.create({ path: join(home, "warehouse.duckdb") });
  const engine =
    kind === "duckdb"
      ? lakeEngine
      : await openEngine(POSTGRES_URL.replace(/\/[^/?]*(\?|$)/, `/${database}$1`));
  const lake = await Lake.open({ root: join(home, "lake"), engine: lakeEngine });
  const metadata = await SqliteMetadataStore.open({ path: join(home, "weir.db") });
  const extracts: Warehouse["extracts"] = [];
  return {
    engine,
    extracts,
    run: async (day) => {
      const result = await runPipeline(pipeline, {
        logicalDate: dateOfDay(day),
        params: { users: data.usersDir, events: data.eventsDir },
        engine,
        lake,
        metadata,
      });
      expect(
        result.state,
        `${dateOfDay(day)}: ${result.error?.message} ${String((result.error?.cause as Error)?.stack)}`,
      ).toBe("succeeded");
      const extract = result.outputs.extract_events as { rejected: number; skipped: number };
      extracts[day] ??= extract;
    },
    close: async () => {
      if (engine !== lakeEngine) await engine.close();
      await lakeEngine.close();
      await metadata.close();
    },
  };
}

async function hashes(engine: Engine): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of TABLES) {
    const h = await tableContentHash(engine, { name: table });
    out[table] = `${h.rows}:${h.hash}`;
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-wh-example-"));
  data = generateWarehouseData(join(dir, "data"), { users: USERS, events: EVENTS, days: DAYS });
  if (postgresAvailable) {
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    await admin.end();
  }
}, 120_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!postgresAvailable) return;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await admin.end();
});

const results: Partial<Record<"duckdb" | "postgres", Record<string, string>>> = {};

for (const kind of ["duckdb", "postgres"] as const) {
  describe.skipIf(kind === "postgres" && !postgresAvailable)(`warehouse example on ${kind}`, () => {
    let wh: Warehouse;
    beforeAll(async () => {
      wh = await openWarehouseFor(kind, join(dir, kind));
    });
    afterAll(async () => wh?.close());

    it("loads 7 days: SCD2 matches the ground truth, aggregates equal a full recompute after every day", async () => {
      for (let day = 0; day < DAYS; day++) {
        await wh.run(day);
        const compare = await compareWithFullRecompute(wh.engine, userDailyMetrics);
        expect(compare, `aggregate after ${dateOfDay(day)}`).toMatchObject({ equal: true });
      }
      const e = wh.engine;
      const q = (t: string) => e.dialect.quoteIdent(t);
      const [versions] = await e.query<{ n: number; current: number; closed_open: number }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE is_current) AS current,
           count(*) FILTER (WHERE is_current AND expiry_date IS NOT NULL) AS closed_open
         FROM ${q(dimUsers.name)} WHERE user_key >= 0`,
      );
      const truth = data.days;
      const changed = truth.slice(1).reduce((s, d) => s + d.changed_today, 0);
      const added = truth.slice(1).reduce((s, d) => s + d.new_today, 0);
      const deleted = truth.slice(1).reduce((s, d) => s + d.deleted_today, 0);
      expect(Number(versions!.n)).toBe(truth[0]!.users + changed + added);
      expect(Number(versions!.current)).toBe(truth[DAYS - 1]!.users);
      expect(Number(versions!.closed_open)).toBe(0);
      // Deleted users: their last version closed, none open.
      const [gone] = await e.query<{ n: number }>(
        `SELECT count(*) AS n FROM (SELECT user_id FROM ${q(dimUsers.name)} WHERE user_key >= 0
           GROUP BY user_id HAVING count(*) FILTER (WHERE is_current) = 0) AS g`,
      );
      expect(Number(gone!.n)).toBe(deleted);
      // Every event of the 7 days is a fact or in quarantine (malformed lines).
      const [facts] = await e.query<{ n: number; unknown: number }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE user_key = -1) AS unknown FROM ${q(factUserEvents.name)}`,
      );
      expect(Number(facts!.n)).toBe(data.events.lines - data.events.malformed);
      // … and each malformed line is either in quarantine with its file, line and reason, or
      // (a JSON object DuckDB reads, with no timestamp) counted as skipped by its day's extract.
      const quarantined = await e.query<{ n: number; located: number }>(
        `SELECT count(*) AS n, count(*) FILTER (WHERE location LIKE '%events_%.ndjson' AND line > 0 AND reason <> '') AS located
         FROM quarantine.user_events`,
      );
      const rejected = wh.extracts.reduce((s, x) => s + x.rejected, 0);
      const skipped = wh.extracts.reduce((s, x) => s + x.skipped, 0);
      expect(quarantined.map((r) => [Number(r.n), Number(r.located)])).toEqual([[rejected, rejected]]);
      expect(rejected + skipped).toBe(data.events.malformed);
      results[kind] = await hashes(e);
    }, 300_000);

    it("re-running a day leaves every table identical", async () => {
      const before = await hashes(wh.engine);
      await wh.run(3);
      await wh.run(DAYS - 1);
      expect(await hashes(wh.engine)).toEqual(before);
    }, 120_000);
  });
}

describe.skipIf(!postgresAvailable)("warehouse example on both engines", () => {
  it("every table's content hash is the same on DuckDB and PostgreSQL", () => {
    expect(results.duckdb).toBeDefined();
    expect(results.postgres).toEqual(results.duckdb);
  });
});
