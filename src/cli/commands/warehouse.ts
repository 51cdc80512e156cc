import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import type { ProjectConfig } from "../../config/project-config.js";
import { weirPaths } from "../../core/paths.js";
import type { Engine } from "../../engines/engine.js";
import { openEngine } from "../../engines/open-engine.js";
import { openWarehouseEngine, warehouseTarget } from "../../orchestrator/open-runtime.js";
import { applyWarehouse } from "../../warehouse/ddl/apply-warehouse.js";
import { type PlanStep, planWarehouse, type WarehousePlan } from "../../warehouse/ddl/plan-warehouse.js";
import { findWarehouseModels } from "../../warehouse/warehouse-model-registry.js";
import { loadCliProject } from "../cli-project.js";
import { jsonSafe } from "../report-error.js";

/** `weir warehouse plan|apply`: the DDL the project's warehouse models need, shown or run. */
export function registerWarehouseCommand(program: Command): void {
  const warehouse = program
    .command("warehouse")
    .description("warehouse models: plan and apply the DDL they need (weir.config.ts `warehouseModels`)");

  warehouse
    .command("plan")
    .description("print the steps (SQL) that make the warehouse match its models; changes nothing")
    .option("--model <name>", "only this warehouse model (its name, or a model file)")
    .option("--json", "print the plans as JSON")
    .action(async (options: { model?: string; json?: boolean }) => {
      const { config } = await loadCliProject();
      const models = await findWarehouseModels(modelLocations(config), options.model);
      const engine = await openForPlan(config);
      try {
        const plans: WarehousePlan[] = [];
        for (const { model } of models) plans.push(await planWarehouse(engine, model));
        if (options.json) return void process.stdout.write(`${JSON.stringify(plans, jsonSafe, 2)}\n`);
        for (const plan of plans) process.stdout.write(renderPlan(plan));
      } finally {
        await engine.close();
      }
    });

  warehouse
    .command("apply")
    .description(
      "run the steps that make the warehouse match its models (destructive ones need --allow-destructive)",
    )
    .option("--model <name>", "only this warehouse model (its name, or a model file)")
    .option("--allow-destructive", "also drop columns, narrow types and rebuild tables")
    .option("--json", "print what was applied as JSON")
    .action(async (options: { model?: string; allowDestructive?: boolean; json?: boolean }) => {
      const { config } = await loadCliProject();
      const models = await findWarehouseModels(modelLocations(config), options.model);
      const paths = weirPaths(config.home);
      const target = warehouseTarget(config.warehouse ?? paths.warehouse);
      if (target.kind === "duckdb") mkdirSync(paths.tmp, { recursive: true });
      const engine = await openWarehouseEngine(target, paths);
      try {
        const results = [];
        for (const { model } of models) {
          const result = await applyWarehouse(engine, model, {
            allowDestructive: options.allowDestructive === true,
          });
          results.push(result);
          if (!options.json) {
            const n = result.applied.length;
            process.stdout.write(
              n === 0
                ? `warehouse ${model.name} is up to date on ${engine.kind}\n`
                : `applied ${n} step${n === 1 ? "" : "s"} to warehouse ${model.name} on ${engine.kind}:\n${result.applied.map((s) => `  ${s.kind} ${s.table}\n`).join("")}`,
            );
            for (const notice of result.plan.notices)
              process.stdout.write(`${pc.yellow("note")}: ${notice}\n`);
          }
        }
        if (options.json) process.stdout.write(`${JSON.stringify(results, jsonSafe, 2)}\n`);
      } finally {
        await engine.close();
      }
    });
}

/** The configured model locations, else `<project>/warehouse`. */
function modelLocations(config: ProjectConfig): string[] {
  return config.warehouseModels ?? [join(config.root, "warehouse")];
}

/**
 * The warehouse to plan against. Planning only reads: a DuckDB warehouse file that does not
 * exist yet is not created — the plan is made against an empty in-memory DuckDB instead
 * (everything to create), which is what the file would hold.
 */
async function openForPlan(config: ProjectConfig): Promise<Engine> {
  const paths = weirPaths(config.home);
  const target = warehouseTarget(config.warehouse ?? paths.warehouse);
  if (target.kind === "duckdb" && !existsSync(target.path)) return openEngine(":memory:");
  if (target.kind === "duckdb") mkdirSync(paths.tmp, { recursive: true });
  return openWarehouseEngine(target, paths);
}

/** A plan as SQL a reader can run: each step a comment line, then its statements. */
export function renderPlan(plan: WarehousePlan): string {
  const lines: string[] = [];
  const destructive = plan.steps.filter((s) => s.destructive).length;
  if (plan.steps.length === 0) lines.push(`-- warehouse ${plan.warehouse} is up to date on ${plan.engine}`);
  else
    lines.push(
      `-- warehouse ${plan.warehouse} on ${plan.engine}: ${plan.steps.length} step${plan.steps.length === 1 ? "" : "s"}${destructive > 0 ? `, ${destructive} destructive (apply needs --allow-destructive)` : ""}`,
    );
  plan.steps.forEach((step, i) => {
    lines.push(...stepLines(step, i + 1));
  });
  for (const notice of plan.notices) lines.push(`-- note: ${notice}`);
  return `${lines.join("\n")}\n`;
}

function stepLines(step: PlanStep, n: number): string[] {
  const flag = step.destructive ? `${pc.red("DESTRUCTIVE")} ` : "";
  const lines = [`-- ${n}. ${flag}${step.kind} ${step.table}: ${step.reason.replace(/\n/g, " ")}`];
  step.sql.forEach((sql, i) => {
    lines.push(`${sql};`);
    const params = step.params?.[i];
    if (params && params.length > 0) lines.push(`--    with $1.. = ${JSON.stringify(params, jsonSafe)}`);
  });
  return lines;
}
