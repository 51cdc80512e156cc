import type { TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { FACT_LOADS, ledgerTableName } from "./ledger-tables.js";

/**
 * The `load_seq` the next load of `table` gets: one more than its last (1 for its first).
 * Loads of one table are numbered on their own; read it in the load's transaction.
 */
export async function nextFactLoadSeq(engine: Engine, table: TableRef | string): Promise<number> {
  const [row] = await engine.query<{ seq: unknown }>(
    `SELECT coalesce(max(load_seq), 0) + 1 AS seq FROM ${engine.dialect.quoteTable(FACT_LOADS)} WHERE table_name = $1`,
    [ledgerTableName(table)],
  );
  return Number(row!.seq);
}

/**
 * Records a fact load of `table` that replaced the rows of `values` (its `loadBy` values as
 * text, e.g. `2024-06-01`; repeats are kept once), in the load's transaction `engine`.
 * Returns the load's `load_seq` (see {@link nextFactLoadSeq}). Writers of one table must
 * run one after the other, or two of them (even of different values) would take the same
 * seq: the fact loader locks the fact table first on PostgreSQL and queues its writes
 * in-process on DuckDB.
 */
export async function recordFactLoad(
  engine: Engine,
  table: TableRef | string,
  values: readonly string[],
): Promise<number> {
  const seq = await nextFactLoadSeq(engine, table);
  const distinct = [...new Set(values)];
  if (distinct.length === 0) return seq;
  const rows = distinct.map((_, i) => `($1, $2, $${i + 3})`).join(", ");
  await engine.run(
    `INSERT INTO ${engine.dialect.quoteTable(FACT_LOADS)} (load_seq, table_name, load_value) VALUES ${rows}`,
    [seq, ledgerTableName(table), ...distinct],
  );
  return seq;
}

/**
 * The `loadBy` values replaced by loads of `table` after load `seq` (distinct, sorted), and
 * the last such load's seq (`seq` itself when there was none): what an incremental
 * aggregate that has taken in loads up to `seq` must recompute.
 */
export async function factLoadsSince(
  engine: Engine,
  table: TableRef | string,
  seq: number,
): Promise<{ values: string[]; maxSeq: number }> {
  const rows = await engine.query<{ load_value: string; max_seq: unknown }>(
    `SELECT load_value, max(load_seq) AS max_seq FROM ${engine.dialect.quoteTable(FACT_LOADS)}
     WHERE table_name = $1 AND load_seq > $2 GROUP BY load_value ORDER BY load_value`,
    [ledgerTableName(table), seq],
  );
  return {
    values: rows.map((r) => r.load_value),
    maxSeq: rows.reduce((max, r) => Math.max(max, Number(r.max_seq)), seq),
  };
}
