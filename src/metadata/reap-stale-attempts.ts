import { type SqlConnection, type SqlValue, toNumber } from "./sql-database.js";
import type { AttemptKey } from "./task-store.js";

export interface ReapedAttempt extends AttemptKey {
  pipeline: string;
  /** What the instance became: up_for_retry when attempts are left, failed otherwise. */
  instanceState: "up_for_retry" | "failed";
  lastHeartbeat: string;
  /** The executor that ran it (host:pid:id). */
  owner?: string;
  /** The pool whose slots it held, if any: reaping frees them. */
  pool?: string;
}

interface StaleRow {
  run_id: string;
  task_id: string;
  map_index: number | string;
  attempt: number | string;
  owner: string | null;
  pool: string | null;
  started_at: string;
  heartbeat_at: string | null;
  pipeline: string;
  try_number: number | string;
  max_tries: number | string;
}

const KEY = "run_id = ? AND task_id = ? AND map_index = ?";

/**
 * SQL true for an attempt (`t`: task_attempts or its alias) whose worker stored its outcome
 * (distributed executor: its code has finished) while its run is still open (an executor
 * will record the end).
 */
function outcomeAwaitsRecording(t: string): string {
  return `(EXISTS (SELECT 1 FROM runs ro WHERE ro.id = ${t}.run_id AND ro.state IN ('queued', 'running'))
    AND EXISTS (SELECT 1 FROM remote_attempts ra
      WHERE ra.run_id = ${t}.run_id AND ra.task_id = ${t}.task_id AND ra.map_index = ${t}.map_index
        AND ra.attempt = ${t}.attempt AND ra.outcome IS NOT NULL))`;
}

/**
 * Inside the caller's transaction: marks running attempts whose last heartbeat is before
 * `staleBefore` failed (TASK_ZOMBIE), and their instances up_for_retry (attempts left) or
 * failed. An attempt of a running run whose own heartbeat is stale is reaped too: one loop
 * heartbeats both, so an attempt that started after the loop's last beat died with it.
 * With `pool`, only attempts holding slots of that pool (a waiter freeing dead slots); with
 * `runId`, only that run's (a run whose executor is known to be gone); with `owner`, only
 * the attempts that executor ran itself. The run's stale heartbeat condemns only the
 * attempts its executor owns: an attempt a `weir worker` took over (owner = the worker)
 * lives by the worker's heartbeat, so a new executor can re-attach to it.
 *
 * An attempt whose worker stored its outcome (`remote_attempts.outcome`) is never a
 * zombie while its run is open: its code has finished, only the recording is left. Its
 * executor may have taken the outcome back (owner = the executor) and died before
 * `finishAttempt`; reaping it then would make the retry run the task's code a second
 * time. The executor that resumes the run re-attaches to it and records the stored
 * outcome instead (`DistributedTaskRunner.reattach`). It keeps its pool slots until then.
 */
export async function reapStaleAttempts(
  tx: SqlConnection,
  o: { staleBefore: string; at: string; pool?: string; runId?: string; owner?: string },
): Promise<ReapedAttempt[]> {
  const params: SqlValue[] = [o.staleBefore, o.staleBefore];
  if (o.pool !== undefined) params.push(o.pool);
  if (o.runId !== undefined) params.push(o.runId);
  if (o.owner !== undefined) params.push(o.owner);
  const stale = await tx.all<StaleRow>(
    `SELECT a.run_id, a.task_id, a.map_index, a.attempt, a.owner, a.pool, a.started_at, a.heartbeat_at,
            r.pipeline, i.try_number, i.max_tries
     FROM task_attempts a
     JOIN runs r ON r.id = a.run_id
     JOIN task_instances i ON i.run_id = a.run_id AND i.task_id = a.task_id AND i.map_index = a.map_index
     WHERE a.state = 'running'
       AND (COALESCE(a.heartbeat_at, a.started_at) < ?
            OR (r.state = 'running' AND r.heartbeat_at < ? AND (a.owner IS NULL OR a.owner = r.owner)))
       AND NOT ${outcomeAwaitsRecording("a")}
       ${o.pool === undefined ? "" : "AND a.pool = ?"} ${o.runId === undefined ? "" : "AND a.run_id = ?"}
       ${o.owner === undefined ? "" : "AND a.owner = ?"}`,
    params,
  );
  const reaped: ReapedAttempt[] = [];
  for (const row of stale) {
    const key = {
      runId: row.run_id,
      taskId: row.task_id,
      mapIndex: toNumber(row.map_index),
      attempt: toNumber(row.attempt),
    };
    const lastHeartbeat = row.heartbeat_at ?? row.started_at;
    const message = `zombie: attempt ${key.attempt} stopped heartbeating (last heartbeat ${lastHeartbeat}); its process died or hung`;
    // Re-checked on the row itself: since the SELECT the attempt may have ended, or its worker
    // may have stored its outcome (which also refreshes its heartbeat, under this row's lock).
    const reapedNow = await tx.run(
      `UPDATE task_attempts SET state = 'failed', ended_at = ?, error_code = 'TASK_ZOMBIE', error = ?
       WHERE ${KEY} AND attempt = ? AND state = 'running'
         AND (COALESCE(heartbeat_at, started_at) < ?
              OR EXISTS (SELECT 1 FROM runs rs WHERE rs.id = task_attempts.run_id AND rs.state = 'running'
                         AND rs.heartbeat_at < ? AND (task_attempts.owner IS NULL OR task_attempts.owner = rs.owner)))
         AND NOT ${outcomeAwaitsRecording("task_attempts")}`,
      [o.at, message, key.runId, key.taskId, key.mapIndex, key.attempt, o.staleBefore, o.staleBefore],
    );
    if (reapedNow === 0) continue;
    const instanceState = toNumber(row.try_number) < toNumber(row.max_tries) ? "up_for_retry" : "failed";
    await tx.run(
      `UPDATE task_instances SET state = ?, ended_at = ?, error = ?, next_try_at = NULL
       WHERE ${KEY} AND state = 'running' AND try_number = ?`,
      [instanceState, o.at, `[TASK_ZOMBIE] ${message}`, key.runId, key.taskId, key.mapIndex, key.attempt],
    );
    reaped.push({
      ...key,
      pipeline: row.pipeline,
      instanceState,
      lastHeartbeat,
      ...(row.owner === null ? {} : { owner: row.owner }),
      ...(row.pool === null ? {} : { pool: row.pool }),
    });
  }
  return reaped;
}
