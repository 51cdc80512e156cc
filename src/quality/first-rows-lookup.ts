import type { Engine } from "../engines/engine.js";
import type { CompiledSuite } from "./compile-expectations.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";
import { collectedSql } from "./row-collection.js";

/**
 * After a DuckDB main scan that kept the row ids of each map expectation's first failing
 * rows (`ExpectationSql.lookupByRowId`), ONE statement reads the values of all those rows by
 * id — an index lookup, not a pass over the data — and files them where the scan would have
 * put them (`sample`, one array of texts per row, in row order).
 */
export async function lookUpFirstRows(
  engine: Engine,
  suite: CompiledSuite,
  values: Map<number, Record<string, unknown>>,
): Promise<void> {
  const sql = EXPECTATION_SQL[engine.kind];
  const wanted: { v: Record<string, unknown>; ids: string[]; exprs: string[] }[] = [];
  const exprIndex = new Map<string, number>();
  const allIds = new Set<string>();
  for (const item of suite.items) {
    const v = values.get(item.index);
    if (!item.collect || v?.positions === undefined) continue;
    const ids = v.positions === null ? [] : parseIds(v.positions);
    const exprs = collectedSql(item.collect);
    for (const e of exprs) if (!exprIndex.has(e)) exprIndex.set(e, exprIndex.size);
    for (const id of ids) allIds.add(id);
    wanted.push({ v, ids, exprs });
  }
  if (wanted.length === 0) return;
  const byId = new Map<string, Record<string, unknown>>();
  if (allIds.size > 0) {
    const rows = await engine.query(sql.rowsById(suite.from, [...exprIndex.keys()], [...allIds]));
    for (const row of rows) byId.set(String(row.weir_row), row);
  }
  for (const { v, ids, exprs } of wanted) {
    v.sample = ids.map((id) => exprs.map((e) => byId.get(id)?.[`v${exprIndex.get(e)}`] ?? null));
    v.sampleLayout = "rows";
  }
}

/** Row ids as decimal text (they may pass 2^53 in principle). */
function parseIds(json: unknown): string[] {
  const text = typeof json === "string" ? json : JSON.stringify(json);
  return text.match(/-?\d+/g) ?? [];
}
