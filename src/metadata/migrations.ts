import { WeirError } from "../core/errors.js";
import { DISTRIBUTED_MIGRATION } from "./distributed-migration.js";
import { GOVERNANCE_MIGRATION } from "./governance-migration.js";
import { LINEAGE_MIGRATION } from "./lineage-migration.js";
import { ORCHESTRATOR_MIGRATION } from "./orchestrator-migration.js";
import { RUN_KEY_MIGRATION } from "./run-key-migration.js";
import { SERVER_MIGRATION } from "./server-migration.js";
import { STREAM_MIGRATION } from "./stream-migration.js";

/**
 * One step of the metadata schema. Statements are plain, portable SQL (TEXT, INTEGER,
 * BIGINT, composite primary keys; no engine-specific types) so the SQLite store and a
 * later PostgreSQL store apply the very same list.
 */
export interface Migration {
  /** Strictly increasing, starting at 1. Never renumber or edit a released migration: add a new one. */
  version: number;
  name: string;
  statements: readonly string[];
}

/** The bookkeeping table every store creates before applying migrations. */
export const SCHEMA_MIGRATIONS_DDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** The metadata schema, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "runs, task runs and incremental cursors",
    statements: [
      `CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        pipeline TEXT NOT NULL,
        logical_date TEXT NOT NULL,
        interval_start TEXT NOT NULL,
        interval_end TEXT NOT NULL,
        state TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        params TEXT NOT NULL,
        summary TEXT
      )`,
      "CREATE INDEX runs_pipeline_date ON runs (pipeline, logical_date)",
      `CREATE TABLE task_runs (
        run_id TEXT NOT NULL REFERENCES runs (id),
        task_id TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        state TEXT NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        error TEXT,
        rows_in BIGINT,
        rows_out BIGINT,
        rows_rejected BIGINT,
        PRIMARY KEY (run_id, task_id, attempt)
      )`,
      `CREATE TABLE cursors (
        pipeline TEXT NOT NULL,
        source_key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (pipeline, source_key)
      )`,
    ],
  },
  {
    version: 2,
    name: "quality results and metric history",
    statements: [
      // One row per suite run on a dataset (a pipeline's check task or `weir check`).
      `CREATE TABLE quality_checks (
        id TEXT PRIMARY KEY,
        run_id TEXT,
        dataset TEXT NOT NULL,
        suite TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        success INTEGER NOT NULL,
        row_count BIGINT,
        score_checks DOUBLE PRECISION,
        score_rows DOUBLE PRECISION,
        columns TEXT,
        details TEXT
      )`,
      "CREATE INDEX quality_checks_dataset ON quality_checks (dataset, checked_at)",
      `CREATE TABLE quality_results (
        check_id TEXT NOT NULL REFERENCES quality_checks (id),
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        type TEXT NOT NULL,
        severity TEXT NOT NULL,
        success INTEGER NOT NULL,
        element_count BIGINT,
        unexpected_count BIGINT,
        unexpected_percent DOUBLE PRECISION,
        observed_value TEXT,
        details TEXT,
        PRIMARY KEY (check_id, seq)
      )`,
      // The series anomaly detection reads: one value per check and metric.
      `CREATE TABLE quality_metrics (
        check_id TEXT NOT NULL REFERENCES quality_checks (id),
        dataset TEXT NOT NULL,
        metric TEXT NOT NULL,
        measured_at TEXT NOT NULL,
        value DOUBLE PRECISION,
        PRIMARY KEY (check_id, metric)
      )`,
      "CREATE INDEX quality_metrics_series ON quality_metrics (dataset, metric, measured_at)",
    ],
  },
  ORCHESTRATOR_MIGRATION,
  RUN_KEY_MIGRATION,
  STREAM_MIGRATION,
  LINEAGE_MIGRATION,
  GOVERNANCE_MIGRATION,
  SERVER_MIGRATION,
  DISTRIBUTED_MIGRATION,
];

/**
 * The migrations still to apply, given the versions a store already has. Refuses a store
 * that is newer than this code (a downgrade would silently misread it) and a list that is
 * not strictly increasing (a bug in this file).
 */
export function pendingMigrations(
  applied: readonly number[],
  migrations: readonly Migration[] = MIGRATIONS,
): Migration[] {
  for (let i = 0; i < migrations.length; i++) {
    if (migrations[i]!.version !== i + 1) {
      throw new WeirError(
        "INTERNAL",
        `metadata migration #${i} has version ${migrations[i]!.version}, expected ${i + 1}`,
      );
    }
  }
  const latest = migrations.length;
  const newest = Math.max(0, ...applied);
  if (newest > latest) {
    throw new WeirError(
      "METADATA_FAILED",
      `the metadata store is at schema version ${newest} but this weir knows only up to ${latest}: upgrade weir`,
      { details: { storeVersion: newest, knownVersion: latest } },
    );
  }
  const done = new Set(applied);
  return migrations.filter((m) => !done.has(m.version));
}
