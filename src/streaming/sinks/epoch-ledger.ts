import type { Schema, TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import type { EpochOutput } from "../contracts.js";

/** Where warehouse sinks record the last epoch each (job, partition, sink) committed. */
export const EPOCHS_TABLE: TableRef = { schema: "weir_stream", name: "epochs" };

export const EPOCHS_KEY = ["job", "partition", "sink"];

export const EPOCHS_SCHEMA: Schema = {
  fields: [
    { name: "job", type: "varchar", nullable: false },
    { name: "partition", type: "varchar", nullable: false },
    { name: "sink", type: "varchar", nullable: false },
    { name: "epoch", type: "bigint", nullable: false },
    { name: "committed_at", type: "timestamptz" },
  ],
};

/**
 * Claims `output.epoch` for `sink` inside the commit's transaction `tx`: one upsert that
 * inserts the (job, partition, sink) row or raises its epoch, and changes nothing when the
 * stored epoch is already `output.epoch` or later. Returns whether it claimed, i.e. whether
 * the epoch's rows are still to be written. The row is the transaction's from then on: on
 * PostgreSQL a second process committing the same epoch waits on its row lock and, once
 * this transaction commits, finds the epoch held (and if this one rolls back, claims it
 * itself); on DuckDB the two would conflict, which is why commits are queued in-process.
 */
export async function claimEpoch(tx: Engine, sink: string, output: EpochOutput): Promise<boolean> {
  const d = tx.dialect;
  const key = EPOCHS_KEY.map((c) => d.quoteIdent(c)).join(", ");
  const changed = await tx.run(
    `INSERT INTO ${d.quoteTable(EPOCHS_TABLE)} (${key}, epoch, committed_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (${key}) DO UPDATE SET epoch = excluded.epoch, committed_at = excluded.committed_at
     WHERE ${d.quoteIdent(EPOCHS_TABLE.name)}.epoch < excluded.epoch`,
    [output.job, output.partition, sink, output.epoch, new Date().toISOString()],
  );
  return changed > 0;
}

/** The last epoch `sink` committed for the job's partition, if any. */
export async function readEpoch(
  engine: Engine,
  sink: string,
  job: string,
  partition: string,
): Promise<number | undefined> {
  if (!(await engine.describe(EPOCHS_TABLE))) return undefined;
  const d = engine.dialect;
  const rows = await engine.query<{ epoch: unknown }>(
    `SELECT epoch FROM ${d.quoteTable(EPOCHS_TABLE)} WHERE job = $1 AND ${d.quoteIdent("partition")} = $2 AND sink = $3`,
    [job, partition, sink],
  );
  return rows[0] === undefined ? undefined : Number(rows[0].epoch);
}
