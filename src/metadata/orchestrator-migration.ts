import type { Migration } from "./migrations.js";

/**
 * The orchestrator's tables (migration 3): pipelines with their paused flag, runs with
 * their type and owner heartbeat, task instances (one per task and map index, Airflow's
 * states), attempts with heartbeats, per-attempt log lines, small task outputs, pools,
 * dataset events and materialised partitions as merged [start, end) ranges.
 *
 * Portable SQL only (TEXT, INTEGER, BIGINT, `||`, `ALTER TABLE … ADD COLUMN`), so SQLite
 * and PostgreSQL apply the same statements. Instants are ISO-8601 UTC strings with
 * milliseconds, which sort correctly as text. `map_index` is -1 for a task that is not
 * mapped (and for the parent of a mapped one).
 *
 * Version 1's `task_runs` rows are carried over into `task_instances` and `task_attempts`.
 */
export const ORCHESTRATOR_MIGRATION: Migration = {
  version: 3,
  name: "orchestrator: pipelines, task instances, attempts, logs, outputs, pools, datasets",
  statements: [
    `CREATE TABLE pipelines (
      id TEXT PRIMARY KEY,
      paused INTEGER NOT NULL,
      file TEXT,
      schedule TEXT,
      timezone TEXT,
      description TEXT,
      owner TEXT,
      tags TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    "ALTER TABLE runs ADD COLUMN run_type TEXT NOT NULL DEFAULT 'manual'",
    "ALTER TABLE runs ADD COLUMN logical_time TEXT",
    "ALTER TABLE runs ADD COLUMN queued_at TEXT",
    "ALTER TABLE runs ADD COLUMN owner TEXT",
    "ALTER TABLE runs ADD COLUMN heartbeat_at TEXT",
    "ALTER TABLE runs ADD COLUMN error TEXT",
    "UPDATE runs SET logical_time = logical_date || 'T00:00:00.000Z', queued_at = started_at",
    "CREATE INDEX runs_state ON runs (state, heartbeat_at)",
    "CREATE INDEX runs_pipeline_time ON runs (pipeline, logical_time)",
    `CREATE TABLE task_instances (
      run_id TEXT NOT NULL REFERENCES runs (id),
      task_id TEXT NOT NULL,
      map_index INTEGER NOT NULL,
      state TEXT NOT NULL,
      try_number INTEGER NOT NULL,
      max_tries INTEGER NOT NULL,
      retries INTEGER NOT NULL,
      pool TEXT,
      next_try_at TEXT,
      started_at TEXT,
      ended_at TEXT,
      duration_ms BIGINT,
      rows_in BIGINT,
      rows_out BIGINT,
      rows_rejected BIGINT,
      error TEXT,
      summary TEXT,
      PRIMARY KEY (run_id, task_id, map_index)
    )`,
    `CREATE TABLE task_attempts (
      run_id TEXT NOT NULL,
      task_id TEXT NOT NULL,
      map_index INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      state TEXT NOT NULL,
      owner TEXT,
      pool TEXT,
      pool_slots INTEGER NOT NULL,
      started_at TEXT NOT NULL,
      heartbeat_at TEXT,
      ended_at TEXT,
      error_code TEXT,
      error TEXT,
      PRIMARY KEY (run_id, task_id, map_index, attempt)
    )`,
    "CREATE INDEX task_attempts_state ON task_attempts (state, heartbeat_at)",
    "CREATE INDEX task_attempts_pool ON task_attempts (pool, state)",
    `CREATE TABLE task_logs (
      run_id TEXT NOT NULL,
      task_id TEXT NOT NULL,
      map_index INTEGER NOT NULL,
      attempt INTEGER NOT NULL,
      seq INTEGER NOT NULL,
      at TEXT NOT NULL,
      level TEXT NOT NULL,
      message TEXT NOT NULL,
      fields TEXT,
      PRIMARY KEY (run_id, task_id, map_index, attempt, seq)
    )`,
    `CREATE TABLE task_outputs (
      run_id TEXT NOT NULL,
      task_id TEXT NOT NULL,
      map_index INTEGER NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (run_id, task_id, map_index)
    )`,
    `CREATE TABLE pools (
      name TEXT PRIMARY KEY,
      slots INTEGER NOT NULL,
      description TEXT,
      updated_at TEXT NOT NULL
    )`,
    `CREATE TABLE dataset_events (
      id TEXT PRIMARY KEY,
      dataset TEXT NOT NULL,
      at TEXT NOT NULL,
      pipeline TEXT,
      run_id TEXT,
      task_id TEXT,
      range_start TEXT,
      range_end TEXT
    )`,
    "CREATE INDEX dataset_events_dataset ON dataset_events (dataset, at)",
    `CREATE TABLE materialised_ranges (
      dataset TEXT NOT NULL,
      range_start TEXT NOT NULL,
      range_end TEXT NOT NULL,
      PRIMARY KEY (dataset, range_start)
    )`,
    `INSERT INTO task_attempts (run_id, task_id, map_index, attempt, state, pool_slots, started_at, heartbeat_at, ended_at, error)
     SELECT run_id, task_id, -1, attempt, CASE state WHEN 'succeeded' THEN 'success' ELSE state END, 1,
            started_at, started_at, ended_at, error
     FROM task_runs WHERE state <> 'skipped'`,
    `INSERT INTO task_instances (run_id, task_id, map_index, state, try_number, max_tries, retries, started_at, ended_at, rows_in, rows_out, rows_rejected, error)
     SELECT run_id, task_id, -1, CASE state WHEN 'succeeded' THEN 'success' ELSE state END,
            CASE state WHEN 'skipped' THEN 0 ELSE attempt END, attempt, 0, started_at, ended_at,
            rows_in, rows_out, rows_rejected, error
     FROM task_runs t
     WHERE attempt = (SELECT MAX(attempt) FROM task_runs u WHERE u.run_id = t.run_id AND u.task_id = t.task_id)`,
    "DROP TABLE task_runs",
  ],
};
