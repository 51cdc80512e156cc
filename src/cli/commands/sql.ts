import { existsSync } from "node:fs";
import type { Command } from "commander";
import { WeirError } from "../../core/errors.js";
import { weirPaths } from "../../core/paths.js";
import { Lake } from "../../lake/lake.js";
import { openWarehouseEngine, warehouseTarget } from "../../orchestrator/open-runtime.js";
import { requireHome } from "../cli-home.js";
import { loadCliProject } from "../cli-project.js";
import { renderTable } from "../render-table.js";
import { jsonSafe } from "../report-error.js";

/**
 * `weir sql "<query>" [--write]`: a query on the project's warehouse, with the lake's
 * datasets as `lake_<zone>.<name>` views. It reads only (a read-only session, queries
 * only) unless `--write`, and never creates a home: without one there is nothing to read.
 */
export function registerSqlCommand(program: Command): void {
  program
    .command("sql")
    .description(
      "run SQL on the warehouse (queries only, unless --write); on a DuckDB warehouse lake datasets are views named lake_<zone>.<name> (e.g. lake_raw.customers)",
    )
    .argument("<query>", "SQL to run")
    .option("--json", "print rows as JSON")
    .option(
      "--write",
      "allow a statement that changes the warehouse (CREATE, INSERT, …); creates the home if needed",
    )
    .action(async (query: string, options: { json?: boolean; write?: boolean }) => {
      const { config } = await loadCliProject();
      const paths = weirPaths(config.home);
      const target = warehouseTarget(config.warehouse ?? paths.warehouse);
      // Reading needs something to read: the warehouse, or at least the home (a lake alone).
      if (!options.write && target.kind === "duckdb" && !existsSync(target.path)) requireHome(config);
      const engine = await openWarehouseEngine(target, paths);
      try {
        // Lake views need DuckDB: on a PostgreSQL warehouse the lake is read with `weir check lake.…`.
        if (target.kind === "duckdb" && existsSync(paths.lake))
          await (await Lake.open({ root: paths.lake, engine })).attach(engine);
        const rows = options.write
          ? await engine.query(query)
          : await engine
              .readOnly((ro) => ro.query(query))
              .catch((error: unknown) => {
                throw readOnlyHint(error);
              });
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
        await engine.close();
      }
    });
}

/** A statement the read-only session refused: say how to run it anyway. */
function readOnlyHint(error: unknown): unknown {
  if (!(error instanceof WeirError) || error.details.readOnly !== true) return error;
  return new WeirError(
    error.code,
    `${error.message}\n  weir sql only reads by default: pass --write to change the warehouse`,
    {
      cause: error,
      details: error.details,
    },
  );
}
