import { WeirError } from "../../core/errors.js";
import type { Engine } from "../../engines/engine.js";
import { serialWrites } from "../../engines/serial-writes.js";
import type { WarehouseModel } from "../model/define-warehouse.js";
import type { PlanStep, WarehousePlan } from "./plan-step.js";
import { planWarehouse } from "./plan-warehouse.js";
import { runDdl } from "./run-ddl.js";

export interface ApplyOptions {
  /** Run destructive steps (drops, narrowing type changes, rebuilds) too. Default false. */
  allowDestructive?: boolean;
}

export interface ApplyResult {
  plan: WarehousePlan;
  /** The steps run, in order (all of the plan's). */
  applied: PlanStep[];
}

/** The queue applies on one DuckDB engine wait in (DuckDB's concurrent DDL fails instead of waiting). */
const APPLY_QUEUE = { schema: "weir_warehouse", name: "\u0001apply" };

/**
 * Makes the warehouse match `model`: plans (`planWarehouse`), refuses with
 * WAREHOUSE_CHANGE_REFUSED when a step is destructive and `allowDestructive` is not set,
 * then runs the steps in order — schemas, tables, columns, indexes, materialized views and
 * the generated rows (calendar dimensions, unknown members). Idempotent: every statement is
 * `IF NOT EXISTS`/`IF EXISTS` or inserts only missing keys, so a second apply plans nothing.
 *
 * Concurrent applies: on PostgreSQL each step runs in its own transaction and a lost create
 * race is retried under a savepoint (`runDdl`), so two sessions applying at once both
 * succeed. On DuckDB, whose concurrent catalog changes fail instead of waiting, applies
 * through one engine queue (every writer of a DuckDB file lives in the process that opened it).
 */
export async function applyWarehouse(
  engine: Engine,
  model: WarehouseModel,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  return serialWrites(engine, APPLY_QUEUE, async () => {
    const plan = await planWarehouse(engine, model);
    const refused = plan.steps.filter((s) => s.destructive);
    if (refused.length > 0 && !options.allowDestructive) {
      throw new WeirError(
        "WAREHOUSE_CHANGE_REFUSED",
        `warehouse ${model.name}: ${refused.length} destructive change${refused.length === 1 ? "" : "s"} refused (allow them with --allow-destructive):\n${refused.map((s) => `  - ${s.table}: ${s.kind}: ${s.reason}`).join("\n")}`,
        {
          details: {
            warehouse: model.name,
            steps: refused.map((s) => ({ table: s.table, kind: s.kind, reason: s.reason, sql: s.sql })),
          },
        },
      );
    }
    const applied: PlanStep[] = [];
    for (const step of plan.steps) {
      await runStep(engine, step);
      applied.push(step);
    }
    return { plan, applied };
  });
}

async function runStep(engine: Engine, step: PlanStep): Promise<void> {
  if (step.run) return step.run(engine);
  if (step.sql.length === 0) {
    throw new WeirError(
      "WAREHOUSE_CHANGE_REFUSED",
      `${step.table}: ${step.kind} cannot be applied on ${engine.kind}: ${step.reason}`,
      { details: { table: step.table, kind: step.kind } },
    );
  }
  const statements = (on: Engine) => async () => {
    for (const [i, sql] of step.sql.entries()) await runDdl(on, sql, step.params?.[i]);
  };
  // PostgreSQL: a step's statements commit together. DuckDB: one by one (each idempotent),
  // as its transactions changing one catalog entry conflict with other writers.
  if (engine.kind === "postgres") await engine.transaction((tx) => statements(tx)());
  else await statements(engine)();
}
