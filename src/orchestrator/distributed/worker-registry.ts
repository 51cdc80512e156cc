import type { SqlDatabase } from "../../metadata/sql-database.js";

/** A `weir worker` as `weir workers list` shows it. */
export interface WorkerRecord {
  id: string;
  name: string;
  host: string;
  pid: number;
  queues: string[];
  concurrency: number;
  startedAt: string;
  heartbeatAt: string;
  stoppedAt?: string;
  /** Attempts it runs now (task_attempts it owns, still running). */
  runningAttempts: number;
  /** alive: heartbeating; stale: no heartbeat for the heartbeat timeout (died or hung); stopped: drained and exited. */
  state: "alive" | "stale" | "stopped";
}

export interface NewWorker {
  id: string;
  name: string;
  host: string;
  pid: number;
  queues: readonly string[];
  concurrency: number;
  at: string;
}

/** The `workers` table (migration 9): workers register, heartbeat and sign off here. */
export class WorkerRegistry {
  constructor(private readonly db: SqlDatabase) {}

  async register(w: NewWorker): Promise<void> {
    await this.db.run(
      `INSERT INTO workers (id, name, host, pid, queues, concurrency, started_at, heartbeat_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [w.id, w.name, w.host, w.pid, JSON.stringify(w.queues), w.concurrency, w.at, w.at],
    );
  }

  /** One write: the worker's row and every attempt it owns that is still running. */
  async heartbeat(id: string, at: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("UPDATE workers SET heartbeat_at = ? WHERE id = ?", [at, id]);
      await tx.run("UPDATE task_attempts SET heartbeat_at = ? WHERE state = 'running' AND owner = ?", [
        at,
        id,
      ]);
    });
  }

  async stopped(id: string, at: string): Promise<void> {
    await this.db.run("UPDATE workers SET stopped_at = ?, heartbeat_at = ? WHERE id = ?", [at, at, id]);
  }

  /** Every registered worker, newest first; `staleBefore` (ISO) tells alive from stale. */
  async list(staleBefore: string): Promise<WorkerRecord[]> {
    const rows = await this.db.all<{
      id: string;
      name: string;
      host: string;
      pid: number | string;
      queues: string;
      concurrency: number | string;
      started_at: string;
      heartbeat_at: string;
      stopped_at: string | null;
      running: number | string;
    }>(
      `SELECT w.*, (SELECT COUNT(*) FROM task_attempts a
                    JOIN remote_attempts r ON r.run_id = a.run_id AND r.task_id = a.task_id
                      AND r.map_index = a.map_index AND r.attempt = a.attempt
                    WHERE a.owner = w.id AND a.state = 'running' AND r.outcome IS NULL) AS running
       FROM workers w ORDER BY w.started_at DESC, w.id`,
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      host: r.host,
      pid: Number(r.pid),
      queues: JSON.parse(r.queues) as string[],
      concurrency: Number(r.concurrency),
      startedAt: r.started_at,
      heartbeatAt: r.heartbeat_at,
      ...(r.stopped_at ? { stoppedAt: r.stopped_at } : {}),
      runningAttempts: Number(r.running),
      state: r.stopped_at ? "stopped" : r.heartbeat_at < staleBefore ? "stale" : "alive",
    }));
  }
}
