import type { Engine } from "../../engines/engine.js";
import { serialWrites } from "../../engines/serial-writes.js";
import { loadValue, sortValues } from "../facts/load-values.js";
import {
  aggregateState,
  ensureLedger,
  factLoadsSince,
  ledgerTableName,
  setAggregateState,
} from "../ledger/index.js";
import { observedLoad } from "../lineage-notes.js";
import type { AggregateModel } from "../model/define-aggregate.js";
import { modelTable } from "../model/define-warehouse.js";
import { AggregateRefreshError } from "./aggregate-error.js";
import { aggregateSelect, keyFilter, keyFilterParam } from "./aggregate-sql.js";

export interface RefreshResult {
  /** `full`: every group recomputed; `incremental`: only `values`; `none`: no fact load since the last refresh. */
  mode: "incremental" | "full" | "none";
  /** The `incrementalKey` values recomputed (incremental only), in order. */
  values: (number | string)[];
  rowsDeleted: number;
  rowsInserted: number;
  /** The fact ledger's `load_seq` the aggregate is now up to date with. */
  loadSeq: number;
}

/**
 * Brings an aggregate table up to date with its fact. The fact ledger
 * (`weir_warehouse.fact_loads`) lists the `loadBy` values each fact load replaced; the
 * values loaded after the aggregate's `last_load_seq` are the groups to recompute:
 *
 *   DELETE FROM agg WHERE key IN (values);
 *   INSERT INTO agg (cols) SELECT cols FROM (<select>) AS weir_aggregate WHERE key IN (values);
 *
 * with the values bound as ONE array parameter, and the new `last_load_seq` — all in one
 * transaction, so readers see the old groups or the new ones. The key filter sits on
 * grouping columns of the subquery, which both planners push below its GROUP BY onto the
 * fact rows (see `keyFilter`), so the work is proportional to the touched days.
 *
 * The first refresh (no state yet) and `{ full: true }` replace every row. A refresh with
 * no new fact load changes nothing (`mode: "none"`).
 *
 * Concurrency: refreshes of one aggregate queue in-process on DuckDB (`serialWrites`), where
 * loads of one fact queue too, so their `load_seq`s are given in commit order. On
 * PostgreSQL the transaction locks the aggregate table against other writers (readers go
 * on) and takes a SHARE lock on the fact table before reading the ledger: a fact load
 * writes the fact before it takes its `load_seq`, so every load holding a seq is either
 * committed (and read here) or waited for, and loads that start meanwhile wait and get a
 * higher seq. Without it, two loads of different days of one fact could both take seq N
 * and the later one, committed after this refresh read N, would never be taken in.
 */
export async function refreshAggregate(
  engine: Engine,
  agg: AggregateModel,
  options: { full?: boolean } = {},
): Promise<RefreshResult> {
  return observedLoad(
    engine,
    modelTable(agg),
    { sql: agg.select },
    () => refreshAggregateUnobserved(engine, agg, options),
    { rows: (r) => r.rowsInserted },
  );
}

async function refreshAggregateUnobserved(
  engine: Engine,
  agg: AggregateModel,
  options: { full?: boolean } = {},
): Promise<RefreshResult> {
  await ensureLedger(engine);
  const table = modelTable(agg);
  const name = ledgerTableName(table);
  const fact = ledgerTableName(modelTable(agg.from));
  const d = engine.dialect;
  const target = d.quoteTable(table);
  const cols = agg.columns.map((c) => d.quoteIdent(c.name)).join(", ");
  // Ledger values are text: the key column's type turns them back into numbers where it is numeric.
  const keyType = agg.columns.find((c) => c.name === agg.incrementalKey)!.type;
  return serialWrites(engine, table, () =>
    engine.transaction(async (tx) => {
      if (d.features.writersWait) {
        await tx.run(`LOCK TABLE ${target} IN SHARE ROW EXCLUSIVE MODE`);
        await tx.run(`LOCK TABLE ${d.quoteTable(modelTable(agg.from))} IN SHARE MODE`);
      }
      const last = await aggregateState(tx, name);
      const loads = await factLoadsSince(tx, fact, last ?? 0);
      const full = options.full === true || last === undefined;
      if (!full && loads.values.length === 0) {
        return { mode: "none" as const, values: [], rowsDeleted: 0, rowsInserted: 0, loadSeq: last };
      }
      const values = full ? [] : sortValues(loads.values.map((v) => loadValue(keyType, v)));
      const where = full ? undefined : keyFilter(tx, agg, 1);
      const params = full ? [] : [keyFilterParam(tx, values)];
      const what = full
        ? `full refresh of aggregate ${name} from ${fact}`
        : `incremental refresh of aggregate ${name} from ${fact} for ${agg.incrementalKey} ${preview(values)}`;
      try {
        const rowsDeleted = await tx.run(`DELETE FROM ${target}${where ? ` WHERE ${where}` : ""}`, params);
        const rowsInserted = await tx.run(
          `INSERT INTO ${target} (${cols}) ${aggregateSelect(tx, agg, where)}`,
          params,
        );
        const loadSeq = Math.max(loads.maxSeq, last ?? 0);
        await setAggregateState(tx, name, loadSeq);
        return {
          mode: full ? ("full" as const) : ("incremental" as const),
          values,
          rowsDeleted,
          rowsInserted,
          loadSeq,
        };
      } catch (error) {
        throw new AggregateRefreshError(what, error, { aggregate: name, fact, values: values.slice(0, 100) });
      }
    }),
  );
}

function preview(values: readonly (number | string)[]): string {
  const shown = values.slice(0, 10).join(", ");
  return values.length > 10 ? `${shown}, … (${values.length} values)` : shown;
}
