import type { ActivityRecord } from "../core/activity-recorder.js";
import type { LogLevel } from "../core/log.js";
import type { RowCounts, RunState, RunType } from "../metadata/metadata-store.js";

export type FinalRunState = Exclude<RunState, "running" | "queued">;

/**
 * How an execution of a run ended: finished (succeeded, failed), or interrupted — stopped
 * by a signal before it finished, its running tasks handed back and the run queued again
 * in the store (resumable: `weir retry <run>`).
 */
export type RunOutcome = FinalRunState | "interrupted";

/**
 * What a run does, as a stream of typed events (Dagster-style). The runner only emits;
 * the metadata store, the CLI, tests (and later lineage and metrics) subscribe, so adding
 * a consumer touches no executor code. Times are ISO-8601 strings so events serialise
 * to NDJSON unchanged.
 */
export type RunEvent =
  | RunStartedEvent
  | TaskStartedEvent
  | TaskProgressEvent
  | TaskSucceededEvent
  | TaskFailedEvent
  | TaskRetryingEvent
  | TaskSkippedEvent
  | TaskLogEvent
  | RunSlaMissedEvent
  | RunFinishedEvent
  | RunInterruptedEvent;

interface EventBase {
  runId: string;
  pipeline: string;
  at: string;
}

export interface RunStartedEvent extends EventBase {
  type: "run.started";
  logicalDate: string;
  /** The logical date as an ISO-8601 instant. */
  logicalTime: string;
  runType: RunType;
  /** True when the run existed already and this execution continues it (tasks in success are not run again). */
  resumed: boolean;
  interval: { start: string; end: string };
  params: Record<string, string>;
  /** Task ids in the order they will run. */
  tasks: string[];
}

interface TaskEventBase extends EventBase {
  taskId: string;
  /** The instance of a mapped task; absent for a task that is not mapped. */
  mapIndex?: number;
}

export interface TaskStartedEvent extends TaskEventBase {
  type: "task.started";
  attempt: number;
}

/** Emitted by `ctx.progress(...)` inside a task. */
export interface TaskProgressEvent extends EventBase {
  type: "task.progress";
  taskId: string;
  mapIndex?: number;
  step: string;
  done?: number;
  total?: number;
  unit?: string;
}

/** A place a task wrote to, listed in the run summary. */
export interface RunOutput {
  kind: "warehouse" | "lake" | "quarantine" | "file";
  /** Dataset or table name, e.g. `dim_customers`, `lake.raw.customers`, `quarantine.customers`. */
  name: string;
  /** Where it is on disk; omitted for tables of the warehouse engine (the runtime knows its file). */
  location?: string;
}

export interface TaskSucceededEvent extends TaskEventBase {
  type: "task.succeeded";
  attempt: number;
  durationMs: number;
  rows: RowCounts;
  /** Rows this task sent to quarantine, by check name. */
  quarantined: Record<string, number>;
  outputs: RunOutput[];
  /** What the attempt read, wrote and ran (statements, dataset notes), for lineage. */
  activity?: ActivityRecord;
}

export interface TaskFailedEvent extends TaskEventBase {
  type: "task.failed";
  attempt: number;
  durationMs: number;
  error: { code: string; message: string; details: Record<string, unknown> };
  /** Absent for an instance that failed without an attempt (its pool cannot hold it). */
  activity?: ActivityRecord;
}

/** An attempt failed and another will follow after `delayMs` (the instance is up_for_retry). */
export interface TaskRetryingEvent extends TaskEventBase {
  type: "task.retrying";
  attempt: number;
  durationMs: number;
  error: { code: string; message: string; details: Record<string, unknown> };
  delayMs: number;
  nextTryAt: string;
  activity?: ActivityRecord;
}

/** The task will not run: its trigger rule cannot be met (or it skipped itself, or the run timed out). */
export interface TaskSkippedEvent extends TaskEventBase {
  type: "task.skipped";
  state: "skipped" | "upstream_failed";
  reason: string;
  /** The upstream tasks that did not succeed. */
  blockedBy: string[];
}

/** A line a task logged (also stored with its attempt). */
export interface TaskLogEvent extends TaskEventBase {
  type: "task.log";
  attempt: number;
  level: LogLevel;
  message: string;
  fields?: Record<string, unknown>;
}

/** The run was not finished by its SLA deadline (`notifications.sla` after it was queued). */
export interface RunSlaMissedEvent extends EventBase {
  type: "run.sla_missed";
  deadline: string;
}

/**
 * The run was stopped by its signal (Ctrl-C, SIGTERM) before it finished: queued again in
 * the store, its running attempts handed back. No `run.finished` follows in this process.
 */
export interface RunInterruptedEvent extends EventBase {
  type: "run.interrupted";
  durationMs: number;
}

export interface RunFinishedEvent extends EventBase {
  type: "run.finished";
  state: FinalRunState;
  durationMs: number;
  summary: RunSummary;
}

/**
 * Rows of one dataset a task accounted for: read from its source (`ctx.extract`, or
 * `ctx.recordDataset({ extracted })`), loaded into its final table (`recordDataset({ loaded,
 * into })`), sent to `quarantine.<dataset>` (`ctx.quarantine`).
 */
export interface DatasetCounts {
  extracted?: number;
  loaded?: number;
  quarantined?: number;
  /** Quarantined rows by check name. */
  quarantinedByCheck?: Record<string, number>;
  /** The tables the loaded rows went to. */
  into?: string[];
}

export interface TaskSummary {
  id: string;
  state: "succeeded" | "failed" | "skipped" | "upstream_failed";
  /** Attempts made (of every instance, for a mapped task). */
  attempts?: number;
  durationMs: number;
  /** Rows in (read) and out (written) as the task recorded them; a count it did not record is absent. */
  rows: RowCounts;
  quarantined: Record<string, number>;
  /** Rows of each dataset the task accounted for, by dataset name. */
  datasets?: Record<string, DatasetCounts>;
  /** When the task ended (ISO), when it ran. */
  endedAt?: string;
  error?: string;
}

/**
 * One dataset's rows over the run. `reconciled` is `extracted === loaded + quarantined`
 * ("nothing is lost"), judged only for a run that succeeded and a dataset with both an
 * extract and a load recorded; otherwise absent (there is nothing to compare).
 */
export interface DatasetSummary {
  dataset: string;
  extracted?: number;
  loaded?: number;
  quarantined: number;
  quarantinedByCheck: Record<string, number>;
  into: string[];
  reconciled?: boolean;
}

/**
 * Totals of a run. Reconciliation is per dataset (`datasets`): rows its source read =
 * rows loaded into its final table + rows quarantined. `rows.extracted` and `rows.loaded`
 * sum the datasets' (when no task recorded a dataset: rows into the root tasks and out of
 * the leaf tasks, which are not compared: an aggregating pipeline writes fewer rows than
 * it reads by design); `quarantined` sums every task's quarantined rows. `reconciled` is
 * true when every dataset that could be compared reconciles, false when one does not, and
 * absent when none could be.
 */
export interface RunSummary {
  runId: string;
  pipeline: string;
  logicalDate: string;
  state: RunOutcome;
  durationMs: number;
  rows: {
    extracted: number;
    loaded: number;
    quarantined: number;
    quarantinedByCheck: Record<string, number>;
  };
  datasets: DatasetSummary[];
  reconciled?: boolean;
  tasks: TaskSummary[];
  outputs: RunOutput[];
  error?: { taskId: string; code: string; message: string };
}

/** A subscriber. Async listeners are awaited in order, so a store sees events in sequence. */
export type RunEventListener = (event: RunEvent) => void | Promise<void>;
