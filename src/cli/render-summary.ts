import pc from "picocolors";
import type { WeirPaths } from "../core/paths.js";
import type { DatasetSummary, RunSummary, TaskSummary } from "../orchestrator/run-events.js";
import { formatDuration, renderTable } from "./render-table.js";

const STATE_TEXT: Record<RunSummary["state"], string> = {
  succeeded: pc.green("succeeded"),
  failed: pc.red("failed"),
  interrupted: pc.yellow("interrupted"),
};

/**
 * The human summary of a run: per-task table (in the order the tasks finished, as the
 * lines printed while it ran; tasks that did not run last), each dataset's reconciliation,
 * quarantine reasons, where outputs are.
 */
export function renderSummary(summary: RunSummary, paths: WeirPaths): string {
  const out: string[] = [];
  const resumable =
    summary.state === "interrupted" ? ` ${pc.yellow(`(resumable: weir retry ${summary.runId})`)}` : "";
  out.push(
    `${pc.bold(`${summary.pipeline}`)} for ${summary.logicalDate} ${STATE_TEXT[summary.state]} in ${formatDuration(summary.durationMs)} ${pc.dim(`(run ${summary.runId})`)}${resumable}`,
    "",
  );
  out.push(
    renderTable(
      ["task", "state", "time", "rows in", "rows out", "quarantined"],
      inFinishOrder(summary.tasks).map((t) => [
        t.id,
        t.state,
        t.state === "skipped" || t.state === "upstream_failed" ? "-" : formatDuration(t.durationMs),
        // Absent: the task did not count them, which is not the same as 0.
        t.rows.in,
        t.rows.out,
        t.rows.rejected,
      ]),
    ),
    "",
  );
  out.push(...summary.datasets.map((d) => datasetLine(d, summary.state === "succeeded")));
  const r = summary.rows;
  if (summary.datasets.length === 0 && r.quarantined > 0) out.push(`quarantined: ${r.quarantined} rows`);
  const reasons = Object.entries(r.quarantinedByCheck).sort(([a], [b]) => (a < b ? -1 : 1));
  if (reasons.length > 0) {
    out.push("quarantined by check:");
    const width = Math.max(...reasons.map(([k]) => k.length));
    for (const [check, n] of reasons) out.push(`  ${check.padEnd(width)}  ${String(n).padStart(6)}`);
  }
  if (summary.outputs.length > 0) {
    out.push("outputs:");
    out.push(
      renderTable(
        ["kind", "name", "where"],
        summary.outputs.map((o) => [o.kind, o.name, o.location ?? paths.warehouse]),
      )
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n"),
    );
  }
  out.push(pc.dim(`warehouse: ${paths.warehouse}   metadata: ${paths.metadata}   lake: ${paths.lake}`));
  return out.join("\n");
}

/** Tasks that ran, by when they ended; then the ones that did not run, in the pipeline's order. */
function inFinishOrder(tasks: readonly TaskSummary[]): TaskSummary[] {
  const ended = (t: TaskSummary) =>
    t.endedAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(t.endedAt);
  return [...tasks].sort((a, b) => ended(a) - ended(b));
}

/**
 * "customers: 668 extracted = 650 loaded into dim_customers + 18 quarantined  ✓ reconciled":
 * what was compared, and the verdict where there is one to give.
 */
function datasetLine(d: DatasetSummary, succeeded: boolean): string {
  const into = d.into.length > 0 ? ` into ${d.into.join(", ")}` : "";
  const loaded = d.loaded === undefined ? "" : `${d.loaded} loaded${into}`;
  if (d.reconciled === true) {
    return `${d.dataset}: ${d.extracted} extracted = ${loaded} + ${d.quarantined} quarantined  ${pc.green("✓ reconciled")}`;
  }
  if (d.reconciled === false) {
    const missing = d.extracted! - d.loaded! - d.quarantined;
    const what = missing > 0 ? `${missing} rows unaccounted for` : `${-missing} rows more than extracted`;
    return `${d.dataset}: ${d.extracted} extracted ≠ ${loaded} + ${d.quarantined} quarantined  ${pc.yellow(`✗ ${what}`)}`;
  }
  const parts = [
    ...(d.extracted === undefined ? [] : [`${d.extracted} extracted`]),
    ...(loaded === "" ? [] : [loaded]),
    `${d.quarantined} quarantined`,
  ];
  const why = !succeeded
    ? "the run did not succeed"
    : d.extracted === undefined
      ? "no extract of it recorded"
      : "no load of it recorded";
  return `${d.dataset}: ${parts.join(", ")}  ${pc.dim(`(not reconciled: ${why})`)}`;
}

/**
 * What `weir run` / `weir retry` print (stderr) for a run stopped by Ctrl-C or SIGTERM, with
 * the state the store now holds, read back: the two agree.
 */
export function interruptedNote(runId: string, storedState: string | undefined): string {
  const stored = storedState === undefined ? "" : ` (stored as ${storedState}: no process runs it)`;
  return `run ${runId} interrupted${stored}; continue it with: weir retry ${runId}`;
}
