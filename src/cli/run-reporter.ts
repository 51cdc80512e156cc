import cliProgress from "cli-progress";
import pc from "picocolors";
import { redactSecrets } from "../config/secret.js";
import type { RunEvent, RunEventListener } from "../orchestrator/run-events.js";
import { formatDuration } from "./render-table.js";

export type ReportMode = "human" | "events" | "quiet";

/**
 * The CLI's subscriber to a run's events: a line per finished task (human), one NDJSON
 * line per event (`--events`), or nothing (`--json`, which prints only the summary).
 * A progress bar is drawn for progress events with a total, and only on a TTY.
 */
export function runReporter(mode: ReportMode, out: NodeJS.WriteStream = process.stdout): RunEventListener {
  // Task errors and log lines may quote a secret (a URL, a DSN): scrub before printing.
  const stream = { isTTY: out.isTTY, write: (text: string) => out.write(redactSecrets(text)) };
  let bar: cliProgress.SingleBar | undefined;
  const stopBar = () => {
    bar?.stop();
    bar = undefined;
  };
  return (event: RunEvent) => {
    if (mode === "events") {
      stream.write(`${JSON.stringify(event)}\n`);
      return;
    }
    if (mode === "quiet") return;
    switch (event.type) {
      case "run.started":
        stream.write(
          `${pc.bold(event.pipeline)} ${pc.dim(`run ${event.runId}`)} for ${event.logicalDate}: ${event.tasks.join(" → ")}\n`,
        );
        return;
      case "task.progress":
        if (!stream.isTTY || event.total === undefined) return;
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              format: `  ${event.taskId} ${event.step} [{bar}] {value}/{total} ${event.unit ?? ""}`,
              stream: out,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(event.total, event.done ?? 0);
        } else bar.update(event.done ?? 0);
        return;
      case "task.succeeded":
        stopBar();
        stream.write(`  ${pc.green("✓")} ${name(event)} ${pc.dim(formatDuration(event.durationMs))}\n`);
        return;
      case "task.failed":
        stopBar();
        stream.write(
          `  ${pc.red("✗")} ${name(event)} ${pc.dim(formatDuration(event.durationMs))}: ${event.error.message}\n`,
        );
        return;
      case "task.retrying":
        stopBar();
        stream.write(
          `  ${pc.yellow("↻")} ${name(event)} attempt ${event.attempt} failed, retry in ${formatDuration(event.delayMs)}: ${event.error.message}\n`,
        );
        return;
      case "task.log":
        // Warnings and errors a task logs show as they happen; every line is in `weir logs`.
        if (event.level === "warn" || event.level === "error") {
          stream.write(
            `    ${event.level === "error" ? pc.red(event.level) : pc.yellow(event.level)} ${event.taskId}: ${event.message}\n`,
          );
        }
        return;
      case "task.skipped":
        stream.write(
          `  ${pc.yellow("-")} ${event.taskId} skipped (upstream ${event.blockedBy.join(", ") || "cancelled"})\n`,
        );
        return;
      default:
        return;
    }
  };
}

/** "extract" or, for an instance of a mapped task, "extract[3]". */
function name(event: { taskId: string; mapIndex?: number }): string {
  return event.mapIndex === undefined ? event.taskId : `${event.taskId}[${event.mapIndex}]`;
}
