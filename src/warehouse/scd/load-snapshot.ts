import type { TableRef } from "../../core/types.js";
import { tableLabel } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { serialWrites } from "../../engines/serial-writes.js";
import { ensureLedger } from "../ledger/ledger-tables.js";
import { latestSnapshot, recordSnapshot, snapshotAt } from "../ledger/snapshot-ledger.js";
import { observedLoad } from "../lineage-notes.js";
import { lockForLoad } from "../load-lock.js";
import type { DimensionModel } from "../model/define-dimension.js";
import { modelTable } from "../model/define-warehouse.js";
import { upsertType1 } from "./scd1-upsert.js";
import { mergeType2 } from "./scd2-merge.js";
import { SnapshotLoadError } from "./snapshot-load-error.js";
import { snapshotDecision } from "./snapshot-order.js";
import { dropStage, STAGE, stageSnapshot } from "./snapshot-stage.js";

export interface SnapshotLoadOptions {
  /** The snapshot's date, `yyyy-mm-dd`: new versions start (and changed ones end) then. */
  asOf: string;
}

/** What a snapshot load did; every count is 0 when `skipped`. */
export interface SnapshotLoadResult {
  /** The dimension's qualified label (as in the ledger). */
  table: string;
  asOf: string;
  /** The snapshot of `asOf` was loaded before with the same content: nothing changed. */
  skipped: boolean;
  /** Keys seen for the first time (type 1: rows inserted). */
  newKeys: number;
  /** Type 2: keys whose tracked columns changed (their current version closed, a new one opened). */
  changed: number;
  /** Type 2: current versions closed because their key is missing from the snapshot (hard deletes). */
  closed: number;
  /** Type 2: keys closed by an earlier hard delete that are back, with a new version. */
  reopened: number;
  /** Keys in the snapshot whose row needed nothing (type 2: same tracked columns; SCD1 ones may differ). */
  unchanged: number;
  /** Rows overwritten in place: type 2, versions whose SCD1 columns changed; type 1, rows that changed. */
  scd1Updated: number;
  /** Rows inserted: type 2, new versions (= newKeys + changed + reopened); type 1, new keys. */
  versionsInserted: number;
}

const AS_OF = /^\d{4}-\d{2}-\d{2}$/;

/** PostgreSQL's `work_mem` during a load: a million-key snapshot's hash tables fit. */
const PG_WORK_MEM = "128MB";

/**
 * Loads one snapshot of a dimension (every row of the source as it stands on `asOf`) in
 * ONE transaction on `engine`: the rows, the closed versions and the ledger row commit
 * together, so a crash leaves the previous state or the new one.
 *
 * `input` is a table or a query whose columns include every attribute of the dimension by
 * name (others are ignored); values are cast to the model's types. A NULL natural key, or a
 * key on two rows, fails the load (naming up to 5 keys and their count) before anything
 * changes.
 *
 * Type 2 (see `mergeType2`): a key changed when its tracked columns differ from its current
 * version's — compared column by column (`IS DISTINCT FROM`), which answers as comparing
 * their hashes would, while each new version stores the md5 of its tracked columns
 * (`row-hash-sql.ts`) in the hash column; a changed key's current version gets `expiry` = the new version's
 * effective date (the as-of date, or the `effectiveFrom` column's value cast to the validity
 * type, the as-of date when NULL — that column should grow with each change, as dbt's
 * `updated_at`) and `is_current` false; SCD1 columns are overwritten on every version;
 * with `hardDeletes: "invalidate"` a key missing from the snapshot has its current version
 * closed at the as-of date, and when it comes back it gets a new version (`reopened`).
 * Snapshots load in date order; the same snapshot again is `skipped`; see
 * `snapshot-order.ts` for the rule and its errors.
 *
 * Type 1 (see `upsertType1`): an upsert by natural key, any date, hard deletes ignored.
 *
 * New surrogate keys continue from the largest so far in natural-key order (see
 * `surrogate-keys-sql.ts`), so both engines give the same keys. On PostgreSQL the
 * dimension is locked against other writers (`SHARE ROW EXCLUSIVE`: readers go on) for the
 * transaction, so two loads of one dimension run one after the other; on DuckDB the later
 * one fails on a write conflict.
 *
 * @example
 * const result = await loadSnapshot(engine, dimUsers, { schema: "staging", name: "users" }, { asOf: "2024-06-02" });
 * // { table: "dim_users", asOf: "2024-06-02", skipped: false, newKeys: 25, changed: 48, closed: 5, … }
 */
export async function loadSnapshot(
  engine: Engine,
  dim: DimensionModel,
  input: TableRef | { sql: string },
  options: SnapshotLoadOptions,
): Promise<SnapshotLoadResult> {
  return observedLoad(engine, modelTable(dim), input, () =>
    loadSnapshotUnobserved(engine, dim, input, options),
  );
}

async function loadSnapshotUnobserved(
  engine: Engine,
  dim: DimensionModel,
  input: TableRef | { sql: string },
  options: SnapshotLoadOptions,
): Promise<SnapshotLoadResult> {
  const dimTable = modelTable(dim);
  const label = tableLabel(dimTable);
  const { asOf } = options;
  checkAsOf(asOf, label);
  checkStageNames(dim, label);
  await ensureLedger(engine);
  // One load of a dimension at a time: a lock on PostgreSQL, an in-process queue on DuckDB
  // (where two transactions updating the same versions conflict instead of waiting).
  return serialWrites(engine, dimTable, () =>
    engine.transaction(async (tx) => {
      await checkDimensionTable(tx, dim, dimTable, label);
      await lockForLoad(tx, dimTable);
      if (tx.kind === "postgres") {
        // The merge's joins and its key check group a whole snapshot: with the default 4MB they
        // spill to disk in batches. For this transaction only.
        await tx.run(`SET LOCAL work_mem = '${PG_WORK_MEM}'`);
      }
      const latest = await latestSnapshot(tx, label);
      const loaded = latest?.asOf === asOf ? latest : await snapshotAt(tx, label, asOf);
      const order = { table: label, asOf, scdType: dim.scdType, latest, loaded };
      snapshotDecision({ ...order, contentHash: undefined });

      const stage = await stageSnapshot(tx, dim, dimTable, input, label);
      const result = emptyResult(label, asOf);
      if (snapshotDecision({ ...order, contentHash: stage.contentHash }) === "skip") {
        await dropStage(tx, stage);
        return { ...result, skipped: true };
      }
      if (dim.scdType === 2) {
        const counts = await mergeType2(tx, dim, dimTable, stage, asOf);
        Object.assign(result, counts, {
          newKeys: stage.absent - counts.reopened,
          unchanged: stage.rows - stage.absent - stage.changed,
        });
      } else {
        const { updated, inserted } = await upsertType1(tx, dim, dimTable, stage);
        Object.assign(result, {
          newKeys: inserted,
          scd1Updated: updated,
          versionsInserted: inserted,
          unchanged: stage.rows - stage.absent - stage.changed,
        });
      }
      await recordSnapshot(tx, label, { asOf, contentHash: stage.contentHash });
      await dropStage(tx, stage);
      await refreshStatistics(tx, dimTable, result.versionsInserted, stage.rows);
      return result;
    }),
  );
}

function emptyResult(table: string, asOf: string): SnapshotLoadResult {
  return {
    table,
    asOf,
    skipped: false,
    newKeys: 0,
    changed: 0,
    closed: 0,
    reopened: 0,
    unchanged: 0,
    scd1Updated: 0,
    versionsInserted: 0,
  };
}

function checkAsOf(asOf: string, label: string): void {
  const time = typeof asOf === "string" && AS_OF.test(asOf) ? Date.parse(`${asOf}T00:00:00Z`) : Number.NaN;
  const valid = !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === asOf;
  if (!valid) {
    throw new SnapshotLoadError(
      `snapshot date ${JSON.stringify(asOf)} for ${label} is not a yyyy-mm-dd date`,
      {
        table: label,
        asOf,
      },
    );
  }
}

/** The stage's own columns sit next to the attributes: an attribute may not take one's name. */
function checkStageNames(dim: DimensionModel, label: string): void {
  const taken = new Set<string>(Object.values(STAGE));
  const clash = dim.attributes.filter((a) => taken.has(a.name)).map((a) => a.name);
  if (clash.length > 0) {
    throw new SnapshotLoadError(
      `dimension ${label}: column(s) ${clash.join(", ")} clash with the names weir stages a snapshot with`,
      { table: label, columns: clash },
    );
  }
}

async function checkDimensionTable(tx: Engine, dim: DimensionModel, table: TableRef, label: string) {
  const schema = await tx.describe(table);
  if (!schema) {
    throw new SnapshotLoadError(
      `dimension ${label} does not exist in the ${tx.kind} warehouse; create it first (weir warehouse apply)`,
      { table: label },
    );
  }
  const have = new Set(schema.fields.map((f) => f.name));
  const missing = dim.columns.map((c) => c.name).filter((c) => !have.has(c));
  if (missing.length > 0) {
    throw new SnapshotLoadError(
      `dimension ${label} lacks column(s) ${missing.join(", ")} of its model; apply the model first (weir warehouse apply)`,
      { table: label, missing },
    );
  }
}

/**
 * PostgreSQL plans the next load's join with the dimension from its statistics, which
 * autovacuum refreshes only a while after a big change: a first load (or one that adds a
 * tenth of the snapshot's rows) would leave the next one planned for an empty table (sorts
 * and merge joins spilling to disk instead of one hash join). ANALYZE samples the table in
 * the load's transaction. DuckDB keeps no such statistics.
 */
async function refreshStatistics(tx: Engine, table: TableRef, inserted: number, rows: number) {
  if (tx.kind === "postgres" && inserted > 0 && inserted * 10 >= rows) {
    await tx.run(`ANALYZE ${tx.dialect.quoteTable(table)}`);
  }
}
