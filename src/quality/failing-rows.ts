import type { Field } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import {
  and,
  type CompiledExpectation,
  type CompiledSuite,
  compileContext,
  isSqlTarget,
  type Target,
} from "./compile-expectations.js";
import type { MapPlan } from "./expectations/expectation-definition.js";
import { EXPECTATION_SQL } from "./expectations/expectation-sql.js";
import { expectationDefinition } from "./expectations/registry.js";
import { scanFrom } from "./main-scan.js";
import { collectedSql, domainColumns, type RowCollection, rowCollection } from "./row-collection.js";

/**
 * SQL over a map expectation's failing rows, from its row-level form (the predicate
 * quarantine uses; uniqueness as a window count): the first failing rows of an expectation
 * the main scan could not list (uniqueness is decided by a GROUP BY pass), and GX's
 * `unexpected_index_query`.
 */

interface RowLevel {
  plan: MapPlan;
  failing: string;
  windows: string[];
}

function rowLevel(
  engine: Engine,
  item: Pick<CompiledExpectation, "config" | "index">,
  fields: readonly Field[],
  targetKind: "table" | "query",
  options: { names: CompiledSuite["names"]; rowOrder?: string },
): RowLevel | undefined {
  const definition = expectationDefinition(item.config.type);
  if (definition?.kind !== "column_map" && definition?.kind !== "multicolumn_map") return undefined;
  const rc = item.config.kwargs.row_condition as string | undefined;
  const windowMap: Record<string, string> = {};
  const ctx = compileContext(engine, fields, targetKind, "predicate", rc, windowMap, String(item.index), {
    names: options.names,
    recordWindows: true,
    ...(options.rowOrder ? { rowOrder: options.rowOrder } : {}),
  });
  const plan = definition.compile(item.config.kwargs as never, ctx);
  if (plan.plan !== "map") return undefined;
  const missing = plan.missing === undefined ? undefined : `NOT (${plan.missing})`;
  const d = engine.dialect;
  return {
    plan,
    failing: and(ctx.rowCondition, missing, `COALESCE(${plan.unexpected}, FALSE)`)!,
    windows: Object.entries(windowMap).map(([alias, sql]) => `${sql} AS ${d.quoteIdent(alias)}`),
  };
}

/**
 * One statement returning the first failing rows (row order) of a map-kind expectation, as
 * `firstRowsJson` JSON in the column `weir_rows`, with what of them to keep; undefined when
 * its format lists no rows or it has no row-level form.
 */
export function firstFailingRowsSql(
  engine: Engine,
  suite: CompiledSuite,
  item: CompiledExpectation,
  fields: readonly Field[],
  targetKind: "table" | "query",
): { sql: string; collect: RowCollection } | undefined {
  const rowName = engine.dialect.quoteIdent(suite.names.column("row"));
  const found = rowLevel(engine, item, fields, targetKind, { names: suite.names, rowOrder: rowName });
  if (!found) return undefined;
  const collect = rowCollection(found.plan, item.format, item.config.kwargs, fields, (c) =>
    engine.dialect.quoteIdent(c),
  );
  const values = collect ? collectedSql(collect) : [];
  if (!collect || values.length === 0) return undefined;
  const from = scanFrom(engine, suite, { rowPosition: true, windows: found.windows });
  const rows = EXPECTATION_SQL[engine.kind].firstRowsJson(values, rowName, found.failing, collect.n);
  return { sql: `SELECT ${rows} AS "weir_rows" FROM ${from}`, collect };
}

/**
 * GX's `unexpected_index_query`: a query the user can run on the engine to get every
 * failing row — the `unexpected_index_column_names`, then the expectation's columns (GX's
 * SQL engines select the same) — honouring row_condition. Row-level forms that need a
 * window (uniqueness, increasing/decreasing) compute it in a subquery first.
 */
export function unexpectedIndexQuery(
  engine: Engine,
  suite: Pick<CompiledSuite, "from" | "names">,
  item: CompiledExpectation,
  fields: readonly Field[],
  target: Target,
): string | undefined {
  const targetKind = isSqlTarget(target) ? "query" : "table";
  let found: RowLevel | undefined;
  try {
    found = rowLevel(engine, item, fields, targetKind, { names: suite.names });
  } catch {
    return undefined; // no row-level form here (e.g. a row order the target lacks)
  }
  if (!found) return undefined;
  const d = engine.dialect;
  const columns = [
    ...new Set([...(item.format.unexpected_index_column_names ?? []), ...domainColumns(item.config.kwargs)]),
  ];
  const select = columns.length > 0 ? columns.map((c) => d.quoteIdent(c)).join(", ") : "*";
  const from =
    found.windows.length === 0
      ? suite.from
      : `(SELECT *, ${found.windows.join(", ")} FROM ${suite.from}) AS weir_rows`;
  return `SELECT ${select} FROM ${from} WHERE ${found.failing}`;
}
