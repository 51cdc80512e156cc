import type { TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";

/**
 * Serializes the loads of one warehouse table on PostgreSQL, as the first statement of
 * their transaction (snapshot loads of a dimension; loads and repairs of a fact). For a
 * dimension, two loads of one snapshot would both find it not loaded yet and both cut
 * versions. For a fact: each reads the ledger's last `load_seq` and takes the
 * next, so two loads of different days side by side could both take seq N, and an
 * aggregate refresh that read N after the first committed would never take in the second.
 * `SHARE ROW EXCLUSIVE` conflicts with itself and with the `SHARE` lock a refresh takes on
 * the fact, not with readers. A writer locks the fact only (never an aggregate), and a
 * refresh locks its aggregate then the fact, so the two cannot wait on each other in a
 * cycle. On DuckDB the callers queue writes of the table in-process (`serialWrites`).
 */
export async function lockForLoad(tx: Engine, table: TableRef): Promise<void> {
  if (tx.dialect.features.writersWait) {
    await tx.run(`LOCK TABLE ${tx.dialect.quoteTable(table)} IN SHARE ROW EXCLUSIVE MODE`);
  }
}
