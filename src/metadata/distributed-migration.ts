import type { Migration } from "./migrations.js";

/**
 * Migration 9: the distributed executor (`weir worker`).
 *
 * - `workers`: one row per `weir worker` process (it registers at start, heartbeats, and
 *   sets `stopped_at` when it drains). `queues` is a JSON array. `weir workers list` reads
 *   it, counting a worker's running attempts from `task_attempts.owner`.
 * - `remote_attempts`: one row per attempt handed to the queue. The run's executor writes
 *   it (with a mapped instance's `item`, since the parent's items are not stored until the
 *   parent ends) before it enqueues the job; the worker that takes the job sets
 *   `worker_id` (at most once: a re-delivered job finds it set and is dropped), writes the
 *   raw `outcome` for the executor to record, and reads `cancel` (a run timeout or an
 *   executor's shutdown) with its heartbeats. `enqueued_at`/`picked_at` give the pickup
 *   latency.
 */
export const DISTRIBUTED_MIGRATION: Migration = {
  version: 9,
  name: "distributed executor: workers, remote attempts",
  statements: [
    `CREATE TABLE workers (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      host TEXT NOT NULL,
      pid INTEGER NOT NULL,
      queues TEXT NOT NULL,
      concurrency INTEGER NOT NULL,
      started_at TEXT NOT NULL,
      heartbeat_at TEXT NOT NULL,
      stopped_at TEXT
    )`,
    `CREATE TABLE remote_attempts (
      run_id TEXT NOT NULL,
      task_id TEXT NOT NULL,
      map_index INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      queue TEXT NOT NULL,
      item TEXT,
      enqueued_at TEXT NOT NULL,
      worker_id TEXT,
      picked_at TEXT,
      outcome TEXT,
      finished_at TEXT,
      cancel TEXT,
      PRIMARY KEY (run_id, task_id, map_index, attempt)
    )`,
    "CREATE INDEX remote_attempts_worker ON remote_attempts (worker_id, finished_at)",
  ],
};
