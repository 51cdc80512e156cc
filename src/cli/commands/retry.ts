import type { Command } from "commander";
import pc from "picocolors";
import { redactSecrets } from "../../config/secret.js";
import { systemClock } from "../../core/clock.js";
import { WeirError } from "../../core/errors.js";
import { auditManualRun } from "../../governance/audit/audit-manual-run.js";
import { openTaskRunner } from "../../orchestrator/distributed/open-task-runner.js";
import { isRunLive } from "../../orchestrator/executor/heartbeat-timing.js";
import { reapZombies } from "../../orchestrator/executor/reap-zombies.js";
import { clearTasks, resumeRun } from "../../orchestrator/executor/resume-run.js";
import { cliNotifier, collectList, loadCliProject, openCliRuntime } from "../cli-project.js";
import { heartbeatTimeoutOf } from "../heartbeat-timeout.js";
import { interruptSignal } from "../interrupt-signal.js";
import { reapedAttemptText } from "../render-runs.js";
import { interruptedNote, renderSummary } from "../render-summary.js";
import { jsonSafe, reportError } from "../report-error.js";
import { runReporter } from "../run-reporter.js";
import { requireRun } from "./runs.js";

interface RetryOptions {
  task: string[];
  downstream?: boolean;
  queue?: boolean;
  json?: boolean;
}

/** `weir retry <run> [--task T …] [--downstream] [--queue] [--json]`. */
export function registerRetryCommand(program: Command): void {
  program
    .command("retry")
    .description(
      "run a finished run's tasks again (the failed ones, or --task ones) with fresh retries; or continue an interrupted run",
    )
    .argument("<run>", "run id")
    .option(
      "--task <id>",
      "clear this task (repeatable); default: every task that did not succeed",
      collectList,
      [],
    )
    .option("--downstream", "also clear everything downstream of those tasks")
    .option("--queue", "only clear them; the scheduler runs them")
    .option("--json", "print only the run summary, as JSON")
    .action(async (runId: string, options: RetryOptions, command: Command) => {
      const { verbose } = command.optsWithGlobals<{ verbose?: boolean }>();
      const { config, registry } = await loadCliProject();
      const heartbeatTimeoutMs = heartbeatTimeoutOf(config);
      const runtime = await openCliRuntime(config);
      const say = (line: string) => {
        if (!options.json) process.stdout.write(`${line}\n`);
      };
      try {
        const store = runtime.metadata;
        // Attempts whose process died first (no scheduler may be running): they free their
        // pool slots, and an interrupted run's attempts fail as zombies and retry per policy.
        const { attempts } = await reapZombies(store, systemClock, heartbeatTimeoutMs);
        for (const a of attempts) process.stderr.write(`${redactSecrets(reapedAttemptText(a))}\n`);
        const run = await requireRun(store, runId);
        const { pipeline, file } = await registry.get(run.pipeline);
        if (run.state === "running") {
          const fresh = isRunLive(run, new Date(), heartbeatTimeoutMs);
          if (fresh || options.task.length > 0 || options.downstream) {
            throw new WeirError(
              "RUN_CONFLICT",
              fresh
                ? `run ${runId} is being executed by ${run.owner} (heartbeat ${run.heartbeatAt}); retry it when it has finished`
                : `run ${runId} was interrupted: continue it first with \`weir retry ${runId}\`, then clear tasks`,
              { details: { runId } },
            );
          }
          say(`continuing interrupted run ${runId} of ${pipeline.id} (tasks in success are not run again)`);
        } else if (run.state === "queued") {
          say(`continuing queued run ${runId} of ${pipeline.id} (tasks in success are not run again)`);
        } else {
          const cleared = await clearTasks(store, pipeline, runId, {
            ...(options.task.length > 0 ? { tasks: options.task } : {}),
            ...(options.downstream ? { downstream: true } : {}),
          });
          if (cleared.length === 0) {
            say(`nothing to retry: every task of run ${runId} succeeded (name tasks with --task)`);
            return;
          }
          say(`cleared ${cleared.join(", ")} of run ${runId} (${pipeline.id}, ${run.logicalTime})`);
        }
        if (options.queue) {
          say(pc.dim("queued: `weir scheduler` will run it"));
          return;
        }
        await auditManualRun(store, {
          action: "run.retry",
          pipeline: pipeline.id,
          details: { runId, tasks: options.task, downstream: options.downstream === true },
        });
        // executor: "distributed" — the run is owned here, its tasks run on `weir worker`s; an
        // interrupted run's attempts that workers still run are re-attached, not run again.
        const taskRunner = await openTaskRunner(config, store);
        const { notifier, notifyFor } = cliNotifier(config);
        const interrupt = interruptSignal();
        try {
          const result = await resumeRun(runId, {
            ...(taskRunner ? { taskRunner } : {}),
            pipeline,
            store,
            runtime,
            listeners: [runReporter(options.json ? "quiet" : "human")],
            notify: notifyFor(pipeline),
            pipelineFile: file,
            heartbeatTimeoutMs,
            signal: interrupt.signal,
          });
          if (options.json)
            process.stdout.write(`${redactSecrets(JSON.stringify(result.summary, jsonSafe, 2))}\n`);
          else process.stdout.write(`\n${redactSecrets(renderSummary(result.summary, runtime.paths))}\n`);
          if (result.interrupted) {
            const stored = await store.runs.get(runId).catch(() => undefined);
            process.stderr.write(`${interruptedNote(runId, stored?.state)}\n`);
            process.exitCode = 130;
          } else process.exitCode = result.error ? reportError(result.error, verbose ?? false) : 0;
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
