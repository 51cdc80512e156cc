import { tableLabel } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { introspectMaterializedView } from "../ddl/introspect.js";
import { materializedViewOf, refreshStatement } from "../ddl/materialized-view.js";
import type { AggregateModel } from "../model/define-aggregate.js";
import { AggregateRefreshError } from "./aggregate-error.js";

/**
 * Refreshes the aggregate's materialized view (`materializedViewOf`: `<name>_mv`, created by
 * `weir warehouse apply`) on PostgreSQL with `REFRESH MATERIALIZED
 * VIEW CONCURRENTLY`: readers keep reading the old contents while the new ones are
 * computed and merged through the view's unique index (on `groupBy`). A view never
 * populated (`WITH NO DATA`) cannot be refreshed concurrently, so its first refresh is a
 * plain one. Engines without materialized views (DuckDB), and aggregates without one, are
 * left alone: `{ refreshed: false }`.
 */
export async function refreshMaterializedView(
  engine: Engine,
  agg: AggregateModel,
): Promise<{ refreshed: boolean; concurrently: boolean }> {
  if (engine.kind !== "postgres" || !agg.materializedView) return { refreshed: false, concurrently: false };
  const view = materializedViewOf(agg);
  const catalog = await introspectMaterializedView(engine, view);
  if (!catalog) {
    throw new AggregateRefreshError(
      `materialized view ${tableLabel(view)} of aggregate ${agg.name}`,
      new Error("it does not exist (run weir warehouse apply)"),
      { view: tableLabel(view) },
    );
  }
  const concurrently = catalog.populated;
  try {
    await engine.run(refreshStatement(engine, agg, concurrently));
  } catch (error) {
    throw new AggregateRefreshError(`refresh of materialized view ${tableLabel(view)}`, error, {
      view: tableLabel(view),
    });
  }
  return { refreshed: true, concurrently };
}
