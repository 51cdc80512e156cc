import type { Command } from "commander";
import { redactSecrets } from "../../config/secret.js";
import { systemClock } from "../../core/clock.js";
import { auditManualRun } from "../../governance/audit/audit-manual-run.js";
import { openTaskRunner } from "../../orchestrator/distributed/open-task-runner.js";
import { executeRun } from "../../orchestrator/executor/execute-run.js";
import { reapZombies } from "../../orchestrator/executor/reap-zombies.js";
import { cliNotifier, collectParam, loadCliProject, openCliRuntime } from "../cli-project.js";
import { heartbeatTimeoutOf } from "../heartbeat-timeout.js";
import { interruptSignal } from "../interrupt-signal.js";
import { existingRunText, reapedAttemptText } from "../render-runs.js";
import { interruptedNote, renderSummary } from "../render-summary.js";
import { jsonSafe, reportError } from "../report-error.js";
import { checkExistingInterval, resolveRunDate } from "../run-date.js";
import { runReporter } from "../run-reporter.js";

export interface RunCommandOptions {
  date?: string;
  /** An explicit data interval, `<start>..<end>`. */
  interval?: string;
  param: Record<string, string>;
  json?: boolean;
  events?: boolean;
}

/** `weir run <pipeline> [--date] [--param k=v …] [--json | --events]`. */
export function registerRunCommand(program: Command): void {
  program
    .command("run")
    .description("run a pipeline for one logical date: by id (from weir.config.ts) or by file or folder")
    .argument("<pipeline>", "pipeline id, or a .ts file, or a folder with pipeline.ts")
    .option(
      "--date <date>",
      "logical date: the run of the schedule interval (or partition) containing it, e.g. 2001-03-15 of a @monthly pipeline is the run of March; YYYY-MM-DD (a day in the pipeline's time zone) or an instant such as 2024-01-15T02:00:00Z; default the latest complete interval",
    )
    .option(
      "--interval <start..end>",
      "run over this data interval instead (start included, end excluded), e.g. 2001-03-01..2001-03-08; its logical date is the start, or --date",
    )
    .option("--param <key=value>", "a pipeline parameter (repeatable)", collectParam, {})
    .option("--json", "print only the run summary, as JSON")
    .option("--events", "print every run event as one JSON line (NDJSON)")
    .action(async (pipeline: string, options: RunCommandOptions, command: Command) => {
      const { verbose } = command.optsWithGlobals<{ verbose?: boolean }>();
      process.exitCode = await runFromCli(pipeline, options, verbose ?? false);
    });
}

/**
 * Loads and runs a pipeline as a manual run, prints what happened and returns the exit
 * code. Ctrl-C (or SIGTERM) stops it: running attempts are released and the run stays
 * resumable (`weir retry <run>`). Shared with `weir demo`. Dead attempts (stale heartbeat)
 * are reaped first. A date that has a run already runs that run again (see `executeRun`):
 * what happens to it is printed to stderr; a live executor's run is a RUN_CONFLICT.
 */
export async function runFromCli(
  pipelineRef: string,
  options: RunCommandOptions,
  verbose: boolean,
): Promise<number> {
  const { config, registry } = await loadCliProject();
  const { pipeline, file } = await registry.get(pipelineRef);
  const slot = resolveRunDate(pipeline, options);
  const heartbeatTimeoutMs = heartbeatTimeoutOf(config);
  const runtime = await openCliRuntime(config);
  const { notifier, notifyFor } = cliNotifier(config);
  const interrupt = interruptSignal();
  let taskRunner: Awaited<ReturnType<typeof openTaskRunner>>;
  try {
    // executor: "distributed" — the tasks run on `weir worker`s; this process keeps the DAG.
    taskRunner = await openTaskRunner(config, runtime.metadata);
    const mode = options.json ? "quiet" : options.events ? "events" : "human";
    const note = (line: string) => process.stderr.write(`${redactSecrets(line)}\n`);
    // No scheduler may be running: attempts whose process died are reaped here, by whoever comes next.
    const { attempts } = await reapZombies(runtime.metadata, systemClock, heartbeatTimeoutMs);
    for (const a of attempts) note(reapedAttemptText(a));
    await checkExistingInterval(runtime.metadata, pipeline, slot);
    if (slot.note && mode === "human") note(`${pipeline.id}: ${slot.note}`);
    await auditManualRun(runtime.metadata, {
      action: "run.manual",
      pipeline: pipeline.id,
      details: { logicalDate: slot.logicalDate.toISOString(), params: options.param ?? {} },
    });
    const result = await executeRun({
      pipeline,
      store: runtime.metadata,
      runtime,
      // The interval containing the date, with its own logical date (see resolveRunDate).
      logicalDate: slot.logicalDate,
      interval: slot.interval,
      params: options.param,
      runType: "manual",
      signal: interrupt.signal,
      listeners: [runReporter(mode)],
      notify: notifyFor(pipeline),
      pipelineFile: file,
      heartbeatTimeoutMs,
      ...(taskRunner ? { taskRunner } : {}),
      onExistingRun: (run, action) => note(existingRunText(run, action)),
      // Test-only fault injection (crash tests): "<task>:<progress step>" hangs the run there.
      ...(process.env.WEIR_FAULT_PAUSE_AT ? { pauseAt: process.env.WEIR_FAULT_PAUSE_AT } : {}),
    });
    if (options.json) process.stdout.write(`${redactSecrets(JSON.stringify(result.summary, jsonSafe, 2))}\n`);
    else if (!options.events)
      process.stdout.write(`\n${redactSecrets(renderSummary(result.summary, runtime.paths))}\n`);
    if (result.interrupted) {
      const stored = await runtime.metadata.runs.get(result.runId).catch(() => undefined);
      process.stderr.write(`${interruptedNote(result.runId, stored?.state)}\n`);
      return 130;
    }
    return result.error ? reportError(result.error, verbose) : 0;
  } finally {
    interrupt.dispose();
    await taskRunner?.close();
    await notifier.close();
    await runtime.close();
  }
}
