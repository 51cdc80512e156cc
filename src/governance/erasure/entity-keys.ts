import { tableLabel } from "../../core/types.js";
import { modelTable, type WarehouseModel } from "../../warehouse/model/define-warehouse.js";

/**
 * The entity keys of the type 2 dimensions of warehouse models, by table (as lineage names
 * it): erasing a subject from such a dimension erases every version of its natural key,
 * including versions from before the subject's value changed.
 *
 * @example
 * entityKeysOf([warehouse]) // { dim_users: ["user_id"] }
 */
export function entityKeysOf(models: readonly WarehouseModel[]): Record<string, string[]> {
  const keys: Record<string, string[]> = {};
  for (const table of models.flatMap((m) => m.tables)) {
    if (table.kind === "dimension" && table.scdType === 2) {
      keys[tableLabel(modelTable(table))] = [...table.naturalKey];
    }
  }
  return keys;
}
