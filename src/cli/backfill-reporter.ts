import pc from "picocolors";
import type { RunResult } from "../orchestrator/executor/run-result.js";
import type { RunEvent } from "../orchestrator/run-events.js";
import type { BackfillPlan, BackfillReport } from "../orchestrator/scheduler/backfill.js";
import { logicalTimeText, stateText } from "./render-runs.js";
import { formatDuration, renderTable } from "./render-table.js";

/** The first line of an error message: a retry or failure line stays one line. */
function firstLine(message: string): string {
  return message.split("\n")[0]!;
}

/**
 * `weir backfill`'s progress, one line per thing that happens, so a backfill that runs for
 * hours (or waits minutes for a retry) says what it does even when nobody watches a
 * terminal: the plan first, then each run's start, each task's retry with its reason, each
 * run's end. Several runs go at once, so every line names its logical date.
 */
export function backfillReporter(say: (line: string) => void): {
  onPlan(plan: BackfillPlan, concurrency: number): void;
  listener(event: RunEvent): void;
  onRunFinished(result: RunResult, logicalDate: Date): void;
} {
  const dates = new Map<string, string>();
  return {
    onPlan: (plan, concurrency) => {
      const work = [
        ...plan.create.map((d) => ({ at: d.toISOString(), what: "new run" })),
        ...plan.rerun.map((r) => ({ at: r.logicalTime, what: `failed run ${r.id}: its failed tasks again` })),
        ...plan.resume.map((r) => ({ at: r.logicalTime, what: `${r.state} run ${r.id}: continued` })),
      ].sort((a, b) => (a.at < b.at ? -1 : 1));
      say(
        `plan: ${work.length} run(s), ${Math.min(concurrency, Math.max(1, work.length))} at once, in date order`,
      );
      for (const w of work) say(`  · ${logicalTimeText(w.at)} ${pc.dim(w.what)}`);
    },
    listener: (event) => {
      if (event.type === "run.started") {
        dates.set(event.runId, logicalTimeText(event.logicalTime));
        say(
          `  ${pc.cyan("▸")} ${logicalTimeText(event.logicalTime)} ${pc.dim(event.runId)} ${event.resumed ? "resumed" : "started"}`,
        );
      } else if (event.type === "task.retrying") {
        const task = event.mapIndex === undefined ? event.taskId : `${event.taskId}[${event.mapIndex}]`;
        say(
          `  ${pc.yellow("↻")} ${dates.get(event.runId) ?? event.runId} ${task} attempt ${event.attempt} failed, retry in ${formatDuration(event.delayMs)}: ${firstLine(event.error.message)}`,
        );
      }
    },
    onRunFinished: (result, date) => {
      const mark =
        result.state === "interrupted"
          ? pc.yellow("-")
          : result.state === "succeeded"
            ? pc.green("✓")
            : pc.red("✗");
      const why = result.error && result.state === "failed" ? `: ${firstLine(result.error.message)}` : "";
      say(
        `  ${mark} ${logicalTimeText(date.toISOString())} ${pc.dim(result.runId)} ${stateText(result.state)} ${pc.dim(formatDuration(result.summary.durationMs))}${why}`,
      );
    },
  };
}

/** The runs a backfill executed, in schedule order, as a table. */
export function renderBackfillRuns(report: Pick<BackfillReport, "runs">): string {
  const errors = report.runs.some((r) => r.error !== undefined);
  return renderTable(
    ["logical date", "run", "state", "time", ...(errors ? ["error"] : [])],
    report.runs.map((r) => [
      logicalTimeText(r.logicalDate),
      r.runId || "-",
      r.state,
      r.durationMs === undefined ? undefined : formatDuration(r.durationMs),
      ...(errors ? [r.error === undefined ? "" : firstLine(r.error)] : []),
    ]),
  );
}
