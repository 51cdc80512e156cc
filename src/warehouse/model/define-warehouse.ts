import type { TableRef } from "../../core/types.js";
import type { DateDimensionModel, TimeDimensionModel } from "./calendar-dimensions.js";
import type { AggregateModel } from "./define-aggregate.js";
import type { DimensionModel } from "./define-dimension.js";
import type { FactModel } from "./define-fact.js";
import { checkModelName, ModelError } from "./model-error.js";

export type TableModel =
  | DimensionModel
  | FactModel
  | DateDimensionModel
  | TimeDimensionModel
  | AggregateModel;

/**
 * A warehouse: its tables in dependency order (dimensions before the facts that key into
 * them, facts before their aggregates). A model file (`warehouse.ts` or `*.warehouse.ts`,
 * found through `weir.config.ts`'s `warehouseModels`) default-exports one; `weir warehouse
 * plan|apply` read it. Each table names its own schema (default: the engine's own, `main`
 * on DuckDB and `public` on PostgreSQL).
 */
export interface WarehouseModel {
  readonly kind: "warehouse";
  readonly name: string;
  readonly tables: readonly TableModel[];
}

export function defineWarehouse(spec: { name: string; tables: TableModel[] }): WarehouseModel {
  checkModelName(spec.name, "warehouse name");
  const seen = new Set<string>();
  for (const t of spec.tables) {
    const id = `${t.schema ?? ""}.${t.name}`;
    if (seen.has(id)) throw new ModelError(`warehouse ${spec.name}: table ${t.name} is declared twice`);
    seen.add(id);
  }
  return Object.freeze({ kind: "warehouse" as const, name: spec.name, tables: [...spec.tables] });
}

/** The table a model lives in. */
export function modelTable(model: { name: string; schema: string | undefined }): TableRef {
  return model.schema === undefined ? { name: model.name } : { schema: model.schema, name: model.name };
}
