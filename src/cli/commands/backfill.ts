import type { Command } from "commander";
import pc from "picocolors";
import { redactSecrets } from "../../config/secret.js";
import { WeirError } from "../../core/errors.js";
import { auditManualRun } from "../../governance/audit/audit-manual-run.js";
import { openTaskRunner } from "../../orchestrator/distributed/open-task-runner.js";
import {
  type BackfillPlan,
  type BackfillReport,
  planBackfill,
  runBackfill,
} from "../../orchestrator/scheduler/backfill.js";
import { backfillReporter, renderBackfillRuns } from "../backfill-reporter.js";
import {
  cliNotifier,
  collectParam,
  loadCliProject,
  openCliRuntime,
  parseCliDate,
  parseCount,
} from "../cli-project.js";
import { heartbeatTimeoutOf } from "../heartbeat-timeout.js";
import { interruptSignal } from "../interrupt-signal.js";
import { logicalText } from "../render-runs.js";
import { formatDuration } from "../render-table.js";
import { jsonSafe, reportError } from "../report-error.js";

interface BackfillCommandOptions {
  from: string;
  to: string;
  concurrency?: string;
  param: Record<string, string>;
  dryRun?: boolean;
  json?: boolean;
}

/** `weir backfill <pipeline> --from D --to D [--concurrency N] [--dry-run] [--json]`. */
export function registerBackfillCommand(program: Command): void {
  program
    .command("backfill")
    .description(
      "run a pipeline for every logical date of its schedule (or missing partition) in a range that has no successful run yet; dates a live process holds are skipped and listed, runs of dead processes are reaped and redone",
    )
    .argument("<pipeline>", "pipeline id, file or folder")
    .requiredOption("--from <date>", "first logical date, YYYY-MM-DD or an ISO instant")
    .requiredOption("--to <date>", "last logical date (a plain date includes that whole day)")
    .option(
      "--concurrency <n>",
      "runs at once (default 1: runs share this process and the warehouse; pipelines that stage per run can take more)",
    )
    .option("--param <key=value>", "a parameter for every run (repeatable)", collectParam, {})
    .option("--dry-run", "list the runs it would create, and run nothing")
    .option("--json", "print the report as JSON")
    .action(async (pipelineRef: string, options: BackfillCommandOptions, command: Command) => {
      const { verbose } = command.optsWithGlobals<{ verbose?: boolean }>();
      const { config, registry } = await loadCliProject();
      const { pipeline, file } = await registry.get(pipelineRef);
      const from = parseCliDate(options.from, "--from").date;
      const to = parseCliDate(options.to, "--to", true).date;
      const concurrency = options.concurrency ? parseCount(options.concurrency, "--concurrency") : undefined;
      const heartbeatTimeoutMs = heartbeatTimeoutOf(config);
      const runtime = await openCliRuntime(config);
      const out = (line: string) => {
        if (!options.json) process.stdout.write(`${redactSecrets(line)}\n`);
      };
      try {
        if (options.dryRun) {
          const plan = await planBackfill({
            pipeline,
            store: runtime.metadata,
            from,
            to,
            heartbeatTimeoutMs,
          });
          if (options.json) return void process.stdout.write(`${JSON.stringify(plan, jsonSafe, 2)}\n`);
          out(
            `${pc.bold(pipeline.id)} backfill ${options.from} .. ${options.to}: ${plan.create.length} new run(s), ` +
              `${plan.rerun.length} failed run(s) to run again, ${plan.resume.length} run(s) nobody executes to continue; ${skippedText(plan)}`,
          );
          for (const d of plan.create) out(`  + ${d.toISOString()}`);
          for (const r of plan.rerun) out(`  ↻ ${logicalText(r)} (${r.id})`);
          for (const r of plan.resume) out(`  ▸ ${logicalText(r)} (${r.id}, ${resumeWhy(r)})`);
          for (const line of heldLines(plan)) out(line);
          return;
        }
        // executor: "distributed" — the runs are owned here, their tasks run on `weir worker`s (as `weir run`).
        const taskRunner = await openTaskRunner(config, runtime.metadata);
        const { notifier, notifyFor } = cliNotifier(config);
        const interrupt = interruptSignal();
        const progress = backfillReporter(out);
        out(`${pc.bold(pipeline.id)} backfill ${options.from} .. ${options.to}`);
        await auditManualRun(runtime.metadata, {
          action: "run.backfill",
          pipeline: pipeline.id,
          details: { from: options.from, to: options.to, params: options.param ?? {} },
        });
        try {
          const report = await runBackfill({
            pipeline,
            store: runtime.metadata,
            runtime,
            from,
            to,
            ...(concurrency ? { concurrency } : {}),
            params: options.param,
            signal: interrupt.signal,
            notify: notifyFor(pipeline),
            pipelineFile: file,
            heartbeatTimeoutMs,
            ...(taskRunner ? { taskRunner } : {}),
            ...(options.json ? {} : { listeners: [progress.listener] }),
            onPlan: progress.onPlan,
            onRunFinished: progress.onRunFinished,
          });
          if (options.json) process.stdout.write(`${redactSecrets(JSON.stringify(report, jsonSafe, 2))}\n`);
          if (report.runs.length > 0) out(`\n${renderBackfillRuns(report)}\n`);
          out(
            `${pc.bold(pipeline.id)} backfill ${options.from} .. ${options.to}: ${report.runs.length} run(s) in ${formatDuration(report.durationMs)} — ` +
              `${report.succeeded} succeeded, ${report.failed} failed, ${report.interrupted} interrupted; ${skippedText(report)}`,
          );
          for (const r of report.reaped) {
            out(
              `  ${pc.yellow("↺")} ${r.logicalDate} ${pc.dim(r.runId)} was left running by ${r.owner ?? "an executor that stopped"} (last heartbeat ${r.lastHeartbeat ?? "never"}): reaped and run again`,
            );
          }
          for (const line of heldLines(report)) out(line);
          if (report.interrupted > 0) process.exitCode = 130;
          else if (report.failed > 0) {
            process.exitCode = reportError(
              new WeirError(
                "TASK_FAILED",
                `${report.failed} of ${report.runs.length} backfill run(s) failed: see weir runs list --pipeline ${pipeline.id} --state failed`,
                {
                  details: { failed: report.runs.filter((r) => r.state === "failed").map((r) => r.runId) },
                },
              ),
              verbose ?? false,
            );
          }
        } finally {
          interrupt.dispose();
          await taskRunner?.close();
          await notifier.close();
        }
      } finally {
        await runtime.close();
      }
    });
}

/** "N date(s) skipped: A already succeeded, H held by another live process". */
function skippedText(plan: Pick<BackfillPlan, "skipped" | "alreadySucceeded" | "held">): string {
  return `${plan.skipped.length} date(s) skipped: ${plan.alreadySucceeded.length} already succeeded, ${plan.held.length} held by another live process`;
}

/** One line per date another live process holds, naming it (the user may wait for it, or stop it). */
function heldLines(plan: Pick<BackfillReport, "held">): string[] {
  return plan.held.map(
    (h) =>
      `  ${pc.cyan("⧗")} ${h.logicalDate} ${pc.dim(h.runId)} held by ${h.owner ?? "another process"} (heartbeat ${h.heartbeatAt ?? "none"}): skipped`,
  );
}

function resumeWhy(run: BackfillPlan["resume"][number]): string {
  return run.state === "queued"
    ? "queued"
    : `left running by ${run.owner ?? "an executor that stopped"}, last heartbeat ${run.heartbeatAt ?? "never"}`;
}
