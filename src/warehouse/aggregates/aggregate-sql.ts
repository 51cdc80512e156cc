import type { Engine } from "../../engines/engine.js";
import { sqlTypeName } from "../model/column-types.js";
import type { AggregateModel } from "../model/define-aggregate.js";
import { modelTable } from "../model/define-warehouse.js";

/**
 * The aggregate's declared columns read from its user SELECT, wrapped as a subquery
 * `weir_aggregate`. The user text goes on lines of its own, so a trailing `-- comment`
 * cannot swallow the closing parenthesis; one trailing `;` is dropped. Text that holds a
 * second statement still does after wrapping, and the engine refuses it before running
 * anything (one statement per call).
 */
export function aggregateSelect(engine: Engine, agg: AggregateModel, where?: string): string {
  const d = engine.dialect;
  const cols = agg.columns.map((c) => d.quoteIdent(c.name)).join(", ");
  const body = agg.select.replace(/;\s*$/, "");
  return `SELECT ${cols} FROM (\n${body}\n) AS weir_aggregate${where ? ` WHERE ${where}` : ""}`;
}

/**
 * A predicate "`column` is one of the values bound as `$<param>`", for any number of values
 * (thousands of days bind as ONE parameter, never one placeholder each), written so that
 * both planners push it below the aggregate's GROUP BY onto the fact rows:
 * - PostgreSQL: `col = ANY(CAST($n AS type[]))`, the parameter a JS array (sent as an array
 *   literal); a qual on a grouping column of a subquery moves into its WHERE.
 * - DuckDB: `list_contains(CAST(CAST(CAST($n AS JSON) AS VARCHAR[]) AS type[]), col)`, the
 *   parameter a JSON array of texts; DuckDB's filter pushdown moves it through the GROUP BY
 *   into the scan (`= ANY` would become a semi join above the aggregate instead).
 * Values are bound as text and cast by the engine to the key column's declared type.
 */
export function keyFilter(engine: Engine, agg: AggregateModel, param: number, qualifier?: string): string {
  const key = agg.columns.find((c) => c.name === agg.incrementalKey);
  if (!key) throw new Error(`aggregate ${agg.name}: incrementalKey ${agg.incrementalKey} is not a column`);
  const d = engine.dialect;
  const col = `${qualifier ? `${qualifier}.` : ""}${d.quoteIdent(key.name)}`;
  const type = sqlTypeName(engine.kind, key.type);
  return engine.kind === "postgres"
    ? `${col} = ANY(CAST($${param} AS ${type}[]))`
    : `list_contains(CAST(CAST(CAST($${param} AS JSON) AS VARCHAR[]) AS ${type}[]), ${col})`;
}

/** The parameter {@link keyFilter} expects for `values`. */
export function keyFilterParam(engine: Engine, values: readonly (number | string)[]): unknown {
  const texts = values.map((v) => String(v));
  return engine.kind === "postgres" ? texts : JSON.stringify(texts);
}

/** The aggregate's table, quoted. */
export function aggregateTableSql(engine: Engine, agg: AggregateModel): string {
  return engine.dialect.quoteTable(modelTable(agg));
}
