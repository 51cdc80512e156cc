import type { Rejection } from "../connectors/source.js";
import type { DataInterval } from "../core/interval.js";
import type { Logger, LogLevel } from "../core/log.js";
import type { TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { Lake } from "../lake/lake.js";
import type { MetadataStore, RowCounts, RunType } from "../metadata/metadata-store.js";
import type { QuarantineResult } from "../quality/quarantine.js";
import type { TimePartition } from "./partitions/partition-scheme.js";
import type { RunOutput } from "./run-events.js";

/** What to quarantine: a source's rejections, or the `failed` table made by `checkRows`. */
export type QuarantineRequest = { dataset: string; stage: string } & (
  | { rejections: readonly Rejection[] }
  | { failed: TableRef; location?: string }
);

export interface ProgressUpdate {
  /** A short name for what is happening, e.g. "upserted". */
  step: string;
  done?: number;
  total?: number;
  unit?: string;
}

/**
 * The task's logger: every line is stored with the attempt (`weir logs <run> <task>`) and
 * passed to the run's logger. Never writes to stdout.
 */
export interface TaskLogger extends Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export type { LogLevel };

/**
 * Everything a task may use. Built per task by the runner; tasks never open engines or
 * stores themselves, so the same pipeline runs on any configured engine.
 */
export interface TaskContext {
  readonly runId: string;
  readonly pipelineId: string;
  readonly taskId: string;
  /** The instance of a mapped task (0, 1, …); undefined for a task that is not mapped. */
  readonly mapIndex?: number;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  readonly runType: RunType;
  /** The run's logical date (midnight UTC for daily runs started by `weir run --date`). */
  readonly logicalDate: Date;
  /** The data interval this run is responsible for (daily: [logicalDate, +1 day)). */
  readonly interval: DataInterval;
  /** The time partition the run materialises, when the pipeline declares `partitions`. */
  readonly partition?: TimePartition;
  readonly params: Readonly<Record<string, string>>;
  readonly logger: TaskLogger;
  /** The warehouse engine. */
  readonly engine: Engine;
  readonly lake: Lake;
  readonly metadata: MetadataStore;
  /** Aborted when the attempt times out, the run times out or the executor shuts down. */
  readonly signal: AbortSignal;
  /**
   * This pipeline's incremental cursors. Commit only after the load that covers the
   * value has committed (commit-then-advance, see `CursorStore`).
   */
  readonly cursors: {
    get(sourceKey: string): Promise<string | undefined>;
    commit(sourceKey: string, value: string): Promise<void>;
  };
  /** The output of an upstream task (one this task depends on, directly or not). */
  outputOf<T>(task: { id: string; run(ctx: TaskContext): Promise<T> } | string): T;
  /** Emits a progress event; never writes to stdout. */
  progress(update: ProgressUpdate): Promise<void>;
  /**
   * Writes rows to `quarantine.<dataset>` for this run's logical date and stage, replacing
   * what an earlier run of the same date put there, and counts them in the run summary.
   */
  quarantine(request: QuarantineRequest): Promise<QuarantineResult>;
  /** Adds to this task's row counts (in: read, out: written). Quarantined rows are counted by `quarantine`. */
  recordRows(rows: RowCounts): void;
  /** Lists a place this task wrote to in the run summary. */
  recordOutput(output: RunOutput): void;
  /** Ends the attempt as `skipped` (nothing to do); tasks downstream follow their trigger rules. */
  skip(reason?: string): never;
}
