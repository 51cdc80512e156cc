import type { SqlDatabase } from "../../metadata/sql-database.js";
import type { AttemptKey } from "../../metadata/task-store.js";
import { ATTEMPT_DONE_CHANNEL } from "./queue-job.js";
import type { StoredOutcome } from "./remote-outcome.js";

const KEY = "run_id = ? AND task_id = ? AND map_index = ? AND attempt = ?";

function keyParams(k: AttemptKey): (string | number)[] {
  return [k.runId, k.taskId, k.mapIndex, k.attempt];
}

/** `remote_attempts` and the attempt it mirrors in `task_attempts`, as the executor polls it. */
export interface RemoteAttemptState {
  workerId?: string;
  outcome?: StoredOutcome;
  /** The attempt's state in `task_attempts` (running until the executor records the outcome). */
  attemptState?: string;
  attemptOwner?: string;
  heartbeatAt?: string;
  item?: unknown;
  cancel?: { why: "run_timeout" | "shutdown"; message: string };
}

/** Thrown inside a transaction to roll it back: the job is not (or no longer) for this worker. */
class NotForThisWorker extends Error {}

/**
 * The `remote_attempts` table (migration 9): the hand-over of one attempt between the
 * executor that claimed it and the worker that runs it. Every change is one small
 * transaction; the worker's take-over and the executor's take-back also move the
 * attempt's `owner` in `task_attempts`, which decides whose heartbeat keeps it alive.
 */
export class RemoteAttempts {
  constructor(private readonly db: SqlDatabase) {}

  /** The executor hands the attempt out (before its job is queued). */
  async insert(key: AttemptKey, queue: string, item: unknown, at: string): Promise<void> {
    await this.db.run(
      `INSERT INTO remote_attempts (run_id, task_id, map_index, attempt, queue, item, enqueued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, task_id, map_index, attempt) DO NOTHING`,
      [...keyParams(key), queue, item === undefined ? null : JSON.stringify(item), at],
    );
  }

  async state(key: AttemptKey): Promise<RemoteAttemptState | undefined> {
    const row = await this.db.get<{
      worker_id: string | null;
      outcome: string | null;
      item: string | null;
      cancel: string | null;
      a_state: string | null;
      a_owner: string | null;
      a_heartbeat: string | null;
    }>(
      `SELECT r.worker_id, r.outcome, r.item, r.cancel, a.state AS a_state, a.owner AS a_owner,
              COALESCE(a.heartbeat_at, a.started_at) AS a_heartbeat
       FROM remote_attempts r
       LEFT JOIN task_attempts a ON a.run_id = r.run_id AND a.task_id = r.task_id
         AND a.map_index = r.map_index AND a.attempt = r.attempt
       WHERE r.run_id = ? AND r.task_id = ? AND r.map_index = ? AND r.attempt = ?`,
      keyParams(key),
    );
    if (!row) return undefined;
    return {
      ...(row.worker_id ? { workerId: row.worker_id } : {}),
      ...(row.outcome ? { outcome: JSON.parse(row.outcome) as StoredOutcome } : {}),
      ...(row.item ? { item: JSON.parse(row.item) as unknown } : {}),
      ...(row.cancel ? { cancel: JSON.parse(row.cancel) as RemoteAttemptState["cancel"] } : {}),
      ...(row.a_state ? { attemptState: row.a_state } : {}),
      ...(row.a_owner ? { attemptOwner: row.a_owner } : {}),
      ...(row.a_heartbeat ? { heartbeatAt: row.a_heartbeat } : {}),
    };
  }

  /**
   * A worker takes the attempt: only when no worker took it before and the attempt is
   * still running in the store (not finished, reaped or superseded) and its executor did
   * not withdraw it (`withdraw`) — so a re-delivered job never runs an attempt twice. From now on the worker's heartbeat keeps it alive.
   */
  async take(key: AttemptKey, workerId: string, at: string): Promise<boolean> {
    try {
      return await this.db.transaction(async (tx) => {
        // `worker_id = me` too: a take whose COMMIT was lost with the connection is retried, and
        // must find the attempt still its own (graphile-worker never hands one job to two of its
        // workers at once, and a dropped duplicate job of an attempt this worker runs finds it running here).
        const taken = await tx.run(
          `UPDATE remote_attempts SET worker_id = ?, picked_at = COALESCE(picked_at, ?)
           WHERE ${KEY} AND ((worker_id IS NULL AND cancel IS NULL) OR worker_id = ?) AND outcome IS NULL`,
          [workerId, at, ...keyParams(key), workerId],
        );
        if (taken === 0) throw new NotForThisWorker();
        const owned = await tx.run(
          `UPDATE task_attempts SET owner = ?, heartbeat_at = ? WHERE ${KEY} AND state = 'running'`,
          [workerId, at, ...keyParams(key)],
        );
        if (owned === 0) throw new NotForThisWorker();
        return true;
      });
    } catch (error) {
      if (error instanceof NotForThisWorker) return false;
      throw error;
    }
  }

  /** The worker stores the outcome and wakes the executor (NOTIFY, delivered at commit). */
  async storeOutcome(
    key: AttemptKey,
    workerId: string,
    outcome: StoredOutcome,
    at: string,
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // Stored already: this is a retry of a write whose COMMIT went through before the connection broke.
      const mine = await tx.get<{ stored: number | string | boolean }>(
        `SELECT CASE WHEN outcome IS NULL THEN 0 ELSE 1 END AS stored FROM remote_attempts WHERE ${KEY} AND worker_id = ?`,
        [...keyParams(key), workerId],
      );
      if (mine !== undefined && Number(mine.stored) === 1) return true;
      // Only while the attempt is still running on this worker's lease (this also locks its row
      // against a reaper): a worker cut off from the database for longer than the heartbeat
      // timeout finds its attempts reaped and retried elsewhere, and its late outcome is dropped
      // here — it must never become a second recorded end.
      const live = await tx.run(
        `UPDATE task_attempts SET heartbeat_at = ? WHERE ${KEY} AND state = 'running' AND owner = ?`,
        [at, ...keyParams(key), workerId],
      );
      if (live === 0) return false;
      const stored = await tx.run(
        `UPDATE remote_attempts SET outcome = ?, finished_at = ? WHERE ${KEY} AND worker_id = ? AND outcome IS NULL`,
        [JSON.stringify(outcome), at, ...keyParams(key), workerId],
      );
      await tx.run("SELECT pg_notify(?, ?)", [ATTEMPT_DONE_CHANNEL, JSON.stringify(keyParams(key))]);
      return stored > 0;
    });
  }

  /**
   * The executor took the outcome: the attempt is its own again until it records the end
   * (a mapped parent's attempt stays open while its instances run, on the executor's heartbeat).
   */
  async takeBack(key: AttemptKey, owner: string, at: string): Promise<void> {
    await this.db.run(
      `UPDATE task_attempts SET owner = ?, heartbeat_at = ? WHERE ${KEY} AND state = 'running'`,
      [owner, at, ...keyParams(key)],
    );
  }

  /**
   * The executor withdraws an attempt no worker has taken (shutdown, run timeout): true when
   * it was still untaken, and from now on every take of it is refused (the row's `cancel` is
   * set while `worker_id` is null). Serialised with `take` by the row lock: exactly one wins.
   */
  async withdraw(key: AttemptKey, cancel: NonNullable<RemoteAttemptState["cancel"]>): Promise<boolean> {
    const withdrawn = await this.db.run(
      `UPDATE remote_attempts SET cancel = ? WHERE ${KEY} AND worker_id IS NULL AND outcome IS NULL`,
      [JSON.stringify(cancel), ...keyParams(key)],
    );
    return withdrawn > 0;
  }

  /** The executor asks the worker to abort the attempt (run timeout, shutdown). */
  async requestCancel(key: AttemptKey, cancel: NonNullable<RemoteAttemptState["cancel"]>): Promise<void> {
    await this.db.run(`UPDATE remote_attempts SET cancel = ? WHERE ${KEY} AND outcome IS NULL`, [
      JSON.stringify(cancel),
      ...keyParams(key),
    ]);
  }

  /** Cancellations asked for the attempts a worker runs. */
  async cancelsFor(workerId: string): Promise<(AttemptKey & NonNullable<RemoteAttemptState["cancel"]>)[]> {
    const rows = await this.db.all<{
      run_id: string;
      task_id: string;
      map_index: number | string;
      attempt: number | string;
      cancel: string;
    }>(
      `SELECT run_id, task_id, map_index, attempt, cancel FROM remote_attempts
       WHERE worker_id = ? AND outcome IS NULL AND cancel IS NOT NULL`,
      [workerId],
    );
    return rows.map((r) => ({
      runId: r.run_id,
      taskId: r.task_id,
      mapIndex: Number(r.map_index),
      attempt: Number(r.attempt),
      ...(JSON.parse(r.cancel) as NonNullable<RemoteAttemptState["cancel"]>),
    }));
  }
}
