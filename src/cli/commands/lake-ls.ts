import { existsSync } from "node:fs";
import type { Command } from "commander";
import { LakeError } from "../../core/errors.js";
import { weirPaths } from "../../core/paths.js";
import { DuckDBEngine } from "../../engines/duckdb/duckdb-engine.js";
import { Lake } from "../../lake/lake.js";
import { requireHome } from "../cli-home.js";
import { loadCliProject } from "../cli-project.js";
import { renderTable } from "../render-table.js";
import { jsonSafe } from "../report-error.js";

/** `weir lake ls [dataset]`: the lake's datasets, or one dataset's partitions. Returns `weir lake`. */
export function registerLakeCommand(program: Command): Command {
  const lake = program.command("lake").description("inspect and maintain the data lake");
  lake
    .command("ls")
    .description("list datasets, or the partitions of one dataset")
    .argument("[dataset]", "a dataset id, e.g. lake.raw.customers")
    .option("--json", "print JSON")
    .action(async (datasetId: string | undefined, options: { json?: boolean }) => {
      // The project's lake, from any folder; reading it never creates a home (nor a lake).
      const { config } = await loadCliProject();
      requireHome(config);
      const root = weirPaths(config.home).lake;
      // Only manifests are read; an in-memory engine avoids locking the warehouse file.
      const engine = await DuckDBEngine.create();
      try {
        const opened = existsSync(root) ? await Lake.open({ root, engine }) : undefined;
        if (datasetId === undefined) {
          const infos = opened ? await opened.datasets() : [];
          if (options.json) return print(infos);
          if (infos.length === 0) return void process.stdout.write(`the lake at ${root} has no datasets\n`);
          process.stdout.write(
            `${renderTable(
              ["dataset", "version", "files", "rows", "bytes", "partitioned by", "updated"],
              infos.map((i) => [
                i.id,
                i.version,
                i.files,
                i.rows,
                i.bytes,
                i.partitionColumns.join("/") || "-",
                i.updatedAt,
              ]),
            )}\n`,
          );
          return;
        }
        if (!opened) {
          throw new LakeError(
            "LAKE_NOT_FOUND",
            `lake dataset ${datasetId} does not exist (no lake at ${root})`,
            {
              details: { dataset: datasetId, path: root },
            },
          );
        }
        const dataset = opened.dataset(datasetId);
        const partitions = await dataset.partitions();
        if (partitions.length === 0 && !(await dataset.manifest())) {
          throw new LakeError(
            "LAKE_NOT_FOUND",
            `lake dataset ${dataset.id} does not exist (no manifest in ${dataset.dir})`,
            {
              details: { dataset: dataset.id, path: dataset.dir },
            },
          );
        }
        if (options.json) return print(partitions);
        process.stdout.write(`${dataset.dir}\n`);
        process.stdout.write(
          `${renderTable(
            ["partition", "files", "rows", "bytes"],
            partitions.map((p) => [p.path || "(unpartitioned)", p.files, p.rows, p.bytes]),
          )}\n`,
        );
      } finally {
        await engine.close();
      }
    });
  return lake;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, jsonSafe, 2)}\n`);
}
