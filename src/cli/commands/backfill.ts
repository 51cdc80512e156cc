import type { Command } from "commander";
import pc from "picocolors";
import { redactSecrets } from "../../config/secret.js";
import { WeirError } from "../../core/errors.js";
import { planBackfill, runBackfill } from "../../orchestrator/scheduler/backfill.js";
import {
  cliNotifier,
  collectParam,
  loadCliProject,
  openCliRuntime,
  parseCliDate,
  parseCount,
} from "../cli-project.js";
import { interruptSignal } from "../interrupt-signal.js";
import { logicalText, stateText } from "../render-runs.js";
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
      "run a pipeline for every logical date of its schedule (or missing partition) in a range that has no successful run yet",
    )
    .argument("<pipeline>", "pipeline id, file or folder")
    .requiredOption("--from <date>", "first logical date, YYYY-MM-DD or an ISO instant")
    .requiredOption("--to <date>", "last logical date (a plain date includes that whole day)")
    .option("--concurrency <n>", "runs at once (default: the pipeline's maxActiveRuns)")
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
      const runtime = await openCliRuntime(config);
      const out = (line: string) => {
        if (!options.json) process.stdout.write(`${redactSecrets(line)}\n`);
      };
      try {
        if (options.dryRun) {
          const plan = await planBackfill({ pipeline, store: runtime.metadata, from, to });
          if (options.json) return void process.stdout.write(`${JSON.stringify(plan, jsonSafe, 2)}\n`);
          out(
            `${pc.bold(pipeline.id)} backfill ${options.from} .. ${options.to}: ${plan.create.length} new run(s), ` +
              `${plan.rerun.length} failed run(s) to run again, ${plan.skipped.length} date(s) already done or under way`,
          );
          for (const d of plan.create) out(`  + ${d.toISOString()}`);
          for (const r of plan.rerun) out(`  ↻ ${logicalText(r)} (${r.id})`);
          return;
        }
        const { notifier, notifyFor } = cliNotifier(config);
        const interrupt = interruptSignal();
        try {
          const report = await runBackfill({
            pipeline,
            store: runtime.metadata,
            runtime: { engine: runtime.engine, lake: runtime.lake },
            from,
            to,
            ...(concurrency ? { concurrency } : {}),
            params: options.param,
            signal: interrupt.signal,
            notify: notifyFor(pipeline),
            pipelineFile: file,
            onRunFinished: (result, date) => {
              const mark = result.interrupted
                ? pc.yellow("-")
                : result.state === "succeeded"
                  ? pc.green("✓")
                  : pc.red("✗");
              const why = result.error && !result.interrupted ? `: ${result.error.message}` : "";
              out(
                `  ${mark} ${date.toISOString()} ${pc.dim(result.runId)} ${stateText(result.interrupted ? "interrupted" : result.state)} ${pc.dim(formatDuration(result.summary.durationMs))}${why}`,
              );
            },
          });
          if (options.json) process.stdout.write(`${redactSecrets(JSON.stringify(report, jsonSafe, 2))}\n`);
          out(
            `${pc.bold(pipeline.id)} backfill ${options.from} .. ${options.to}: ${report.runs.length} run(s) in ${formatDuration(report.durationMs)} — ` +
              `${report.succeeded} succeeded, ${report.failed} failed, ${report.interrupted} interrupted; ` +
              `${report.skipped.length} date(s) skipped (already done or under way)`,
          );
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
          await notifier.close();
        }
      } finally {
        await runtime.close();
      }
    });
}
