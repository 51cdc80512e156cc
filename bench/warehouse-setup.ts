/**
 * Shared pieces of the warehouse benchmark (`bench/warehouse.ts`): the models (the
 * reference warehouse's `dim_users` and `fact_user_events` shapes, in a bench schema, each
 * twice — one table weir loads, one the hand-written SQL loads), the daily users snapshots
 * and small helpers (timing, result comparison, PostgreSQL scratch database).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { dimUsersSpec } from "../examples/warehouse/warehouse.js";
import { newId } from "../src/core/ids.js";
import type { TableRef } from "../src/core/types.js";
import type { Engine } from "../src/engines/engine.js";
import { PostgresEngine } from "../src/engines/postgres/postgres-engine.js";
import { type DimensionModel, defineDimension } from "../src/warehouse/model/define-dimension.js";
import { defineFact, type FactModel } from "../src/warehouse/model/define-fact.js";
import { modelTable } from "../src/warehouse/model/define-warehouse.js";
import { REPO_ROOT } from "./customers-csv.js";

export const DATA_DIR = path.join(process.env.TMPDIR ?? "/tmp", "weir-bench");
export const DAYS = 7;
const SEED = 7;

/** The date of snapshot `day` (day 0 = 2024-06-01). */
export function dateOfDay(day: number): string {
  return new Date(Date.parse("2024-06-01T00:00:00Z") + day * 86_400_000).toISOString().slice(0, 10);
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, value };
}

export const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
export const s = (seconds: number) => `${seconds.toFixed(2)} s`;

/** The reference `dim_users` (examples/warehouse/warehouse.ts) under another name and schema. */
export function usersDimension(schema: string, name: string): DimensionModel {
  return defineDimension({ ...dimUsersSpec, name, schema });
}

/**
 * The reference `fact_user_events` shape keyed to `dim` as of `created_at` (the event type
 * kept as text: the bench measures the as-of lookup), monthly partitions on PostgreSQL,
 * loads replacing days.
 */
export function eventsFact(schema: string, name: string, dim: DimensionModel): FactModel {
  return defineFact({
    name,
    schema,
    grain: ["event_id"],
    columns: {
      event_id: "bigint",
      date_key: { type: "integer", nullable: false },
      time_key: { type: "integer", nullable: false },
      session_id: "uuid",
      event_type: "varchar",
      page_url: "varchar",
      amount: "decimal(18,2)",
      created_at: { type: "timestamptz", nullable: false },
    },
    dimensionKeys: [
      { column: "user_key", dimension: dim, naturalKey: { user_id: "user_id" }, asOf: "created_at" },
    ],
    partitionBy: { column: "date_key", granularity: "month" },
    loadBy: "date_key",
    indexes: [["user_key", "date_key"]],
  });
}

/**
 * The users snapshot CSV of `day` for `users` users: the shared generator
 * (`../shared/datagen`, seed 7) when it is there, else examples/warehouse's builtin one.
 * Cached under /tmp/weir-bench.
 */
export async function usersCsv(users: number, day: number): Promise<string> {
  mkdirSync(DATA_DIR, { recursive: true });
  const datagen = path.resolve(REPO_ROOT, "../shared/datagen/datagen.mjs");
  if (existsSync(datagen)) {
    const file = path.join(DATA_DIR, `wh-users-${users}-s${SEED}-d${day}.csv`);
    if (!existsSync(file)) {
      execFileSync(process.execPath, [datagen, "users", String(users), file, String(SEED), String(day)], {
        stdio: ["ignore", "ignore", "ignore"],
      });
    }
    return file;
  }
  const dir = path.join(DATA_DIR, `wh-builtin-${users}-s${SEED}`);
  const file = path.join(dir, "users", `users_${dateOfDay(day)}.csv`);
  if (!existsSync(file)) {
    const { generateWarehouseData } = await import("../examples/warehouse/generate-data.js");
    generateWarehouseData(dir, { users, events: 0, days: DAYS, seed: SEED, preferDatagen: false });
  }
  return file;
}

const SNAPSHOT_COLUMNS =
  "user_id UUID, email VARCHAR, first_name VARCHAR, last_name VARCHAR, registration_date DATE, user_segment VARCHAR, is_active BOOLEAN, updated_at TIMESTAMP";

/** Loads a snapshot CSV into a typed table of `engine` (not timed: both sides read the same table). */
export async function loadSnapshotTable(
  engine: Engine,
  table: TableRef,
  csv: string,
  url?: string,
): Promise<void> {
  const d = engine.dialect;
  await engine.run(d.dropTable(table));
  if (engine.kind === "duckdb") {
    const columns = SNAPSHOT_COLUMNS.split(", ")
      .map((c) => c.split(" "))
      .map(([name, type]) => `'${name}': '${type}'`)
      .join(", ");
    await engine.run(
      `CREATE TABLE ${d.quoteTable(table)} AS SELECT * FROM read_csv(${d.quoteLiteral(csv)}, header = true, columns = {${columns}})`,
    );
    return;
  }
  await engine.run(`CREATE TABLE ${d.quoteTable(table)} (${SNAPSHOT_COLUMNS})`);
  execFileSync(
    "psql",
    [url!, "-v", "ON_ERROR_STOP=1", "-c", `\\copy ${d.quoteTable(table)} FROM '${csv}' CSV HEADER`],
    {
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  await engine.run(`ANALYZE ${d.quoteTable(table)}`);
}

/**
 * Rows in one table and not the other (both ways, duplicates counted): 0 when the two
 * hold the same rows. Column lists in model order, so tables of one model compare.
 */
export async function rowDifference(engine: Engine, a: TableRef, b: TableRef, columns: readonly string[]) {
  const d = engine.dialect;
  const cols = columns.map((c) => d.quoteIdent(c)).join(", ");
  const side = (x: TableRef, y: TableRef) =>
    `SELECT count(*) AS n FROM (SELECT ${cols} FROM ${d.quoteTable(x)} EXCEPT ALL SELECT ${cols} FROM ${d.quoteTable(y)}) AS t`;
  const [r1] = await engine.query<{ n: unknown }>(side(a, b));
  const [r2] = await engine.query<{ n: unknown }>(side(b, a));
  return Number(r1!.n) + Number(r2!.n);
}

export async function count(engine: Engine, table: TableRef): Promise<number> {
  const [r] = await engine.query<{ n: unknown }>(
    `SELECT count(*) AS n FROM ${engine.dialect.quoteTable(table)}`,
  );
  return Number(r!.n);
}

export const tableOf = modelTable;

/** A PostgreSQL database of its own for one bench run, dropped (with everything in it) by `drop`. */
export async function scratchDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `weir_bench_wh_${newId()
    .replace(/[^a-z0-9]/gi, "")
    .toLowerCase()
    .slice(0, 20)}`;
  const admin = await PostgresEngine.create({ url: baseUrl, poolSize: 1 });
  await admin.run(`CREATE DATABASE ${admin.dialect.quoteIdent(name)}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.run(`DROP DATABASE IF EXISTS ${admin.dialect.quoteIdent(name)} WITH (FORCE)`);
      await admin.close();
    },
  };
}
