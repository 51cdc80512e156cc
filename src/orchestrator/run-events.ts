import type { RowCounts, RunState } from "../metadata/metadata-store.js";

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
  | TaskSkippedEvent
  | RunFinishedEvent;

interface EventBase {
  runId: string;
  pipeline: string;
  at: string;
}

export interface RunStartedEvent extends EventBase {
  type: "run.started";
  logicalDate: string;
  interval: { start: string; end: string };
  params: Record<string, string>;
  /** Task ids in the order they will run. */
  tasks: string[];
}

export interface TaskStartedEvent extends EventBase {
  type: "task.started";
  taskId: string;
  attempt: number;
}

/** Emitted by `ctx.progress(...)` inside a task. */
export interface TaskProgressEvent extends EventBase {
  type: "task.progress";
  taskId: string;
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

export interface TaskSucceededEvent extends EventBase {
  type: "task.succeeded";
  taskId: string;
  attempt: number;
  durationMs: number;
  rows: RowCounts;
  /** Rows this task sent to quarantine, by check name. */
  quarantined: Record<string, number>;
  outputs: RunOutput[];
}

export interface TaskFailedEvent extends EventBase {
  type: "task.failed";
  taskId: string;
  attempt: number;
  durationMs: number;
  error: { code: string; message: string; details: Record<string, unknown> };
}

export interface TaskSkippedEvent extends EventBase {
  type: "task.skipped";
  taskId: string;
  /** The upstream tasks that did not succeed. */
  blockedBy: string[];
}

export interface RunFinishedEvent extends EventBase {
  type: "run.finished";
  state: Exclude<RunState, "running">;
  durationMs: number;
  summary: RunSummary;
}

export interface TaskSummary {
  id: string;
  state: "succeeded" | "failed" | "skipped";
  durationMs: number;
  rows: RowCounts;
  quarantined: Record<string, number>;
  error?: string;
}

/**
 * Totals of a run. `extracted` sums `rows.in` of the root tasks (no dependencies),
 * `loaded` sums `rows.out` of the leaf tasks, `quarantined` sums every task's quarantined
 * rows; `reconciled` is `extracted === loaded + quarantined` ("nothing is lost").
 */
export interface RunSummary {
  runId: string;
  pipeline: string;
  logicalDate: string;
  state: Exclude<RunState, "running">;
  durationMs: number;
  rows: {
    extracted: number;
    loaded: number;
    quarantined: number;
    quarantinedByCheck: Record<string, number>;
  };
  reconciled: boolean;
  tasks: TaskSummary[];
  outputs: RunOutput[];
  error?: { taskId: string; code: string; message: string };
}

/** A subscriber. Async listeners are awaited in order, so a store sees events in sequence. */
export type RunEventListener = (event: RunEvent) => void | Promise<void>;
