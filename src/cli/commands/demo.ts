import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { PipelineError } from "../../core/errors.js";
import { importUserModule } from "../../orchestrator/load-pipeline.js";
import { loadCliProject } from "../cli-project.js";
import { runFromCli } from "./run.js";

interface SeedModule {
  seedCustomers(options: { path: string }): { rows: number; path: string };
}

/** `weir demo`: seed the CRM source database, then run examples/customers for 2024-01-15. */
export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("seed a demo CRM database and run the customer pipeline (examples/customers) for one day")
    .option("--date <YYYY-MM-DD>", "logical date (the seed covers January 2024)", "2024-01-15")
    .option("--json", "print only the run summary, as JSON")
    .action(async (options: { date: string; json?: boolean }, command: Command) => {
      const { verbose } = command.optsWithGlobals<{ verbose?: boolean }>();
      // The same relative path from src/cli/commands/ and dist/cli/commands/.
      const example = fileURLToPath(new URL("../../../examples/customers/", import.meta.url));
      if (!existsSync(join(example, "seed.ts"))) {
        throw new PipelineError("PIPELINE_NOT_FOUND", `the demo example is missing: ${example}seed.ts`, {
          details: { path: example },
        });
      }
      const seed = (await importUserModule(join(example, "seed.ts"))) as unknown as SeedModule;
      // The same home the run below uses (the project's, from any folder).
      const { config } = await loadCliProject();
      const source = join(config.home, "sources", "crm.sqlite");
      const report = seed.seedCustomers({ path: source });
      if (!options.json) process.stdout.write(`seeded ${report.rows} customers into ${report.path}\n`);
      process.exitCode = await runFromCli(
        example,
        { date: options.date, param: { source }, ...(options.json ? { json: true } : {}) },
        verbose ?? false,
      );
    });
}
