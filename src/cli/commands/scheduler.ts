import type { Command } from "commander";
import pc from "picocolors";
import { redactingLogger } from "../../config/redacting-store.js";
import { redactSecrets } from "../../config/secret.js";
import type { LogEvent } from "../../core/log.js";
import { openTaskRunner } from "../../orchestrator/distributed/open-task-runner.js";
import type { RunEvent } from "../../orchestrator/run-events.js";
import { Scheduler } from "../../orchestrator/scheduler/scheduler.js";
import { cliNotifier, loadCliProject, openCliRuntime } from "../cli-project.js";
import { heartbeatTimeoutOf } from "../heartbeat-timeout.js";
import { formatDuration } from "../render-table.js";

/**
 * `weir scheduler [--once]`: queue and execute runs as they fall due until SIGTERM/SIGINT.
 * The first signal stops cleanly (attempts get the grace period to finish, then are
 * released, resumable); a second one exits at once.
 */
export function registerSchedulerCommand(program: Command): void {
  program
    .command("scheduler")
    .description("run the scheduler: queue runs as they fall due and execute them, until SIGTERM")
    .option("--once", "one pass: queue what is due, run it to the end, exit")
    .action(async (options: { once?: boolean }) => {
      const { config, registry } = await loadCliProject();
      const heartbeatTimeoutMs = heartbeatTimeoutOf(config);
      const { pipelines, failures } = await registry.list();
      const logger = redactingLogger({ log: printLog });
      for (const f of failures) logger.log({ level: "error", message: `not scheduled: ${f.error.message}` });
      const { notifier, problems } = cliNotifier(config, logger);
      for (const p of problems) logger.log({ level: "warn", message: p });
      const runtime = await openCliRuntime(config);
      // executor: "distributed" — runs are owned here, their tasks run on `weir worker`s.
      const taskRunner = await openTaskRunner(config, runtime.metadata).catch(async (error: unknown) => {
        await runtime.close();
        throw error;
      });
      const s = config.scheduler;
      const scheduler = new Scheduler({
        ...(taskRunner ? { taskRunner } : {}),
        pipelines,
        store: runtime.metadata,
        runtime,
        notifier,
        defaultRoutes: config.defaultRoutes,
        logger,
        listeners: [taskLines],
        tickMs: s.tick,
        heartbeatTimeoutMs,
        reapIntervalMs: s.reapInterval,
        maxConcurrentRuns: s.maxConcurrentRuns,
        shutdownGraceMs: s.shutdownGrace,
      });
      const stop = new AbortController();
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals++;
        if (signals > 1) {
          logger.log({
            level: "warn",
            message: `${signal} again: exiting now (running runs resume on the next start)`,
          });
          process.exit(130);
        }
        logger.log({
          level: "info",
          message: `${signal}: stopping (grace ${formatDuration(s.shutdownGrace)})`,
        });
        stop.abort();
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
      try {
        if (options.once) {
          await scheduler.register();
          await scheduler.tick();
          while (scheduler.running.length > 0 && !stop.signal.aborted) {
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          await scheduler.stop();
        } else {
          await scheduler.run(stop.signal);
        }
        logger.log({ level: "info", message: "scheduler stopped" });
      } finally {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
        await taskRunner?.close();
        await notifier.close();
        await runtime.close();
      }
    });
}

function printLog(event: LogEvent): void {
  const color = event.level === "error" ? pc.red : event.level === "warn" ? pc.yellow : (s: string) => s;
  process.stdout.write(
    `${pc.dim(new Date().toISOString())} ${color(event.level.padEnd(5))} ${event.message}\n`,
  );
}

/** One line per finished, failed or retried task, prefixed by the run (several runs interleave). */
function taskLines(event: RunEvent): void {
  const print = (line: string) => process.stdout.write(redactSecrets(line));
  const at = pc.dim(new Date().toISOString());
  const who = `${event.pipeline} ${pc.dim(event.runId)}`;
  switch (event.type) {
    case "task.succeeded":
      print(
        `${at} task  ${who} ${pc.green("✓")} ${event.taskId}${idx(event.mapIndex)} ${pc.dim(formatDuration(event.durationMs))}\n`,
      );
      return;
    case "task.retrying":
      print(
        `${at} task  ${who} ${pc.yellow("↻")} ${event.taskId}${idx(event.mapIndex)} attempt ${event.attempt} failed, retry at ${event.nextTryAt}: ${event.error.message}\n`,
      );
      return;
    case "task.failed":
      print(
        `${at} task  ${who} ${pc.red("✗")} ${event.taskId}${idx(event.mapIndex)}: ${event.error.message}\n`,
      );
      return;
    default:
      return;
  }
}

function idx(mapIndex: number | undefined): string {
  return mapIndex === undefined ? "" : `[${mapIndex}]`;
}
