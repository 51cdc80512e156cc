import { tableLabel } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { modelTable, type TableModel } from "../model/define-warehouse.js";
import { introspectMaterializedView, nameKey } from "./introspect.js";
import {
  createMaterializedViewStatements,
  materializedViewOf,
  refreshStatement,
  uniqueIndexStatement,
} from "./materialized-view.js";
import type { PlanStep } from "./plan-step.js";

/**
 * An aggregate with `materializedView` on PostgreSQL: `<name>_mv` created (empty, then
 * refreshed once), its unique index on `groupBy`, and a refresh when it was never populated.
 */
export async function materializedViewSteps(
  engine: Engine,
  model: TableModel,
  tableIsNew: boolean,
): Promise<PlanStep[]> {
  if (model.kind !== "aggregate" || !model.materializedView || engine.kind !== "postgres") return [];
  const view = materializedViewOf(model);
  const table = tableLabel(modelTable(model));
  const label = tableLabel(view);
  const mv = tableIsNew ? undefined : await introspectMaterializedView(engine, view);
  if (!mv) {
    return [
      {
        table,
        kind: "create-materialized-view",
        sql: createMaterializedViewStatements(engine, model),
        destructive: false,
        reason: `materialized view ${label} does not exist`,
      },
    ];
  }
  const steps: PlanStep[] = [];
  const key = nameKey(engine.kind);
  const keyed = mv.indexes.some(
    (i) =>
      i.unique &&
      i.columns?.length === model.groupBy.length &&
      i.columns.every((c, n) => key(c) === key(model.groupBy[n]!)),
  );
  if (!keyed)
    steps.push({
      table,
      kind: "create-index",
      sql: [uniqueIndexStatement(engine, model)],
      destructive: false,
      reason: `materialized view ${label} has no unique index on (${model.groupBy.join(", ")}), which REFRESH … CONCURRENTLY needs`,
    });
  if (!mv.populated)
    steps.push({
      table,
      kind: "refresh-materialized-view",
      sql: [refreshStatement(engine, model)],
      destructive: false,
      reason: `materialized view ${label} was never populated`,
    });
  return steps;
}
