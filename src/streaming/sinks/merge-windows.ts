import type { RecordBatch } from "../../core/batch.js";
import type { TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";

let stages = 0;

/**
 * Upserts an epoch's window rows into a DuckDB table with one `MERGE` joined on the key,
 * the target scanned only from the epoch's earliest window on (windows arrive in time
 * order, so DuckDB's zone maps skip the older row groups). DuckDB keeps a unique index in
 * an in-memory ART that makes `INSERT … ON CONFLICT` cost several microseconds a row on a
 * growing table (measured ~7× slower than this at 1M window rows); the sink is the only
 * writer of its table and claims every epoch in the same transaction, so the key stays
 * unique without the index.
 */
export async function mergeWindows(
  tx: Engine,
  target: TableRef,
  windows: RecordBatch,
  key: readonly string[],
): Promise<void> {
  const q = tx.dialect;
  const stage: TableRef = { name: `weir_window_stage_${process.pid}_${++stages}` };
  await tx.createTable(stage, windows.schema, { temporary: true });
  try {
    await tx.load(stage, [windows]);
    const s = q.quoteTable(stage);
    const t = q.quoteTable(target);
    const on = key.map((k) => `weir_t.${q.quoteIdent(k)} = weir_s.${q.quoteIdent(k)}`).join(" AND ");
    const first = q.quoteIdent(key[0]!);
    await tx.run(
      `MERGE INTO ${t} AS weir_t USING ${s} AS weir_s ON (${on} AND weir_t.${first} >= (SELECT min(${first}) FROM ${s})) ` +
        "WHEN MATCHED THEN UPDATE WHEN NOT MATCHED THEN INSERT",
    );
  } finally {
    await tx.run(`DROP TABLE IF EXISTS ${q.quoteTable(stage)}`);
  }
}
