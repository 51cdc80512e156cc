import type { RunRecord } from "../../metadata/metadata-store.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import type { AttemptStats } from "./executor-settings.js";
import type { AttemptLimits, AttemptOutcome } from "./run-attempt.js";

/**
 * Where a claimed attempt's code runs. The executor keeps the DAG, the claims in the store
 * and the outcome's transitions; a runner only runs the code. Without one (the `local`
 * executor) the code runs in the executor's process (`startAttempt`); the distributed
 * runner (`src/orchestrator/distributed/`) hands it to a `weir worker` through the queue
 * and resolves when the worker has stored the outcome.
 */
export interface TaskRunner {
  /** Hands a claimed attempt (running in the store, owned by the executor) to a worker. */
  start(request: TaskRunRequest): RemoteRunningAttempt;
  /**
   * An attempt a previous executor of the run started and a worker still runs (or has
   * ended, its outcome not yet recorded): waits for it instead of running it again.
   * Undefined when no worker has it (the attempt then counts as interrupted).
   */
  reattach(request: TaskRunRequest): Promise<RemoteRunningAttempt | undefined>;
}

export interface TaskRunRequest {
  run: RunRecord;
  pipeline: PipelineDefinition;
  /** The pipeline's file, for a worker that has not loaded it yet. */
  pipelineFile?: string;
  taskId: string;
  mapIndex: number;
  attempt: number;
  /** The task's queue (task options `queue`, default "default"). */
  queue: string;
  /** A mapped instance's item (its parent's items live in the executor until the parent ends). */
  item?: unknown;
  limits: AttemptLimits;
  /** The executor that claimed the attempt: it owns it again once the worker's outcome is taken. */
  owner: string;
  /** An attempt whose heartbeat is older than this is dead (its worker died). */
  heartbeatTimeoutMs: number;
}

/** How a remote attempt ended, as its worker stored it. */
export interface RemoteAttemptEnd {
  outcome: AttemptOutcome;
  stats: AttemptStats;
  /** The last log sequence number the worker stored: the executor's own lines follow it. */
  lastLogSeq: number;
  /** What the attempt read and wrote (lineage), as the worker's ActivityRecorder recorded it. */
  activity?: unknown;
}

export interface RemoteRunningAttempt {
  /** Aborting it asks the worker to abort the attempt's signal (run timeout, executor shutdown). */
  readonly controller: AbortController;
  readonly end: Promise<RemoteAttemptEnd>;
}
