import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { ConfigError } from "../../core/errors.js";
import { renderHtmlReport } from "../../quality/html-report.js";
import { exportQualityHistory, qualityHistory } from "../../quality/quality-history.js";
import { runSuite } from "../../quality/run-suite.js";
import { loadSuiteFile } from "../../quality/suite-yaml.js";
import { openCheckSession, resolveCheckTarget } from "../check-target.js";
import { renderCheck, renderHistory } from "../render-check.js";
import { jsonSafe } from "../report-error.js";

interface CheckOptions {
  suite?: string;
  json?: boolean;
  html?: string;
  engine?: string;
  dataset?: string;
  history?: string;
  csv?: boolean;
  limit?: string;
}

/**
 * `weir check <dataset|file> --suite <file> [--json] [--html report.html] [--engine url]`:
 * runs a suite, stores the results, exits 1 when a check with severity error failed.
 * `weir check --history <dataset> [--json | --csv]` prints or exports the stored results.
 */
export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description(
      "run a quality suite on a table, a lake dataset or a file; exit 1 when a check with severity error fails",
    )
    .argument(
      "[target]",
      "a warehouse table (dim_customers), a lake dataset (lake.raw.customers) or a CSV/Parquet/NDJSON file",
    )
    .option("--suite <file>", "the suite (YAML or JSON)")
    .option("--json", "print the result (or the history) as JSON")
    .option("--html <file>", "also write a self-contained HTML report")
    .option("--engine <url>", "check on this engine instead of the home's warehouse (duckdb:…, postgres://…)")
    .option("--dataset <name>", "the dataset name results are stored under (default: the target's name)")
    .option("--history <dataset>", "print the stored quality history of a dataset instead of checking")
    .option("--csv", "with --history: export as CSV")
    .option("--limit <n>", "with --history: the newest n checks (default 100)")
    .action(async (targetArg: string | undefined, options: CheckOptions) => {
      if (options.history !== undefined) return history(options.history, options);
      if (!targetArg)
        throw new ConfigError(
          "weir check: name a table, lake dataset or file to check (or use --history <dataset>)",
        );
      if (!options.suite) throw new ConfigError("weir check: --suite <file> is required");
      const suite = await loadSuiteFile(options.suite);
      const session = await openCheckSession(options.engine);
      try {
        const resolved = await resolveCheckTarget(targetArg, session);
        const result = await runSuite(session.engine, resolved.target, suite, {
          // The target's own history by default: a suite written for a pipeline's daily slice
          // (its `dataset`) must not mix a whole table's metrics into that slice's series.
          dataset: options.dataset ?? resolved.dataset,
          store: session.runtime.metadata.quality,
          failOnError: false,
        });
        if (options.html) await writeFile(options.html, renderHtmlReport(result));
        process.stdout.write(
          options.json ? `${JSON.stringify(result, jsonSafe, 2)}\n` : `${renderCheck(result)}\n`,
        );
        if (options.html && !options.json) process.stdout.write(`report: ${options.html}\n`);
        process.exitCode = result.success ? 0 : 1;
      } finally {
        await session.close();
      }
    });
}

async function history(dataset: string, options: CheckOptions): Promise<void> {
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new ConfigError(`invalid --limit "${options.limit}": expected a positive integer`);
  }
  const session = await openCheckSession(undefined);
  try {
    const records = await qualityHistory(
      session.runtime.metadata.quality,
      dataset,
      limit === undefined ? {} : { limit },
    );
    if (options.csv) process.stdout.write(exportQualityHistory(records, "csv"));
    else if (options.json) process.stdout.write(exportQualityHistory(records, "json"));
    else process.stdout.write(`${renderHistory(records)}\n`);
  } finally {
    await session.close();
  }
}
