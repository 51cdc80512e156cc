import { existsSync, readFileSync } from "node:fs";
import type { SqlDatabase } from "../src/metadata/sql-database.js";

/** One attempt of a run as the store recorded it (remote columns only for the distributed executor). */
interface AttemptRow {
  task_id: string;
  attempt: number | string;
  state: string;
  started_at: string;
  ended_at: string | null;
  enqueued_at: string | null;
  picked_at: string | null;
  finished_at: string | null;
  worker_id: string | null;
  outcome_stored: number | string;
}

/** How one run's tasks ran, checked: every task success exactly once. */
export interface CheckedRun {
  attempts: number;
  /** Executions per process id (from the executions file): the owner's for local, the workers' otherwise. */
  byPid: Map<number, number>;
  rows: Map<string, AttemptRow>;
}

/**
 * Checks that a finished run ran each of `taskIds` exactly once, successfully, on the
 * executor asked for — from three places: `task_instances` (success, one try),
 * `task_attempts` (one attempt each, success), `remote_attempts` (distributed: one row per
 * attempt, taken by a worker, outcome stored; local: none) and the executions file the
 * tasks append to (one line per task, from the owner's process for local, from a worker
 * process otherwise). Throws naming the first discrepancy.
 */
export async function checkRun(
  db: SqlDatabase,
  runId: string,
  taskIds: readonly string[],
  executionsFile: string,
  expect: { distributed: boolean; ownerPid: number; workerPids: readonly number[] },
): Promise<CheckedRun> {
  const instances = await db.all<{ task_id: string; state: string; try_number: number | string }>(
    "SELECT task_id, state, try_number FROM task_instances WHERE run_id = ? AND map_index = -1",
    [runId],
  );
  const wrongInstances = instances.filter((i) => i.state !== "success" || Number(i.try_number) !== 1);
  if (instances.length !== taskIds.length || wrongInstances.length > 0) {
    throw new Error(
      `run ${runId}: ${instances.length}/${taskIds.length} task instances, not success on the first try: ${wrongInstances
        .slice(0, 5)
        .map((i) => `${i.task_id}=${i.state}/${i.try_number}`)
        .join(", ")}`,
    );
  }
  const attempts = await db.all<AttemptRow>(
    `SELECT a.task_id, a.attempt, a.state, a.started_at, a.ended_at, r.enqueued_at, r.picked_at,
            r.finished_at, r.worker_id, CASE WHEN r.outcome IS NULL THEN 0 ELSE 1 END AS outcome_stored
     FROM task_attempts a
     LEFT JOIN remote_attempts r ON r.run_id = a.run_id AND r.task_id = a.task_id
       AND r.map_index = a.map_index AND r.attempt = a.attempt
     WHERE a.run_id = ?`,
    [runId],
  );
  const rows = new Map<string, AttemptRow>();
  for (const a of attempts) {
    if (rows.has(a.task_id)) throw new Error(`run ${runId}: task ${a.task_id} has more than one attempt`);
    if (a.state !== "success" || Number(a.attempt) !== 1 || !a.ended_at) {
      throw new Error(`run ${runId}: attempt ${a.attempt} of ${a.task_id} is ${a.state}`);
    }
    const handedOut = a.enqueued_at !== null;
    if (handedOut !== expect.distributed) {
      throw new Error(`run ${runId}: ${a.task_id} ${handedOut ? "went" : "did not go"} through the queue`);
    }
    if (expect.distributed && (!a.worker_id || !a.picked_at || Number(a.outcome_stored) !== 1)) {
      throw new Error(`run ${runId}: ${a.task_id} was not taken by a worker, or has no stored outcome`);
    }
    rows.set(a.task_id, a);
  }
  if (rows.size !== taskIds.length) throw new Error(`run ${runId}: ${rows.size}/${taskIds.length} attempts`);

  const lines = existsSync(executionsFile)
    ? readFileSync(executionsFile, "utf8")
        .split("\n")
        .filter((l) => l.startsWith(`${runId} `))
    : [];
  const seen = new Set<string>();
  const byPid = new Map<number, number>();
  for (const line of lines) {
    const [, taskId, , pid] = line.split(" ");
    if (seen.has(taskId!)) throw new Error(`run ${runId}: ${taskId} ran more than once`);
    seen.add(taskId!);
    const ranIn = Number(pid);
    const allowed = expect.distributed ? expect.workerPids.includes(ranIn) : ranIn === expect.ownerPid;
    if (!allowed)
      throw new Error(`run ${runId}: ${taskId} ran in process ${ranIn}, not on the executor asked for`);
    byPid.set(ranIn, (byPid.get(ranIn) ?? 0) + 1);
  }
  const missing = taskIds.filter((id) => !seen.has(id));
  if (missing.length > 0 || seen.size !== taskIds.length) {
    throw new Error(
      `run ${runId}: ${seen.size}/${taskIds.length} executions (missing ${missing.slice(0, 5).join(", ")})`,
    );
  }
  return { attempts: attempts.length, byPid, rows };
}

/** Pickup latencies of a chain run (ms), and where a distributed edge's time goes. */
export interface ChainLatencies {
  /** Ready (the upstream attempt's end recorded) → running (local: attempt claimed and started; distributed: a worker took it). */
  pickup: number[];
  /** Distributed only: job queued → a worker took it. */
  queue: number[];
  /** Distributed only: the worker took the attempt → stored its outcome (the no-op task and the worker's own work). */
  onWorker: number[];
  /** Distributed only: the worker stored the outcome → the owner recorded the attempt's end. */
  handBack: number[];
}

/**
 * Per link of the chain `ids` (each task ready when its predecessor ended): "ready" is the
 * predecessor's `task_attempts.ended_at` (the owner recorded its success, which makes the
 * task ready), "running" is the attempt's `started_at` for the local executor (claimed and
 * started in one step) or `remote_attempts.picked_at` for the distributed one (the worker
 * took the attempt and starts its code). Store instants are milliseconds.
 */
export function chainLatencies(run: CheckedRun, ids: readonly string[]): ChainLatencies {
  const out: ChainLatencies = { pickup: [], queue: [], onWorker: [], handBack: [] };
  const at = (iso: string | null) => (iso ? Date.parse(iso) : Number.NaN);
  for (let i = 1; i < ids.length; i++) {
    const before = run.rows.get(ids[i - 1]!)!;
    const row = run.rows.get(ids[i]!)!;
    const running = row.picked_at ?? row.started_at;
    out.pickup.push(at(running) - at(before.ended_at));
    if (row.enqueued_at && row.picked_at) out.queue.push(at(row.picked_at) - at(row.enqueued_at));
    if (row.picked_at && row.finished_at) out.onWorker.push(at(row.finished_at) - at(row.picked_at));
    if (row.finished_at) out.handBack.push(at(row.ended_at) - at(row.finished_at));
  }
  return out;
}

/** The nearest-rank percentile `p` (0–1) of `values`. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}
