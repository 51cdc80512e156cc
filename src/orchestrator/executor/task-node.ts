import type { ActivityRecorder } from "../../core/activity-recorder.js";
import type { RowCounts } from "../../metadata/metadata-store.js";
import type { TaskInstanceRecord, TaskInstanceState } from "../../metadata/task-store.js";
import type { TaskDefinition } from "../define-task.js";
import type { DatasetCounts, RunOutput } from "../run-events.js";
import type { TaskPolicy } from "../task-options.js";
import type { AttemptLogger } from "./attempt-logger.js";
import type { RunningAttempt } from "./run-attempt.js";

/** What the executor keeps in the instance's `summary` column, so a resumed run can summarise it. */
export interface NodeStats {
  quarantined: Record<string, number>;
  outputs: RunOutput[];
  /** Rows of each dataset the task extracted, loaded or quarantined (the run's reconciliation). */
  datasets?: Record<string, DatasetCounts>;
  /** The task used the run's staging schema: it is dropped when the run succeeds. */
  staged?: boolean;
}

/**
 * The executor's in-memory view of one task instance. The store holds the truth; a node
 * mirrors it and is written through on every transition.
 */
export interface TaskNode {
  readonly key: string;
  readonly task: TaskDefinition;
  readonly policy: TaskPolicy;
  /** -1 for a task that is not mapped and for a mapped task's parent instance. */
  readonly mapIndex: number;
  readonly parent?: TaskNode;
  state: TaskInstanceState;
  tryNumber: number;
  maxTries: number;
  /** Epoch ms when an up_for_retry node may run again. */
  nextTryAt?: number;
  /** Epoch ms of the first attempt's start (duration spans retries). */
  firstStartedAt?: number;
  durationMs: number;
  /** When the instance ended (ISO): the summary lists tasks in the order they finished. */
  endedAt?: string;
  rows: RowCounts;
  stats: NodeStats;
  error?: { code: string; message: string; details: Record<string, unknown> };
  cause?: unknown;
  output?: unknown;
  hasOutput: boolean;
  /** A mapped parent's instances, once its items are known. */
  children?: TaskNode[];
  running?: RunningAttempt;
  /** What the current (or last) attempt read, wrote and ran, for lineage. */
  activity?: ActivityRecorder;
  /** The running attempt's logger (its lines are flushed with heartbeats). */
  logger?: AttemptLogger;
  /** A retry timer or a dependsOnPast poll is pending. */
  waiting: boolean;
}

export function nodeKey(taskId: string, mapIndex: number): string {
  return mapIndex < 0 ? taskId : `${taskId}[${mapIndex}]`;
}

export function newNode(
  task: TaskDefinition,
  policy: TaskPolicy,
  mapIndex: number,
  parent?: TaskNode,
): TaskNode {
  return {
    key: nodeKey(task.id, mapIndex),
    task,
    policy,
    mapIndex,
    ...(parent ? { parent } : {}),
    state: "pending",
    tryNumber: 0,
    maxTries: policy.retries + 1,
    durationMs: 0,
    rows: {},
    stats: { quarantined: {}, outputs: [] },
    hasOutput: false,
    waiting: false,
  };
}

/** Copies a stored instance's state into a node (resume). */
export function loadNode(node: TaskNode, record: TaskInstanceRecord): void {
  node.state = record.state;
  node.tryNumber = record.tryNumber;
  node.maxTries = record.maxTries;
  if (record.nextTryAt) node.nextTryAt = Date.parse(record.nextTryAt);
  if (record.startedAt) node.firstStartedAt = Date.parse(record.startedAt);
  node.durationMs = record.durationMs ?? 0;
  if (record.endedAt) node.endedAt = record.endedAt;
  node.rows = { ...record.rows };
  const stats = record.summary as Partial<NodeStats> | undefined;
  node.stats = {
    quarantined: { ...(stats?.quarantined ?? {}) },
    outputs: [...(stats?.outputs ?? [])],
    ...(stats?.datasets ? { datasets: structuredClone(stats.datasets) } : {}),
    ...(stats?.staged ? { staged: true } : {}),
  };
  if (record.error) node.error = { code: errorCode(record.error), message: record.error, details: {} };
}

/** "[CODE] message" → CODE (how the executor stores instance errors). */
function errorCode(text: string): string {
  return /^\[([A-Z_]+)\]/.exec(text)?.[1] ?? "TASK_FAILED";
}
