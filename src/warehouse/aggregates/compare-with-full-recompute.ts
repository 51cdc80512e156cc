import type { Row } from "../../core/batch.js";
import type { Engine } from "../../engines/engine.js";
import type { AggregateModel } from "../model/define-aggregate.js";
import { aggregateSelect, aggregateTableSql } from "./aggregate-sql.js";

/** The aggregate's full SELECT, run now, ordered by `groupBy`: what a full refresh would write. For tests and small aggregates. */
export async function recomputeAggregate(engine: Engine, agg: AggregateModel): Promise<Row[]> {
  const order = agg.groupBy.map((c) => engine.dialect.quoteIdent(c)).join(", ");
  return engine.query(`${aggregateSelect(engine, agg)} ORDER BY ${order}`);
}

export interface AggregateComparison {
  /** The table holds exactly the full recompute's rows (as multisets). */
  equal: boolean;
  /** Rows of the full recompute the table lacks (at most `limit`). */
  missing: Row[];
  /** Rows of the table the full recompute does not give (at most `limit`). */
  extra: Row[];
}

/**
 * Compares the aggregate table with a full recompute of its SELECT, both ways with
 * `EXCEPT ALL` on the engine (duplicates count). Double columns summed in another order
 * may differ in their last bits; aggregates meant to be compared keep money in decimals.
 */
export async function compareWithFullRecompute(
  engine: Engine,
  agg: AggregateModel,
  limit = 20,
): Promise<AggregateComparison> {
  const d = engine.dialect;
  const cols = agg.columns.map((c) => d.quoteIdent(c.name)).join(", ");
  const table = `SELECT ${cols} FROM ${aggregateTableSql(engine, agg)}`;
  const full = aggregateSelect(engine, agg);
  const diff = (a: string, b: string) =>
    engine.query(`SELECT * FROM (${a} EXCEPT ALL ${b}) AS weir_diff LIMIT ${Math.max(1, Math.floor(limit))}`);
  const missing = await diff(full, table);
  const extra = await diff(table, full);
  return { equal: missing.length === 0 && extra.length === 0, missing, extra };
}
