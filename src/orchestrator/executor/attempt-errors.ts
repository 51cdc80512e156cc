import { messageOf, TaskError, type WeirError } from "../../core/errors.js";
import { AttemptAbort } from "./run-attempt.js";
import type { NodeStats, TaskNode } from "./task-node.js";

/** What the executor records about an error: its code (WeirError's, or TASK_FAILED), message and details. */
export function errorInfo(error: unknown): {
  code: string;
  message: string;
  details: Record<string, unknown>;
} {
  const code = (error as { code?: unknown } | null)?.code;
  const details = (error as { details?: unknown } | null)?.details;
  return {
    code: typeof code === "string" ? code : "TASK_FAILED",
    message: messageOf(error),
    details: typeof details === "object" && details !== null ? (details as Record<string, unknown>) : {},
  };
}

/** The code stored with an attempt: an abort says why (timeout, run timeout, shutdown). */
export function attemptCode(error: unknown, code: string): string {
  return error instanceof AttemptAbort ? error.attemptCode : code;
}

export function hasStats(stats: NodeStats): boolean {
  return (
    stats.outputs.length > 0 ||
    Object.keys(stats.quarantined).length > 0 ||
    Object.keys(stats.datasets ?? {}).length > 0 ||
    stats.staged === true
  );
}

/** The run's error for a failed task: a `TaskError` wrapping what the task threw. */
export function taskError(node: TaskNode): WeirError {
  const cause = node.cause ?? new Error(node.error?.message ?? "failed");
  if (cause instanceof TaskError && cause.details.taskId === node.task.id) return cause;
  return new TaskError(node.task.id, cause);
}
