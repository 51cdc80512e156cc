import type { Migration } from "./migrations.js";

/**
 * Migration 4: one run per pipeline and logical time, as Airflow 2's unique
 * (dag_id, execution_date). Before it, plan-then-create was not atomic: two backfills
 * sharing a store ran every date twice, and `weir run` of a date made a new run each time.
 *
 * `run_key` is `<pipeline>|<logical time>` with a unique index, so creating a run is an
 * insert-or-get (`RunStore.createOrGet`). A store may already hold several runs of one
 * date: nothing is deleted. The newest of them (by queued time, then id) keeps the plain
 * key and the older ones get `<key>|superseded:<id>`, which keeps them unique and marks
 * them as history (`RunRecord.superseded`).
 */
export const RUN_KEY_MIGRATION: Migration = {
  version: 4,
  name: "runs: one run per pipeline and logical time (run_key)",
  statements: [
    // Migration 3 filled logical_time for every old row; this only guards rows written without it.
    "UPDATE runs SET logical_time = logical_date || 'T00:00:00.000Z' WHERE logical_time IS NULL",
    "ALTER TABLE runs ADD COLUMN run_key TEXT",
    "UPDATE runs SET run_key = pipeline || '|' || logical_time || '|superseded:' || id",
    `UPDATE runs SET run_key = pipeline || '|' || logical_time
     WHERE id = (SELECT newest.id FROM runs newest
                 WHERE newest.pipeline = runs.pipeline AND newest.logical_time = runs.logical_time
                 ORDER BY COALESCE(newest.queued_at, newest.started_at) DESC, newest.id DESC LIMIT 1)`,
    "CREATE UNIQUE INDEX runs_run_key ON runs (run_key)",
  ],
};
