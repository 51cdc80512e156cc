import type { TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { sqlTypeName } from "../model/column-types.js";
import { runDdl } from "./run-ddl.js";
import type { TableDefinition } from "./table-definition.js";

/**
 * `CREATE TABLE IF NOT EXISTS` for a definition. Every identifier is quoted. A partitioned
 * fact on PostgreSQL is `PARTITION BY RANGE (column)`; its partitions are created on demand
 * by the loader (`ensurePartitions`).
 */
export function createTableStatement(
  engine: Engine,
  def: TableDefinition,
  table: TableRef = def.table,
): string {
  const d = engine.dialect;
  const cols = def.columns.map(
    (c) => `${d.quoteIdent(c.name)} ${sqlTypeName(engine.kind, c.type)}${c.nullable ? "" : " NOT NULL"}`,
  );
  if (def.primaryKey) {
    const pk = def.partitioning ? [...def.primaryKey, def.partitioning.column] : def.primaryKey;
    cols.push(`PRIMARY KEY (${[...new Set(pk)].map((c) => d.quoteIdent(c)).join(", ")})`);
  }
  const partition = def.partitioning ? ` PARTITION BY RANGE (${d.quoteIdent(def.partitioning.column)})` : "";
  return `CREATE TABLE IF NOT EXISTS ${d.quoteTable(table)} (${cols.join(", ")})${partition}`;
}

/** `CREATE INDEX IF NOT EXISTS <table>_<columns>_idx ON table (columns)`. */
export function createIndexStatement(engine: Engine, table: TableRef, columns: readonly string[]): string {
  const d = engine.dialect;
  return `CREATE INDEX IF NOT EXISTS ${d.quoteIdent(indexName(table.name, columns))} ON ${d.quoteTable(table)} (${columns.map((c) => d.quoteIdent(c)).join(", ")})`;
}

/**
 * `CREATE TABLE IF NOT EXISTS` for a definition, plus its indexes (`CREATE INDEX IF NOT
 * EXISTS`, named `<table>_<columns>_idx`, hashed when long).
 */
export function createTableStatements(engine: Engine, def: TableDefinition): string[] {
  return [
    createTableStatement(engine, def),
    ...def.indexes.map((index) => createIndexStatement(engine, def.table, index)),
  ];
}

/** `<table>_<col>_<col>_idx`, cut to 63 bytes with a hash suffix when longer. */
export function indexName(table: string, columns: readonly string[]): string {
  return boundedName(`${table}_${columns.join("_")}_idx`);
}

/**
 * A generated name kept within PostgreSQL's 63 bytes (longer ones would be truncated
 * silently, and two could collide): a longer name is cut to 50 bytes plus 8 hex digits of
 * its FNV-1a hash.
 */
export function boundedName(name: string): string {
  if (Buffer.byteLength(name) <= 63) return name;
  let hash = 0x811c9dc5;
  for (const ch of Buffer.from(name)) hash = Math.imul(hash ^ ch, 0x01000193) >>> 0;
  let cut = name.slice(0, 50);
  while (Buffer.byteLength(cut) > 50) cut = cut.slice(0, -1);
  return `${cut}_${hash.toString(16).padStart(8, "0")}`;
}

/** Creates the schema (when named) and the table with its indexes, race-safe; `applyWarehouse` does more. */
export async function createModelTable(engine: Engine, def: TableDefinition): Promise<void> {
  if (def.table.schema !== undefined) await engine.createSchema(def.table.schema);
  for (const sql of createTableStatements(engine, def)) await runDdl(engine, sql);
}
