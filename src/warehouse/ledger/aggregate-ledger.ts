import type { Engine } from "../../engines/engine.js";
import { AGGREGATE_STATE } from "./ledger-tables.js";

/** The last fact `load_seq` aggregate `name` has taken in, or undefined before its first refresh. */
export async function aggregateState(engine: Engine, name: string): Promise<number | undefined> {
  const [row] = await engine.query<{ seq: unknown }>(
    `SELECT last_load_seq AS seq FROM ${engine.dialect.quoteTable(AGGREGATE_STATE)} WHERE aggregate_name = $1`,
    [name],
  );
  return row === undefined ? undefined : Number(row.seq);
}

/** Records that aggregate `name` has taken in fact loads up to `seq`, in the refresh's transaction. */
export async function setAggregateState(engine: Engine, name: string, seq: number): Promise<void> {
  await engine.run(
    `INSERT INTO ${engine.dialect.quoteTable(AGGREGATE_STATE)} (aggregate_name, last_load_seq) VALUES ($1, $2)
     ON CONFLICT (aggregate_name) DO UPDATE SET last_load_seq = excluded.last_load_seq`,
    [name, seq],
  );
}
