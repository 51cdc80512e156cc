import type { Engine } from "../engines/engine.js";
import type { CompiledSuite, GroupQuery } from "./compile-expectations.js";
import {
  groupCount,
  groupKey,
  groupMax,
  MAX_OBSERVED_VALUES,
} from "./expectations/expectation-definition.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";

/**
 * One statement for a GROUP BY pass: one row of aggregates over the groups — the plans'
 * statistics and, as JSON, the first duplicated groups, the first distinct keys and the most
 * frequent keys, each row as [key texts…, count]. A pass whose plans read only duplicated
 * groups keeps only those (HAVING), so millions of unique keys are never aggregated again.
 * Keys sort by value (text by code point) so both engines list the same ones; the groups
 * stream through the aggregate, never stored. The grouped relation holds only weir's own
 * columns (`groupKey(i)`, `groupCount`, `groupMax`), so no column of the target is in scope
 * where its aggregates are written.
 */
export function groupScanSql(engine: Engine, suite: CompiledSuite, group: GroupQuery): string {
  const d = engine.dialect;
  const sql = EXPECTATION_SQL[engine.kind];
  const keyCols = group.keys.map((_, i) => groupKey(i));
  const order = group.keys.map((k, i) => (k.type === "varchar" ? sql.binaryOrder(groupKey(i)) : groupKey(i)));
  const rows = (filter: string, n: number) =>
    sql.smallestValuesJson([...keyCols, groupCount], [...order, groupCount], filter, n);
  const selects = [
    `count(*) AS "weir_groups"`,
    ...[...group.stats].map(([a, s]) => `${s} AS ${d.quoteIdent(a)}`),
  ];
  if (group.duplicates) selects.push(`${rows(`${groupCount} > 1`, suite.sampleSize)} AS "weir_duplicates"`);
  if (group.distinct) selects.push(`${rows("TRUE", MAX_OBSERVED_VALUES + 1)} AS "weir_distinct"`);
  if (group.modes)
    selects.push(`${rows(`${groupCount} = ${groupMax}`, MAX_OBSERVED_VALUES + 1)} AS "weir_modes"`);
  const keys = group.keys.map((k, i) => `${k.sql} AS ${groupKey(i)}`).join(", ");
  const max = group.modes ? `, max(count(*)) OVER () AS ${groupMax}` : "";
  const ordinals = group.keys.map((_, i) => String(i + 1)).join(", ");
  const where = group.where === undefined ? "" : ` WHERE ${group.where}`;
  const having = group.duplicatesOnly ? " HAVING count(*) > 1" : "";
  const grouped = `SELECT ${keys}, count(*) AS ${groupCount}${max} FROM ${suite.from}${where} GROUP BY ${ordinals}${having}`;
  return `SELECT ${selects.join(",\n  ")}\nFROM (${grouped}) AS weir_g`;
}
