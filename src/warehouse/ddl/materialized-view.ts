import type { TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import type { AggregateModel } from "../model/define-aggregate.js";
import { boundedName, indexName } from "./create-table-sql.js";

/** `<schema>.<name>_mv`: the PostgreSQL materialized view of an aggregate with `materializedView`. */
export function materializedViewOf(agg: AggregateModel): TableRef {
  const name = boundedName(`${agg.name}_mv`);
  return agg.schema === undefined ? { name } : { schema: agg.schema, name };
}

/**
 * The aggregate's SELECT as the view's body. It is the user's text and is pasted as is: the
 * engine runs one statement per call, so a SELECT smuggling a second statement (`…; DROP
 * TABLE x`) makes the whole CREATE fail before anything runs. A trailing `;` is dropped, and
 * the body ends its own line so a trailing `-- comment` cannot swallow `WITH NO DATA`.
 */
function body(select: string): string {
  return select.trim().replace(/;\s*$/, "");
}

/**
 * `CREATE MATERIALIZED VIEW IF NOT EXISTS … WITH NO DATA`, its unique index on `groupBy`
 * (which `REFRESH … CONCURRENTLY` needs), then a first plain `REFRESH` (an unpopulated view
 * cannot be refreshed concurrently).
 */
export function createMaterializedViewStatements(engine: Engine, agg: AggregateModel): string[] {
  const d = engine.dialect;
  const view = materializedViewOf(agg);
  return [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${d.quoteTable(view)} AS\n${body(agg.select)}\nWITH NO DATA`,
    uniqueIndexStatement(engine, agg),
    refreshStatement(engine, agg),
  ];
}

export function uniqueIndexStatement(engine: Engine, agg: AggregateModel): string {
  const d = engine.dialect;
  const view = materializedViewOf(agg);
  return `CREATE UNIQUE INDEX IF NOT EXISTS ${d.quoteIdent(indexName(view.name, agg.groupBy))} ON ${d.quoteTable(view)} (${agg.groupBy.map((c) => d.quoteIdent(c)).join(", ")})`;
}

/** `REFRESH MATERIALIZED VIEW [CONCURRENTLY] …`. */
export function refreshStatement(engine: Engine, agg: AggregateModel, concurrently = false): string {
  return `REFRESH MATERIALIZED VIEW ${concurrently ? "CONCURRENTLY " : ""}${engine.dialect.quoteTable(materializedViewOf(agg))}`;
}
