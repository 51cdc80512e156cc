import {
  type DatasetNote,
  type NotedColumnSource,
  noteDataset,
  withoutObserver,
} from "../core/activity-scope.js";
import { type TableRef, tableLabel } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { FactModel } from "./model/define-fact.js";
import { modelTable } from "./model/define-warehouse.js";

/**
 * Runs a warehouse load unwatched — its staging, merge and ledger statements are weir's
 * machinery, not the data flow — and reports the flow itself to lineage: the input (a
 * table, or the SELECT whose column lineage the output inherits), the dimensions a fact
 * looks its keys up in, and the loaded table.
 */
export async function observedLoad<T>(
  engine: Engine,
  target: TableRef,
  input: TableRef | { sql: string },
  load: () => Promise<T>,
  options: { fact?: FactModel; rows?: (result: T) => number | undefined } = {},
): Promise<T> {
  const result = await withoutObserver(load);
  const from: DatasetNote =
    "sql" in input
      ? { direction: "input", kind: "table", name: "query", engine, sourceSql: input.sql }
      : { direction: "input", kind: "table", name: tableLabel(input), engine };
  if (!("sql" in input)) noteDataset(from);
  const columns: Record<string, NotedColumnSource[]> = {};
  for (const key of options.fact?.dimensionKeys ?? []) {
    const dim = { kind: "table" as const, name: tableLabel(modelTable(key.dimension)), engine };
    noteDataset({ direction: "input", ...dim });
    columns[key.column] = [
      { from: dim, field: key.dimension.surrogateKey, type: "DIRECT", subtype: "IDENTITY" },
      ...("sql" in input
        ? []
        : [...Object.keys(key.naturalKey), ...(key.asOf ? [key.asOf] : [])].map(
            (field): NotedColumnSource => ({
              from: { kind: "table", name: from.name, engine },
              field,
              type: "INDIRECT",
              subtype: "JOIN",
            }),
          )),
    ];
  }
  const rows = options.rows?.(result);
  noteDataset({
    direction: "output",
    kind: "table",
    name: tableLabel(target),
    engine,
    ...(rows === undefined ? {} : { rows }),
    ...(Object.keys(columns).length > 0 ? { columns } : {}),
    ...("sql" in input
      ? { sourceSql: input.sql }
      : { identityFrom: { kind: "table" as const, name: tableLabel(input), engine } }),
  });
  return result;
}
