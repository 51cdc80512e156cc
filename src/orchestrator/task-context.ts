import type { ExtractResult, Rejection, Source } from "../connectors/source.js";
import type { DataInterval } from "../core/interval.js";
import type { Logger, LogLevel } from "../core/log.js";
import type { TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { Lake } from "../lake/lake.js";
import type { MetadataStore, RowCounts, RunType } from "../metadata/metadata-store.js";
import type { QuarantineResult } from "../quality/quarantine.js";
import type { TimePartition } from "./partitions/partition-scheme.js";
import type { RunOutput } from "./run-events.js";

/** What `ctx.extract` does with a source. */
export interface TaskExtractOptions {
  /** The dataset the rows belong to: rejections go to `quarantine.<dataset>`; the run summary reconciles it. */
  dataset: string;
  /** Where the rows land; default `ctx.stagingTable(dataset)`. */
  table?: TableRef;
  /** The quarantine stage of the rejections; default "extract". */
  stage?: string;
}

export interface TaskExtractResult extends ExtractResult {
  /** The table the rows landed in. */
  table: TableRef;
  /** Rows sent to `quarantine.<dataset>` (the rejections). */
  quarantined: number;
}

/** Rows of a dataset for the run summary's reconciliation (extracted = loaded + quarantined). */
export interface DatasetRowsRecord {
  dataset: string;
  /** Rows read from the dataset's source (loaded + rejected). `ctx.extract` records these itself. */
  extracted?: number;
  /** Rows that reached the dataset's final table. */
  loaded?: number;
  /** That final table, named in the summary. */
  into?: string;
}

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
  /**
   * This run's staging schema, `staging_<run id>`: what tasks stage there is the run's
   * alone, so two runs (two dates of a backfill) never overwrite each other's tables. It is
   * created by the first write into it (`extract`, `writeTable`, `checkRows`; raw SQL:
   * `await ctx.engine.createSchema(ctx.stagingSchema)` first) and dropped with everything
   * in it when the run succeeds; a failed run keeps it for `weir retry`.
   */
  readonly stagingSchema: string;
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
  /** A table (or view) of this run's staging schema: `{ schema: ctx.stagingSchema, name }`. */
  stagingTable(name: string): TableRef;
  /**
   * Lands `source`'s rows for this run's data interval in `options.table` (default
   * `stagingTable(dataset)`), replacing it; sends its rejections to `quarantine.<dataset>`
   * (replacing an earlier run's of the same date), counts the task's rows (in: read, out:
   * loaded) and the dataset's extracted rows, and reports progress. The source is not
   * closed.
   *
   * @example
   * const { table, cursor } = await ctx.extract(source, { dataset: "orders" });
   */
  extract(source: Source, options: TaskExtractOptions): Promise<TaskExtractResult>;
  /**
   * Counts rows of a dataset for the run summary, which reconciles each dataset whose
   * extracted and loaded rows are both known: extracted = loaded + quarantined. Call it
   * where the dataset's rows reach their final table, e.g.
   * `ctx.recordDataset({ dataset: "orders", loaded: rowsWritten, into: "fact_orders" })`.
   */
  recordDataset(rows: DatasetRowsRecord): void;
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
