import type { Engine } from "../../engines/engine.js";
import { serialWrites } from "../../engines/serial-writes.js";
import { ensureLedger, recordFactLoad } from "../ledger/index.js";
import { lockForLoad } from "../load-lock.js";
import type { FactModel } from "../model/define-fact.js";
import { modelTable } from "../model/define-warehouse.js";
import { VERSION_KEY, versionLookup } from "./dimension-versions-sql.js";
import { type LoadValue, loadValue, sortValues } from "./load-values.js";

export interface RepairResult {
  /** Per dimension key column (those whose dimension has an unknown member): facts re-keyed. */
  rekeyed: Record<string, number>;
  /** The loadBy values of the re-keyed facts, sorted; recorded as a fact load so aggregates refresh them. */
  values: LoadValue[];
  /** The fact load recorded for them; undefined when nothing was re-keyed. */
  loadSeq: number | undefined;
}

/**
 * Re-keys facts pointing at a dimension's unknown member whose natural key now has a
 * version, by the same as-of rule as the load (see `versionLookup`): one `UPDATE … FROM`
 * per dimension key, in one transaction with a `fact_loads` record of the loadBy values it
 * touched, so incremental aggregates recompute them. Running it again changes nothing.
 *
 * @example
 * const { rekeyed } = await repairUnknownMembers(engine, factUserEvents); // { user_key: 42 }
 */
export async function repairUnknownMembers(engine: Engine, fact: FactModel): Promise<RepairResult> {
  const table = modelTable(fact);
  await ensureLedger(engine);
  return serialWrites(engine, table, () =>
    engine.transaction(async (tx) => {
      await lockForLoad(tx, table);
      return repairInTransaction(tx, fact);
    }),
  );
}

/**
 * The repair inside a transaction that already holds the fact's load lock (`loadFacts`
 * with `repair: true` runs it in the load's own transaction, so a crash leaves the fact
 * neither loaded-but-unrepaired nor the reverse).
 */
export async function repairInTransaction(tx: Engine, fact: FactModel): Promise<RepairResult> {
  const table = modelTable(fact);
  const loadType = fact.columns.find((c) => c.name === fact.loadBy)!.type;
  const d = tx.dialect;
  const q = (c: string) => d.quoteIdent(c);
  const target = `${d.quoteTable(table)} AS _weir_fact`;
  const rekeyed: Record<string, number> = {};
  const touched = new Set<string>();
  for (const key of fact.dimensionKeys) {
    const unknown = key.dimension.unknownMember;
    if (!unknown) continue;
    const lookup = versionLookup(tx, fact, key);
    const match = `_weir_fact.${q(key.column)} = ${unknown.key} AND ${lookup.on("_weir_dim", "_weir_fact")}`;
    const values = await tx.query<{ v: string }>(
      `SELECT DISTINCT CAST(_weir_fact.${q(fact.loadBy)} AS ${d.typeName("varchar")}) AS v ` +
        `FROM ${target} JOIN (${lookup.versions}) AS _weir_dim ON ${match}`,
    );
    for (const { v } of values) touched.add(v);
    rekeyed[key.column] =
      values.length === 0
        ? 0
        : await tx.run(
            `UPDATE ${target} SET ${q(key.column)} = _weir_dim.${q(VERSION_KEY)} ` +
              `FROM (${lookup.versions}) AS _weir_dim WHERE ${match}`,
          );
  }
  const values = sortValues([...touched].map((v) => loadValue(loadType, v)));
  const loadSeq = values.length === 0 ? undefined : await recordFactLoad(tx, table, values.map(String));
  return { rekeyed, values, loadSeq };
}
