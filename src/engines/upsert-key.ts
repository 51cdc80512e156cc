import type { Row } from "../core/batch.js";
import { EngineError, WeirError } from "../core/errors.js";
import type { TableRef } from "../core/types.js";
import { tableLabel } from "../core/types.js";
import type { Engine } from "./engine.js";

/** DuckDB's statement-time unique violation; it names the violated key's first column (`"id: 7"`, `"a: 1, b: 2"`). */
const DUPLICATE_KEY = /Duplicate key "(.*)" violates (primary key|unique) constraint/;

/** How often adding the key is tried when another writer is adding the same one at the same moment. */
const KEY_ATTEMPTS = 5;

/**
 * The column lists of `table`'s unique keys (primary key included); a NULL entry is a key
 * part that is an expression, not a column.
 */
export async function uniqueKeysOf(engine: Engine, table: TableRef): Promise<(string | null)[][]> {
  const { sql, params } = engine.dialect.uniqueKeys(table);
  const rows = await engine.query<{ key_name: unknown; column_name: unknown }>(sql, params);
  const columnsByKey = new Map<string, (string | null)[]>();
  for (const row of rows) {
    const name = String(row.key_name);
    const column = typeof row.column_name === "string" ? row.column_name : null;
    columnsByKey.set(name, [...(columnsByKey.get(name) ?? []), column]);
  }
  return [...columnsByKey.values()];
}

/**
 * True when `table` has a unique key on exactly the `key` columns (in any order), so
 * `INSERT … ON CONFLICT (key)` can use it.
 */
export async function hasUniqueKey(
  engine: Engine,
  table: TableRef,
  key: readonly string[],
): Promise<boolean> {
  const wanted = new Set(key);
  return (await uniqueKeysOf(engine, table)).some(
    (columns) => columns.length === wanted.size && columns.every((c) => c !== null && wanted.has(c)),
  );
}

/**
 * Makes sure an existing `table` has a unique key on `key` before an upsert, so the upsert
 * is one atomic `INSERT … ON CONFLICT` even against writers in other processes. A table
 * without one gets a unique index (weir's own, see `Dialect.uniqueKeyIndexName`) when its
 * rows allow it; when two rows already share a key it is refused, naming the table, the key
 * and one duplicated key value. A missing table is left alone: it is created with the key
 * as primary key by the write itself. Returns true when the table has the key now. The index stays even if the write then fails: it
 * only states what every upsert into the table already requires.
 *
 * Run it outside the write's transaction where possible: PostgreSQL's CREATE INDEX blocks
 * writers of the table until it commits, and two writers adding it inside their own write
 * transactions would deadlock. Two writers adding it at once collide on the index name;
 * the loser looks again and finds the winner's index.
 */
export async function ensureUpsertKey(
  engine: Engine,
  table: TableRef,
  key: readonly string[],
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const schema = await engine.describe(table);
    // A missing table, or key columns it lacks, are the write's to report (it knows the input).
    if (!schema || !key.every((k) => schema.fields.some((f) => f.name === k))) return false;
    if (await hasUniqueKey(engine, table, key)) return true;
    await refuseDuplicateKeys(engine, table, key);
    try {
      await engine.run(engine.dialect.createUniqueKey(table, key));
      return true;
    } catch (error) {
      // Rows added meanwhile (an append) may have made a key repeat: say which. Inside a
      // transaction the failed statement aborted it, so that look may fail too; then the
      // original error is the one to report.
      const duplicate = await findDuplicateKey(engine, table, key).catch(() => undefined);
      if (duplicate) throw duplicateKeyError(table, key, duplicate);
      if (!(error instanceof WeirError) || !error.retryable || attempt >= KEY_ATTEMPTS) throw error;
    }
  }
}

async function refuseDuplicateKeys(engine: Engine, table: TableRef, key: readonly string[]): Promise<void> {
  const duplicate = await findDuplicateKey(engine, table, key);
  if (duplicate) throw duplicateKeyError(table, key, duplicate);
}

/** One key value that two or more rows of `table` share, with `weir_rows` = how many. */
async function findDuplicateKey(
  engine: Engine,
  table: TableRef,
  key: readonly string[],
): Promise<Row | undefined> {
  const d = engine.dialect;
  const keys = key.map((k) => d.quoteIdent(k)).join(", ");
  // NULL keys are left out: a unique index accepts any number of them, and they never match an upsert.
  const set = key.map((k) => `${d.quoteIdent(k)} IS NOT NULL`).join(" AND ");
  const rows = await engine.query(
    `SELECT ${keys}, count(*) AS weir_rows FROM ${d.quoteTable(table)} WHERE ${set} GROUP BY ${keys} HAVING count(*) > 1 LIMIT 1`,
  );
  return rows[0];
}

function duplicateKeyError(table: TableRef, key: readonly string[], duplicate: Row): EngineError {
  const label = tableLabel(table);
  const rows = Number(duplicate.weir_rows);
  const value = Object.fromEntries(key.map((k) => [k, duplicate[k]]));
  const shown = key.map((k) => `${JSON.stringify(k)} = ${showValue(duplicate[k])}`).join(", ");
  return new EngineError(
    "SCHEMA_MISMATCH",
    `cannot upsert into ${label} by key (${key.map((k) => JSON.stringify(k)).join(", ")}): the table has no unique key on it and cannot get one, because ${rows} rows have ${shown}; remove the duplicate rows or upsert by a key that is unique`,
    { details: { table: label, key: [...key], duplicate: value, rows } },
  );
}

function showValue(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  return JSON.stringify(value) ?? String(value);
}

/**
 * DuckDB checks an upsert's `ON CONFLICT` against the transaction's snapshot: a key that
 * another transaction committed after this one began fails the statement with a duplicate
 * key on the upsert key itself, which can mean nothing else. Run again, the upsert sees
 * that row and updates it, so that error is marked retryable; a duplicate on any other
 * unique key of the table is left as it is (it fails again every time).
 */
export function keyRaceRetryable(error: unknown, key: readonly string[]): unknown {
  if (!(error instanceof EngineError) || error.retryable) return error;
  const violated = DUPLICATE_KEY.exec(error.message)?.[1];
  if (violated === undefined || !violated.startsWith(`${key[0]}: `)) return error;
  return new EngineError(error.code, error.message, {
    cause: error.cause,
    retryable: true,
    details: error.details,
  });
}
