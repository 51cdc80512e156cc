import type { TableRef } from "../../core/types.js";
import { tableLabel } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { serialWrites } from "../../engines/serial-writes.js";
import { quarantineTable } from "../../quality/quarantine.js";
import { ensurePartitions } from "../ddl/fact-partitions.js";
import { tableDefinition } from "../ddl/table-definition.js";
import { ensureLedger, recordFactLoad } from "../ledger/index.js";
import { observedLoad } from "../lineage-notes.js";
import { lockForLoad } from "../load-lock.js";
import type { FactModel } from "../model/define-fact.js";
import { modelTable } from "../model/define-warehouse.js";
import { FactLoadError } from "./fact-load-error.js";
import { type FactInput, insertOrdered, keyedRowsSql, missingMemberSql } from "./fact-load-sql.js";
import { ensureFactQuarantine, type FactQuarantineRun, quarantineUnloadable } from "./fact-quarantine.js";
import { type LoadValue, loadValue, sortValues, summarizeInput, valuesInSql } from "./load-values.js";
import { type RepairResult, repairInTransaction } from "./repair-unknown-members.js";

export interface LoadFactsOptions {
  /**
   * The loadBy values this load replaces (default: every loadBy value of the input). The
   * input may not hold other values; a value with no input rows is emptied.
   */
  replace?: readonly LoadValue[];
  /**
   * The run the refused rows are filed under in `quarantine.<fact name>`; a load with the
   * same logical date replaces what an earlier one quarantined. Without it they are added
   * under run id `loadFacts` and today's (UTC) date.
   */
  quarantine?: FactQuarantineRun;
  /**
   * Also re-key, in the same transaction, earlier facts at the unknown member whose member
   * has arrived (`repairUnknownMembers`): a crash then leaves the fact as before the load or
   * as after both. Default false.
   */
  repair?: boolean;
}

export interface FactLoadResult {
  table: TableRef;
  /** Rows inserted. */
  rows: number;
  /** Loadable input rows dropped because another row had the same grain key. */
  duplicatesRemoved: number;
  /** Input rows moved to quarantine (a NULL grain, as-of, loadBy or partition column). */
  quarantined: number;
  /** Per dimension key column: rows keyed to the unknown member. */
  unknown: Record<string, number>;
  /** The loadBy values replaced (deleted, then loaded from the input), sorted. */
  replaced: LoadValue[];
  /** The fact load's sequence number in `weir_warehouse.fact_loads`. */
  loadSeq: number;
  /** What the repair re-keyed, with `repair: true`. */
  repaired?: RepairResult;
}

/**
 * Loads facts from a table or query on the warehouse engine: the input's rows (the fact's
 * own columns plus each dimension key's natural key columns) lose those with a NULL grain,
 * as-of, loadBy or partition column to quarantine, are deduplicated by grain (the first by
 * `dedupeOrder`, then every column, is kept), get their surrogate keys looked up as of
 * their time (see `versionLookup`; no version → the unknown member), and replace the
 * facts of their loadBy values. Input rows = rows + duplicatesRemoved + quarantined.
 *
 * All of it is set-based SQL in one transaction with the `fact_loads` ledger row, so a
 * crash leaves the previous load or this one, and re-loading the same input gives the same
 * table. Loads (and repairs) of one fact run one after the other, whatever their days, so
 * each gets its own `load_seq` in commit order (see `lockForLoad`). On PostgreSQL the partitions the rows need are created first (each committed on
 * its own, race-free).
 *
 * @example
 * const result = await loadFacts(engine, factUserEvents, { sql: "SELECT … FROM staged_events" });
 */
export async function loadFacts(
  engine: Engine,
  fact: FactModel,
  input: TableRef | { sql: string },
  options: LoadFactsOptions = {},
): Promise<FactLoadResult> {
  return observedLoad(
    engine,
    modelTable(fact),
    input,
    () => loadFactsUnobserved(engine, fact, input, options),
    {
      fact,
      rows: (r) => r.rows,
    },
  );
}

async function loadFactsUnobserved(
  engine: Engine,
  fact: FactModel,
  input: TableRef | { sql: string },
  options: LoadFactsOptions = {},
): Promise<FactLoadResult> {
  const table = modelTable(fact);
  const label = tableLabel(table);
  const summary = await summarizeInput(engine, fact, input);
  const loadType = fact.columns.find((c) => c.name === fact.loadBy)!.type;
  const replaced = options.replace
    ? sortValues([...new Set(options.replace.map((v) => String(v)))].map((v) => loadValue(loadType, v)))
    : summary.loadValues;
  const outside = summary.loadValues.filter((v) => !replaced.some((r) => String(r) === String(v)));
  if (outside.length > 0) {
    throw new FactLoadError(
      `fact ${label}: the input holds ${fact.loadBy} values the load does not replace: ${outside.slice(0, 5).join(", ")}${outside.length > 5 ? ", …" : ""}`,
      { table: label, column: fact.loadBy, values: outside.slice(0, 20) },
    );
  }
  if (summary.partitionValues.length > 0) {
    await ensurePartitions(engine, tableDefinition(fact, engine.kind), summary.partitionValues);
  }
  await ensureFactQuarantine(engine, fact);
  await ensureLedger(engine);
  const run = options.quarantine;
  const write = () =>
    engine.transaction(async (tx) => {
      await lockForLoad(tx, table);
      const quarantined = await quarantineUnloadable(
        tx,
        fact,
        input,
        run ?? { runId: "loadFacts", logicalDate: new Date().toISOString().slice(0, 10) },
        label,
        { replace: run !== undefined },
      );
      await refuseMissingMembers(tx, fact, input, label);
      const d = tx.dialect;
      const where = valuesInSql(tx, fact, fact.loadBy, replaced);
      await tx.run(`DELETE FROM ${d.quoteTable(table)} WHERE ${where.sql}`, where.params);
      const rows = await tx.run(
        d.insertSelect(
          table,
          fact.columns.map((c) => c.name),
          insertOrdered(tx, fact, keyedRowsSql(tx, fact, input)),
        ),
      );
      const unknown = await countUnknown(tx, fact, where);
      const loadSeq = await recordFactLoad(tx, table, replaced.map(String));
      const repaired = options.repair === true ? await repairInTransaction(tx, fact) : undefined;
      return {
        table,
        rows,
        duplicatesRemoved: summary.loadable - rows,
        quarantined,
        unknown,
        replaced,
        loadSeq,
        ...(repaired ? { repaired } : {}),
      };
    });
  // On DuckDB, writers of one table queue in-process instead of failing on a conflict.
  return serialWrites(engine, table, () => serialWrites(engine, quarantineTable(fact.name), write));
}

/** Fails the load when a dimension without an unknown member has no version for some input key. */
async function refuseMissingMembers(
  tx: Engine,
  fact: FactModel,
  input: FactInput,
  label: string,
): Promise<void> {
  for (const [i, key] of fact.dimensionKeys.entries()) {
    if (key.dimension.unknownMember) continue;
    const [row] = await tx.query<{ n: unknown; example: string | null }>(
      missingMemberSql(tx, fact, input, i),
    );
    const n = Number(row?.n ?? 0);
    if (n > 0) {
      throw new FactLoadError(
        `fact ${label}: ${n} row(s) have a ${Object.keys(key.naturalKey).join(", ")} with no version in ${key.dimension.name} ` +
          `(e.g. ${row?.example ?? "NULL"}), and ${key.dimension.name} has no unknown member for ${key.column}`,
        { table: label, column: key.column, dimension: key.dimension.name, rows: n },
      );
    }
  }
}

/** Rows of the replaced values at each dimension's unknown member (only this load's rows have those values). */
async function countUnknown(
  tx: Engine,
  fact: FactModel,
  where: { sql: string; params: LoadValue[] },
): Promise<Record<string, number>> {
  const keys = fact.dimensionKeys.filter((k) => k.dimension.unknownMember);
  const unknown: Record<string, number> = {};
  for (const k of fact.dimensionKeys) unknown[k.column] = 0;
  if (keys.length === 0 || where.params.length === 0) return unknown;
  const q = (c: string) => tx.dialect.quoteIdent(c);
  const counts = keys.map(
    (k, i) => `COUNT(*) FILTER (WHERE ${q(k.column)} = ${k.dimension.unknownMember!.key}) AS u${i}`,
  );
  const [row] = await tx.query<Record<string, unknown>>(
    `SELECT ${counts.join(", ")} FROM ${tx.dialect.quoteTable(modelTable(fact))} WHERE ${where.sql}`,
    where.params,
  );
  keys.forEach((k, i) => {
    unknown[k.column] = Number(row?.[`u${i}`] ?? 0);
  });
  return unknown;
}
