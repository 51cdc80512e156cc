import type { TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { ledgerTableName, SNAPSHOT_LOADS } from "./ledger-tables.js";

/** A snapshot loaded into a dimension, as `snapshot_loads` holds it. */
export interface SnapshotRecord {
  /** `yyyy-mm-dd`. */
  asOf: string;
  contentHash: string;
  /** The table's load count when this snapshot was loaded (1 for its first load). */
  loadedAtSeq: number;
}

const SELECT = "SELECT CAST(as_of AS VARCHAR) AS as_of, content_hash, loaded_at_seq";

type Row = { as_of: string; content_hash: string; loaded_at_seq: unknown };
const record = (r: Row): SnapshotRecord => ({
  asOf: r.as_of,
  contentHash: r.content_hash,
  loadedAtSeq: Number(r.loaded_at_seq),
});

/** The snapshot with the latest as-of date loaded into `table`, or undefined before the first. */
export async function latestSnapshot(
  engine: Engine,
  table: TableRef | string,
): Promise<SnapshotRecord | undefined> {
  const rows = await engine.query<Row>(
    `${SELECT} FROM ${engine.dialect.quoteTable(SNAPSHOT_LOADS)} WHERE table_name = $1 ORDER BY as_of DESC LIMIT 1`,
    [ledgerTableName(table)],
  );
  return rows[0] && record(rows[0]);
}

/** The snapshot of `asOf` (`yyyy-mm-dd`) loaded into `table`, if one was. */
export async function snapshotAt(
  engine: Engine,
  table: TableRef | string,
  asOf: string,
): Promise<SnapshotRecord | undefined> {
  const rows = await engine.query<Row>(
    `${SELECT} FROM ${engine.dialect.quoteTable(SNAPSHOT_LOADS)} WHERE table_name = $1 AND as_of = CAST($2 AS DATE)`,
    [ledgerTableName(table), asOf],
  );
  return rows[0] && record(rows[0]);
}

/**
 * Records that the snapshot of `asOf` with `contentHash` was loaded into `table`, in the
 * caller's transaction `engine`; a row for that date already there is replaced (a type 1
 * dimension may load a date again with other content). Returns its `loaded_at_seq`.
 */
export async function recordSnapshot(
  engine: Engine,
  table: TableRef | string,
  snapshot: { asOf: string; contentHash: string },
): Promise<number> {
  const name = ledgerTableName(table);
  const ledger = engine.dialect.quoteTable(SNAPSHOT_LOADS);
  const [row] = await engine.query<{ seq: unknown }>(
    `SELECT coalesce(max(loaded_at_seq), 0) + 1 AS seq FROM ${ledger} WHERE table_name = $1`,
    [name],
  );
  const seq = Number(row!.seq);
  await engine.run(`DELETE FROM ${ledger} WHERE table_name = $1 AND as_of = CAST($2 AS DATE)`, [
    name,
    snapshot.asOf,
  ]);
  await engine.run(
    `INSERT INTO ${ledger} (table_name, as_of, content_hash, loaded_at_seq) VALUES ($1, CAST($2 AS DATE), $3, $4)`,
    [name, snapshot.asOf, snapshot.contentHash, seq],
  );
  return seq;
}
