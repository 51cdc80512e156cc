import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { ConfigError, messageOf } from "../../core/errors.js";
import { observedRun } from "../../lineage/emit/observed-run.js";
import { renderHtmlReport } from "../../quality/html-report.js";
import { exportQualityHistory, qualityHistory } from "../../quality/quality-history.js";
import { parseResultFormat, type ResultFormatInput } from "../../quality/result-format.js";
import { runSuite } from "../../quality/run-suite.js";
import { loadSuiteFile } from "../../quality/suite-yaml.js";
import { openCheckSession, resolveCheckTarget } from "../check-target.js";
import { isFileTarget, requireHome, requireStore } from "../cli-home.js";
import { loadCliProject } from "../cli-project.js";
import { renderCheck, renderHistory } from "../render-check.js";
import { renderFileRead } from "../render-file-read.js";
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
  param?: Record<string, unknown>;
  resultFormat?: ResultFormatInput;
}

/** `--result-format COMPLETE` or GX's dict as JSON: `'{"result_format": "COMPLETE", …}'`. */
function resultFormatOption(text: string): ResultFormatInput {
  let input: unknown = text;
  if (text.trim().startsWith("{")) {
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`--result-format: not JSON: ${messageOf(error)}`);
    }
  }
  parseResultFormat(input, "--result-format");
  return input as ResultFormatInput;
}

/** `--param name=value`: the value as JSON when it reads as JSON (numbers, lists), else as text. */
function suiteParameter(text: string, previous: Record<string, unknown>): Record<string, unknown> {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new ConfigError(`--param "${text}": expected name=value, e.g. --param min_rows=100`);
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // plain text, such as a date
  }
  return { ...previous, [text.slice(0, eq)]: value };
}

/**
 * `weir check <dataset|file> --suite <file> [--param name=value …] [--json] [--html report.html] [--engine url]`:
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
    .option(
      "--dataset <name>",
      "the dataset name results are stored under (default: the suite's dataset:, else the target's name)",
    )
    .option("--history <dataset>", "print the stored quality history of a dataset instead of checking")
    .option("--csv", "with --history: export as CSV")
    .option("--limit <n>", "with --history: the newest n checks (default 100)")
    .option(
      "--param <name=value>",
      'a suite parameter for {"$PARAMETER": …} kwargs, over the suite\'s suite_parameters (repeatable)',
      suiteParameter,
      {},
    )
    .option(
      "--result-format <format>",
      "GX's result_format for every expectation, over the suite's and the kwargs' (as a checkpoint's): BOOLEAN_ONLY, BASIC, SUMMARY, COMPLETE, or its dict as JSON",
      resultFormatOption,
    )
    .action(async (targetArg: string | undefined, options: CheckOptions) => {
      if (options.history !== undefined) return history(options.history, options);
      if (!targetArg)
        throw new ConfigError(
          "weir check: name a table, lake dataset or file to check (or use --history <dataset>)",
        );
      if (!options.suite) throw new ConfigError("weir check: --suite <file> is required");
      // The project's home from any folder; a table or lake dataset of the home's warehouse is
      // only read from an existing one. A file, or a table of another database (--engine), is
      // not in the home: the home is created to store the results.
      const { config } = await loadCliProject();
      if (!isFileTarget(targetArg) && options.engine === undefined) requireHome(config);
      const suite = await loadSuiteFile(options.suite);
      const session = await openCheckSession(options.engine, {
        ...(config.warehouse ? { warehouse: config.warehouse } : {}),
        ...(config.lineage ? { lineage: config.lineage } : {}),
      });
      try {
        const resolved = await resolveCheckTarget(targetArg, session);
        const dataset = options.dataset ?? suite.dataset ?? resolved.dataset;
        const { runtime } = session;
        const result = await observedRun(
          runtime.lineage,
          {
            job: `quality.${dataset}`,
            jobType: "CHECK",
            engines: [resolved.engine, runtime.engine, runtime.lakeEngine],
            lakeRoot: runtime.lake.root,
          },
          () =>
            runSuite(resolved.engine, resolved.target, suite, {
              // --dataset, else the suite's `dataset:` (as a pipeline's check stores it), else the target's name.
              dataset,
              store: session.runtime.metadata.quality,
              failOnError: false,
              suiteParameters: options.param ?? {},
              ...(options.resultFormat === undefined ? {} : { resultFormat: options.resultFormat }),
            }),
        );
        if (options.html) await writeFile(options.html, renderHtmlReport(result));
        // A file's rows were read by its source first: say what was rejected (and so not checked).
        const read = resolved.read;
        process.stdout.write(
          options.json
            ? `${JSON.stringify(read ? { ...result, read } : result, jsonSafe, 2)}\n`
            : `${read ? `${renderFileRead(read, "checked")}\n\n` : ""}${renderCheck(result)}\n`,
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
  requireStore((await loadCliProject()).config);
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
