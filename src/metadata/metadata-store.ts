/**
 * The metadata store records what runs did: pipelines, runs, task instances and their
 * attempts with logs and outputs, pools, dataset events, materialised partitions,
 * incremental cursors and quality results. Every method is async so the SQLite store
 * (embedded default) and the PostgreSQL store (`WEIR_METADATA_URL=postgres://…`) share
 * one interface; both apply the same migrations.
 */

import type { DatasetStore } from "./dataset-store.js";
import type { PipelineStore } from "./pipeline-store.js";
import type { PoolStore } from "./pool-store.js";
import type { QualityStore } from "./quality-store.js";
import type { ListRunsOptions, NewRun, RunRecord, RunStore } from "./run-store.js";
import type { StreamCheckpointStore } from "./stream-checkpoint-store.js";
import type { TaskStore } from "./task-store.js";

export type { DatasetEventRecord, DatasetStore, MaterialisedRange } from "./dataset-store.js";
export type { PipelineRecord, PipelineStore } from "./pipeline-store.js";
export type { PoolRecord, PoolStore } from "./pool-store.js";
export type {
  ListRunsOptions,
  NewRun,
  RunClaim,
  RunRecord,
  RunState,
  RunStore,
  RunType,
} from "./run-store.js";
export type { StreamCheckpointStore } from "./stream-checkpoint-store.js";
export type {
  AttemptFinish,
  AttemptKey,
  AttemptRecord,
  AttemptStart,
  AttemptState,
  NewTaskInstance,
  ReapedAttempt,
  TaskInstanceKey,
  TaskInstanceRecord,
  TaskInstanceState,
  TaskLogLine,
  TaskStore,
  TaskTransition,
} from "./task-store.js";

export interface RowCounts {
  in?: number;
  out?: number;
  rejected?: number;
}

/**
 * Incremental cursors (high-water marks), one per pipeline and source.
 *
 * Commit-then-advance: a pipeline commits a cursor only AFTER the load that covers it has
 * committed, and loads are idempotent (overwrite-partition, upsert by key). A crash
 * between the load and the cursor commit therefore leaves the old cursor, the re-run
 * reads the same rows again and the idempotent load writes the same tables: nothing is
 * lost (the cursor never ran ahead of the data) and nothing is duplicated.
 */
export interface CursorStore {
  get(pipeline: string, sourceKey: string): Promise<string | undefined>;
  commit(pipeline: string, sourceKey: string, value: string): Promise<void>;
}

export interface MetadataStore {
  /** "sqlite" or "postgres", and where (a file path, or the URL without its password). */
  readonly kind: "sqlite" | "postgres";
  readonly location: string;
  readonly cursors: CursorStore;
  /** Quality check results and metric history (migration 2). */
  readonly quality: QualityStore;
  readonly pipelines: PipelineStore;
  readonly runs: RunStore;
  readonly tasks: TaskStore;
  readonly pools: PoolStore;
  readonly datasets: DatasetStore;
  /** Stream partitions' checkpoints, pending epochs and leases (migration 5). */
  readonly streams: StreamCheckpointStore;
  /** The schema version the store is at after opening (its migrations applied). */
  schemaVersion(): Promise<number>;
  /** Shortcut for `runs.create(run, [])`: records a run that has no task instances yet. */
  startRun(run: NewRun): Promise<void>;
  /** Shortcut for `runs.finish`. */
  finishRun(
    id: string,
    end: { state: "succeeded" | "failed"; endedAt: string; summary?: unknown },
  ): Promise<void>;
  /** Shortcut for `runs.get`. */
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Shortcut for `runs.list`: newest first. */
  listRuns(options?: ListRunsOptions): Promise<RunRecord[]>;
  close(): Promise<void>;
}
