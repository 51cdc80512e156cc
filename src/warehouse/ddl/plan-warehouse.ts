import type { Engine } from "../../engines/engine.js";
import type { WarehouseModel } from "../model/define-warehouse.js";
import { schemaExists } from "./introspect.js";
import type { PlanStep, WarehousePlan } from "./plan-step.js";
import { planTable } from "./table-steps.js";

export type { PlanStep, PlanStepKind, WarehousePlan } from "./plan-step.js";

/**
 * What `apply` would change to make the warehouse match `model`, read from the catalog:
 * missing schemas first, then table by table in the model's order (dimensions before the
 * facts that key into them, facts before their aggregates). Reads only.
 *
 * @example
 * const plan = await planWarehouse(engine, warehouse);
 * for (const step of plan.steps) console.log(step.kind, step.table, step.sql.join(";\n"));
 */
export async function planWarehouse(engine: Engine, model: WarehouseModel): Promise<WarehousePlan> {
  const steps: PlanStep[] = [];
  const notices: string[] = [];
  const missing = new Set<string>();
  const schemas = [...new Set(model.tables.map((t) => t.schema).filter((s) => s !== undefined))];
  for (const schema of schemas) {
    if (await schemaExists(engine, schema)) continue;
    missing.add(schema);
    steps.push({
      table: schema,
      kind: "create-schema",
      sql: [engine.dialect.createSchema(schema)],
      destructive: false,
      reason: `schema ${schema} does not exist`,
      run: (e) => e.createSchema(schema),
    });
  }
  for (const table of model.tables) {
    const schemaMissing = table.schema !== undefined && missing.has(table.schema);
    steps.push(...(await planTable(engine, table, schemaMissing, notices)));
  }
  return { warehouse: model.name, engine: engine.kind, steps, notices };
}
