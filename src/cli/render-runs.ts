import pc from "picocolors";
import type {
  AttemptRecord,
  ReapedAttempt,
  RunRecord,
  TaskInstanceRecord,
} from "../metadata/metadata-store.js";
import type { ExistingRunAction } from "../orchestrator/executor/claim-existing-run.js";
import { formatDuration, renderTable } from "./render-table.js";

const STATE_COLOR: Record<string, (s: string) => string> = {
  succeeded: pc.green,
  success: pc.green,
  failed: pc.red,
  upstream_failed: pc.red,
  running: pc.cyan,
  queued: pc.dim,
  pending: pc.dim,
  up_for_retry: pc.yellow,
  skipped: pc.yellow,
};

/** A state word, coloured when the terminal allows it (picocolors honours NO_COLOR). */
export function stateText(state: string): string {
  return (STATE_COLOR[state] ?? ((s: string) => s))(state);
}

/** "2024-01-15" for midnight-UTC logical times, the instant otherwise (hourly runs). */
export function logicalText(run: Pick<RunRecord, "logicalDate" | "logicalTime">): string {
  return run.logicalTime.endsWith("T00:00:00.000Z") ? run.logicalDate : run.logicalTime;
}

/** `logicalText` for a bare ISO instant: "2024-01-15" at midnight UTC, the instant otherwise. */
export function logicalTimeText(iso: string): string {
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
}

/** One line per zombie attempt a command reaped before it planned (stderr). */
export function reapedAttemptText(a: ReapedAttempt): string {
  return `reaped zombie attempt ${a.taskId}${a.mapIndex >= 0 ? `[${a.mapIndex}]` : ""}#${a.attempt} of run ${a.runId} (${a.pipeline})${a.owner ? ` run by ${a.owner}` : ""}: no heartbeat since ${a.lastHeartbeat}; now ${a.instanceState}`;
}

/** What `weir run --date` does with the run that holds the date already (stderr). */
export function existingRunText(run: RunRecord, action: ExistingRunAction): string {
  const which = `run ${run.id} of ${run.pipeline} for ${logicalText(run)}`;
  if (action === "rerun") return `${which} already succeeded: running it again (all its tasks)`;
  if (action === "resume") return `${which} is queued: running it`;
  const again = `running the tasks that did not succeed again (as weir retry ${run.id})`;
  if (run.state === "failed") return `${which} failed: ${again}`;
  return `${which} was left running by ${run.owner ?? "an executor that stopped"} (last heartbeat ${run.heartbeatAt ?? "never"}), whose process is gone: reaped it; ${again}`;
}

function elapsed(start: string | undefined, end: string | undefined, now: Date): string {
  if (!start) return "-";
  const ms = (end ? Date.parse(end) : now.getTime()) - Date.parse(start);
  return Number.isFinite(ms) && ms >= 0 ? formatDuration(ms) : "-";
}

/** The table `weir runs list` prints: newest first. */
export function renderRunList(runs: readonly RunRecord[], now: Date = new Date()): string {
  if (runs.length === 0) return "no runs yet";
  return renderTable(
    ["run", "pipeline", "logical date", "type", "state", "started", "duration"],
    runs.map((r) => [
      r.id,
      r.pipeline,
      logicalText(r),
      r.runType,
      stateText(r.state),
      r.state === "queued" ? "-" : r.startedAt.replace("T", " ").slice(0, 19),
      r.state === "queued" ? "-" : elapsed(r.startedAt, r.endedAt, now),
    ]),
  );
}

/** `weir runs show`: the run's facts, then one line per task instance with its attempts. */
export function renderRunDetail(
  run: RunRecord,
  tasks: readonly TaskInstanceRecord[],
  attempts: readonly AttemptRecord[],
  now: Date = new Date(),
): string {
  const out: string[] = [];
  out.push(`${pc.bold(run.pipeline)} ${pc.dim(`run ${run.id}`)} ${stateText(run.state)}`);
  out.push(`  logical date  ${logicalText(run)}   interval ${run.intervalStart} → ${run.intervalEnd}`);
  out.push(
    `  type          ${run.runType}   queued ${run.queuedAt}${run.superseded ? "   (superseded: an older run of this date)" : ""}`,
  );
  if (run.state !== "queued") {
    out.push(
      `  started       ${run.startedAt}${run.endedAt ? `   ended ${run.endedAt}` : ""}   (${elapsed(run.startedAt, run.endedAt, now)})`,
    );
  }
  if (Object.keys(run.params).length > 0) {
    out.push(
      `  params        ${Object.entries(run.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    );
  }
  if (run.owner)
    out.push(`  executor      ${run.owner}${run.heartbeatAt ? ` (heartbeat ${run.heartbeatAt})` : ""}`);
  if (run.error) out.push(`  error         ${pc.red(run.error)}`);
  out.push("");
  const attemptsOf = (t: TaskInstanceRecord) =>
    attempts.filter((a) => a.taskId === t.taskId && a.mapIndex === t.mapIndex);
  // In the order they ran (the store knows no pipeline order); tasks that never started last.
  const ordered = [...tasks].sort(
    (a, b) =>
      (a.startedAt ?? "~").localeCompare(b.startedAt ?? "~") ||
      a.taskId.localeCompare(b.taskId) ||
      a.mapIndex - b.mapIndex,
  );
  const failedStates = new Set(["failed", "upstream_failed", "up_for_retry", "skipped"]);
  out.push(
    renderTable(
      ["task", "state", "tries", "duration", "rows in", "rows out", "error"],
      ordered.map((t) => [
        t.mapIndex >= 0 ? `${t.taskId}[${t.mapIndex}]` : t.taskId,
        stateText(t.state),
        `${t.tryNumber}/${t.maxTries}`,
        t.durationMs === undefined ? "-" : formatDuration(t.durationMs),
        t.rows.in ?? "-",
        t.rows.out ?? "-",
        // A task that succeeded on a retry shows no error here; its attempts list the failures.
        failedStates.has(t.state) ? oneLine(t.error ?? lastError(attemptsOf(t)) ?? "") : "",
      ]),
    ),
  );
  const retried = tasks.filter((t) => attemptsOf(t).length > 1);
  if (retried.length > 0) {
    out.push("", "attempts:");
    for (const t of ordered.filter((x) => retried.includes(x))) {
      for (const a of attemptsOf(t)) {
        const name = t.mapIndex >= 0 ? `${t.taskId}[${t.mapIndex}]` : t.taskId;
        out.push(
          `  ${name} #${a.attempt} ${stateText(a.state)} ${a.startedAt}${a.endedAt ? ` → ${a.endedAt}` : ""}${a.error ? `  ${oneLine(a.error)}` : ""}`,
        );
      }
    }
  }
  return out.join("\n");
}

function lastError(attempts: readonly AttemptRecord[]): string | undefined {
  return attempts.filter((a) => a.error).at(-1)?.error;
}

function oneLine(text: string): string {
  const line = text.split("\n")[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
