import pc from "picocolors";
import type { WeirPaths } from "../core/paths.js";
import type { RunSummary } from "../orchestrator/run-events.js";
import { formatDuration, renderTable } from "./render-table.js";

/** The human summary of a run: per-task table, reconciliation, reasons, where outputs are. */
export function renderSummary(summary: RunSummary, paths: WeirPaths): string {
  const ok = summary.state === "succeeded";
  const state = ok ? pc.green("succeeded") : pc.red("failed");
  const out: string[] = [];
  out.push(
    `${pc.bold(`${summary.pipeline}`)} for ${summary.logicalDate} ${state} in ${formatDuration(summary.durationMs)} ${pc.dim(`(run ${summary.runId})`)}`,
    "",
  );
  out.push(
    renderTable(
      ["task", "state", "time", "rows in", "rows out", "quarantined"],
      summary.tasks.map((t) => [
        t.id,
        t.state,
        t.state === "skipped" || t.state === "upstream_failed" ? "-" : formatDuration(t.durationMs),
        t.rows.in ?? 0,
        t.rows.out ?? 0,
        t.rows.rejected ?? 0,
      ]),
    ),
    "",
  );
  const r = summary.rows;
  const check = summary.reconciled ? pc.green("✓ reconciled") : pc.yellow("✗ does not reconcile");
  out.push(
    `rows: ${r.extracted} extracted = ${r.loaded} loaded + ${r.quarantined} quarantined  ${ok ? check : ""}`.trimEnd(),
  );
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
