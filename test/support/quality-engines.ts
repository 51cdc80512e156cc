import type { Row } from "../../src/core/batch.js";
import { batchFromRows } from "../../src/core/batch.js";
import type { Schema, TableRef } from "../../src/core/types.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../../src/engines/engine.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { POSTGRES_URL, postgresAvailable } from "./servers.js";

/**
 * The engines a quality test runs on: DuckDB always, PostgreSQL when the server answers.
 * Each test file gets its own schema on both (a per-process suffix on PostgreSQL, so
 * files and checkouts running at once never share one).
 */
export interface QualityEngine {
  name: "duckdb" | "postgres";
  engine: Engine;
  schema: string;
}

/** The engines to run on, for `describe.each`. */
export const QUALITY_ENGINES: readonly QualityEngine["name"][] = postgresAvailable
  ? ["duckdb", "postgres"]
  : ["duckdb"];

export async function openQualityEngine(name: QualityEngine["name"], prefix: string): Promise<QualityEngine> {
  const schema = `${prefix}_${process.pid}`;
  if (name === "duckdb") {
    const duck = await DuckDBEngine.create();
    await duck.run(`CREATE SCHEMA ${schema}`);
    return { name, engine: duck, schema };
  }
  const pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 });
  await pg.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pg.run(`CREATE SCHEMA ${schema}`);
  return { name, engine: pg, schema };
}

export async function closeQualityEngine(e: QualityEngine | undefined): Promise<void> {
  if (!e) return;
  if (e.name === "postgres") await e.engine.run(`DROP SCHEMA IF EXISTS ${e.schema} CASCADE`).catch(() => {});
  await e.engine.close();
}

/** Creates `name` with weir's types for `schema` and loads `values` (one array per row) in order. */
export async function loadTable(
  e: QualityEngine,
  name: string,
  schema: Schema,
  values: readonly unknown[][],
): Promise<TableRef> {
  const table = { schema: e.schema, name };
  await e.engine.createTable(table, schema);
  const columns = schema.fields.map((f) => f.name);
  const rows: Row[] = values.map((v) => Object.fromEntries(columns.map((c, i) => [c, v[i]])));
  if (rows.length > 0) await e.engine.load(table, [batchFromRows(schema, rows)]);
  return table;
}
