import type { Command } from "commander";
import { openRuntime } from "../../orchestrator/open-runtime.js";
import { renderTable } from "../render-table.js";
import { jsonSafe } from "../report-error.js";

/** `weir sql "<query>"`: a query on the warehouse, with the lake's datasets as `lake_<zone>.<name>` views. */
export function registerSqlCommand(program: Command): void {
  program
    .command("sql")
    .description(
      "run SQL on the warehouse; lake datasets are views named lake_<zone>.<name> (e.g. lake_raw.customers)",
    )
    .argument("<query>", "SQL to run")
    .option("--json", "print rows as JSON")
    .action(async (query: string, options: { json?: boolean }) => {
      const runtime = await openRuntime();
      try {
        await runtime.lake.attach(runtime.engine);
        const rows = await runtime.engine.query(query);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(rows, jsonSafe, 2)}\n`);
          return;
        }
        const headers = rows.length > 0 ? Object.keys(rows[0]!) : [];
        if (headers.length > 0)
          process.stdout.write(
            `${renderTable(
              headers,
              rows.map((r) => headers.map((h) => r[h])),
            )}\n`,
          );
        process.stdout.write(`(${rows.length} row${rows.length === 1 ? "" : "s"})\n`);
      } finally {
        await runtime.close();
      }
    });
}
