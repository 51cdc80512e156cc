import type { Command } from "commander";
import { ConfigError, LakeError } from "../../core/errors.js";
import { DuckDBEngine } from "../../engines/duckdb/duckdb-engine.js";
import { Lake, type VacuumReport } from "../../lake/lake.js";
import { requireHome } from "../cli-home.js";
import { loadCliProject } from "../cli-project.js";
import { jsonSafe } from "../report-error.js";

interface VacuumOptions {
  json?: boolean;
  dryRun?: boolean;
  lockWait: string;
}

/**
 * `weir lake vacuum [dataset]`: removes what interrupted commits left in the lake (staging
 * folders, unlisted Parquet files, temporary manifests, dead writers' lock files), taking
 * each dataset's writer lock so it never races a commit. `--dry-run` only lists them.
 */
export function registerLakeVacuumCommand(lake: Command): void {
  lake
    .command("vacuum")
    .description("remove leftovers of interrupted commits, from one dataset or all")
    .argument("[dataset]", "a dataset id, e.g. lake.raw.customers (default: every dataset)")
    .option("--dry-run", "list what would be removed, removing nothing")
    .option("--lock-wait <ms>", "wait this long for a dataset's writer lock", "10000")
    .option("--json", "print JSON")
    .action(async (datasetId: string | undefined, options: VacuumOptions) => {
      const lockWaitMs = Number(options.lockWait);
      if (!Number.isInteger(lockWaitMs) || lockWaitMs < 0) {
        throw new ConfigError(
          `--lock-wait must be a whole number of milliseconds; got "${options.lockWait}"`,
          {
            details: { option: "--lock-wait", value: options.lockWait },
          },
        );
      }
      const settings = { lockWaitMs, dryRun: options.dryRun ?? false };
      // The project's home from any folder (loadCliProject sets WEIR_HOME); never a new one.
      requireHome((await loadCliProject()).config);
      // Only files are touched; an in-memory engine avoids locking the warehouse file.
      const engine = await DuckDBEngine.create();
      try {
        const opened = await Lake.open({ engine });
        let reports: VacuumReport[];
        if (datasetId === undefined) {
          reports = await opened.vacuum(settings);
        } else {
          const dataset = opened.dataset(datasetId);
          const { removed } = await dataset.vacuum(settings);
          if (removed.length === 0 && !(await dataset.manifest())) {
            throw new LakeError(
              "LAKE_NOT_FOUND",
              `lake dataset ${dataset.id} does not exist (no manifest in ${dataset.dir})`,
              {
                details: { dataset: dataset.id, path: dataset.dir },
              },
            );
          }
          reports = [{ dataset: dataset.id, removed }];
        }
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify({ dryRun: settings.dryRun, datasets: reports }, jsonSafe, 2)}\n`,
          );
          return;
        }
        process.stdout.write(render(reports, settings.dryRun, opened.root));
      } finally {
        await engine.close();
      }
    });
}

function render(reports: readonly VacuumReport[], dryRun: boolean, root: string): string {
  const verb = dryRun ? "would remove" : "removed";
  const lines: string[] = [];
  for (const { dataset, removed } of reports) {
    if (removed.length === 0) continue;
    lines.push(`${dataset}: ${verb} ${removed.length} leftover${removed.length === 1 ? "" : "s"}`);
    for (const path of removed) lines.push(`  ${path}`);
  }
  if (lines.length === 0) lines.push(`nothing to remove in the lake at ${root}`);
  return `${lines.join("\n")}\n`;
}
