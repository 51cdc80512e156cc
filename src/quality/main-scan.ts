import type { Engine } from "../engines/engine.js";
import {
  and,
  type CompiledExpectation,
  type CompiledSuite,
  countWhere,
  rowConditionOf,
} from "./compile-expectations.js";
import { denseKeyCandidate, keyRangeSelects } from "./dense-key-grouping.js";
import { rangeSelects } from "./distribution-pass.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";
import { collectedSql } from "./row-collection.js";

/**
 * The main scan over `items` (which it annotates with their aliases). Each map
 * expectation's failing-row test is computed once per row, as a boolean column of a
 * subquery, which its count and its first failing rows then filter on. With `probe`, the
 * target is replaced by zero of its rows: the statement is planned (so unknown columns and
 * type errors surface) but reads nothing.
 *
 * The FROM is built in layers over the target, each only when needed: the row position
 * (for first-rows lists and increasing/decreasing), the probe's LIMIT 0, the window columns,
 * the per-row flags. Every column weir adds is named by `suite.names`, so no column of the
 * target can capture it.
 */
export function mainScanSql(
  engine: Engine,
  suite: CompiledSuite,
  items: readonly CompiledExpectation[],
  probe = false,
): string {
  const d = engine.dialect;
  const sql = EXPECTATION_SQL[engine.kind];
  const rowName = d.quoteIdent(suite.names.column("row"));
  const selects = new Map<string, string>([["count(*)", "rows"]]);
  const alias = (expr: string) => {
    let a = selects.get(expr);
    if (a === undefined) {
      a = `a${selects.size}`;
      selects.set(expr, a);
    }
    return a;
  };
  const flags = new Map<string, string>();
  const flag = (condition: string) => {
    let f = flags.get(condition);
    if (f === undefined) {
      f = d.quoteIdent(suite.names.column(`f${flags.size}`));
      flags.set(condition, f);
    }
    return f;
  };
  const windows: string[] = [];
  let rowPosition = false;
  // A DuckDB table's first failing rows are kept as row ids, their values looked up after.
  const byPosition = sql.lookupByRowId && suite.rowOrder === sql.naturalOrder;
  // A PostgreSQL table's are read after the scan (`findFirstRowsByBlockRange`): with no
  // ordered aggregate, no row position and no fenced subquery, the scan can run in parallel,
  // each failing-row test written once in its count's FILTER.
  const inScan = new Set(items.filter((i) => collectsInScan(engine, suite, i)));
  const inline = sql.fence !== "" && inScan.size === 0;
  for (const item of items) {
    const plan = item.plan;
    if (!plan) continue;
    item.aliases = {};
    for (const [name, windowSql] of Object.entries(item.windows))
      windows.push(`${windowSql} AS ${d.quoteIdent(name)}`);
    if (item.usesRowOrder) rowPosition = true;
    const rc = rowConditionOf(item);
    if (plan.plan === "map") {
      // FILTER counts only rows where the condition is TRUE, so a NULL test result never counts.
      const failingSql = failingRowTest(item)!;
      const plain = rc === undefined ? plan.plainCounts : undefined;
      item.aliases.element = alias(countWhere(rc));
      if (plan.missing !== undefined)
        item.aliases.missing = alias(plain?.missing ?? countWhere(and(rc, plan.missing)));
      item.aliases.unexpected = alias(
        plain?.unexpected ?? countWhere(inline ? `(${failingSql})` : flag(failingSql)),
      );
      if (item.collect && inScan.has(item)) {
        const values = collectedSql(item.collect);
        rowPosition = true;
        const n = item.collect.n;
        if (byPosition) item.aliases.positions = alias(sql.firstPositionsJson(rowName, flag(failingSql), n));
        else item.aliases.sample = alias(sql.firstRowsJson(values, rowName, flag(failingSql), n));
      }
    } else if (plan.plan === "aggregate" || plan.plan === "group" || plan.plan === "distribution") {
      let selects: Record<string, string>;
      if (plan.plan === "aggregate") selects = plan.selects;
      else if (plan.plan === "distribution") selects = rangeSelects(plan);
      else {
        const group = item.group ? suite.groups[item.group.query] : undefined;
        const dense = group !== undefined && denseKeyCandidate(engine, group);
        selects = { ...plan.selects, ...(dense ? keyRangeSelects(group) : {}) };
      }
      for (const [name, expr] of Object.entries(selects)) item.aliases[name] = alias(expr);
    }
  }
  const from = scanFrom(engine, suite, {
    rowPosition,
    probe,
    windows,
    flags: [...flags].map(([condition, f]) => `${condition} AS ${f}`),
  });
  const list = [...selects].map(([expr, a]) => `${expr} AS ${d.quoteIdent(a)}`).join(",\n  ");
  return `SELECT\n  ${list}\nFROM ${from}`;
}

/** A map expectation's test of a failing row: row_condition, not missing, unexpected. */
export function failingRowTest(item: CompiledExpectation): string | undefined {
  const plan = item.plan;
  if (plan?.plan !== "map") return undefined;
  return and(
    rowConditionOf(item),
    plan.missing === undefined ? undefined : `NOT (${plan.missing})`,
    plan.unexpected,
  );
}

/**
 * Whether a map expectation's first failing rows are read after the scan, block range by
 * block range (PostgreSQL tables): when its format lists rows and its test needs no window
 * or row position of its own.
 */
export function findsFirstRowsByBlockRange(
  engine: Engine,
  suite: CompiledSuite,
  item: CompiledExpectation,
): boolean {
  const sql = EXPECTATION_SQL[engine.kind];
  return (
    sql.firstRowsByBlockRange &&
    suite.rowOrder === sql.naturalOrder &&
    listsFailingRows(item) &&
    Object.keys(item.windows).length === 0 &&
    !item.usesRowOrder
  );
}

/** Whether the main scan itself collects a map expectation's first failing rows. */
function collectsInScan(engine: Engine, suite: CompiledSuite, item: CompiledExpectation): boolean {
  return listsFailingRows(item) && !findsFirstRowsByBlockRange(engine, suite, item);
}

/** Whether a map expectation's format lists its first failing rows. */
function listsFailingRows(item: CompiledExpectation): boolean {
  return item.plan?.plan === "map" && item.collect !== undefined && collectedSql(item.collect).length > 0;
}

/**
 * The target wrapped in the layers a scan needs, innermost first: its row position (as
 * `suite.names.column("row")`), LIMIT 0 for a probe, window columns, then computed columns.
 */
export function scanFrom(
  engine: Engine,
  suite: CompiledSuite,
  layers: { rowPosition?: boolean; probe?: boolean; windows?: readonly string[]; flags?: readonly string[] },
): string {
  const d = engine.dialect;
  const fence = EXPECTATION_SQL[engine.kind].fence;
  let from = suite.from;
  if (layers.rowPosition)
    from = `(SELECT *, ${suite.rowOrder} AS ${d.quoteIdent(suite.names.column("row"))} FROM ${from}) AS weir_numbered`;
  if (layers.probe) from = `(SELECT * FROM ${from} LIMIT 0) AS weir_probe`;
  if (layers.windows && layers.windows.length > 0)
    from = `(SELECT *, ${layers.windows.join(", ")} FROM ${from}) AS weir_windowed`;
  if (layers.flags && layers.flags.length > 0)
    from = `(SELECT *,\n    ${layers.flags.join(",\n    ")}\n  FROM ${from}${fence}) AS weir_flagged`;
  return from;
}
