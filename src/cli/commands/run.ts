import type { Command } from "commander";
import { ConfigError } from "../../core/errors.js";
import { formatDate } from "../../core/interval.js";
import { loadPipeline } from "../../orchestrator/load-pipeline.js";
import { openRuntime } from "../../orchestrator/open-runtime.js";
import { runPipeline } from "../../orchestrator/run-pipeline.js";
import { renderSummary } from "../render-summary.js";
import { jsonSafe, reportError } from "../report-error.js";
import { runReporter } from "../run-reporter.js";

export interface RunCommandOptions {
  date?: string;
  param: Record<string, string>;
  json?: boolean;
  events?: boolean;
}

/** `weir run <pipeline> [--date] [--param k=v …] [--json | --events]`. */
export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run a pipeline (a .ts file, or a folder with pipeline.ts) for one logical date")
    .argument("<pipeline>", "pipeline file or folder")
    .option("--date <YYYY-MM-DD>", "logical date; the data interval is that UTC day (default: yesterday)")
    .option("--param <key=value>", "a pipeline parameter (repeatable)", collectParam, {})
    .option("--json", "print only the run summary, as JSON")
    .option("--events", "print every run event as one JSON line (NDJSON)")
    .action(async (pipelinePath: string, options: RunCommandOptions, command: Command) => {
      const { verbose } = command.optsWithGlobals<{ verbose?: boolean }>();
      process.exitCode = await runFromCli(pipelinePath, options, verbose ?? false);
    });
}

/** Loads and runs a pipeline, prints what happened and returns the exit code. Shared with `weir demo`. */
export async function runFromCli(
  pipelinePath: string,
  options: RunCommandOptions,
  verbose: boolean,
): Promise<number> {
  const { pipeline } = await loadPipeline(pipelinePath);
  const runtime = await openRuntime();
  try {
    const mode = options.json ? "quiet" : options.events ? "events" : "human";
    const result = await runPipeline(pipeline, {
      logicalDate: options.date ?? formatDate(new Date(Date.now() - 86_400_000)),
      params: options.param,
      engine: runtime.engine,
      lake: runtime.lake,
      metadata: runtime.metadata,
      listeners: [runReporter(mode)],
      // Test-only fault injection (crash tests): "<task>:<progress step>" hangs the run there.
      ...(process.env.WEIR_FAULT_PAUSE_AT ? { pauseAt: process.env.WEIR_FAULT_PAUSE_AT } : {}),
    });
    if (options.json) process.stdout.write(`${JSON.stringify(result.summary, jsonSafe, 2)}\n`);
    else if (!options.events) process.stdout.write(`\n${renderSummary(result.summary, runtime.paths)}\n`);
    return result.error ? reportError(result.error, verbose) : 0;
  } finally {
    await runtime.close();
  }
}

function collectParam(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf("=");
  if (eq <= 0) {
    throw new ConfigError(`invalid --param "${value}": expected key=value`, { details: { param: value } });
  }
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}
