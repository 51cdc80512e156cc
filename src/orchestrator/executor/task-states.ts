import type { TaskInstanceState } from "../../metadata/task-store.js";

/** States a task instance never leaves (until a user clears it). */
export const TERMINAL_STATES: ReadonlySet<TaskInstanceState> = new Set([
  "success",
  "failed",
  "skipped",
  "upstream_failed",
]);

/** Counts as a failure for trigger rules and the run's state. */
export const FAILED_STATES: ReadonlySet<TaskInstanceState> = new Set(["failed", "upstream_failed"]);

/**
 * Every transition the executor makes, Airflow's lifecycle:
 * pending → queued → running → success | failed | up_for_retry | skipped (the task skipped itself);
 * up_for_retry → queued; pending → skipped | upstream_failed (trigger rule unmet, dependsOnPast);
 * running → queued (attempt interrupted by a shutdown: released, no retry used);
 * queued | up_for_retry | pending → skipped (run timed out).
 */
export const TRANSITIONS: Readonly<Record<TaskInstanceState, readonly TaskInstanceState[]>> = {
  pending: ["queued", "skipped", "upstream_failed"],
  queued: ["running", "skipped"],
  running: ["success", "failed", "up_for_retry", "skipped", "queued"],
  up_for_retry: ["queued", "skipped", "failed"],
  success: [],
  failed: [],
  skipped: [],
  upstream_failed: [],
};

export function isTerminal(state: TaskInstanceState): boolean {
  return TERMINAL_STATES.has(state);
}

/** True when the executor may move an instance from `from` to `to`. */
export function canTransition(from: TaskInstanceState, to: TaskInstanceState): boolean {
  return TRANSITIONS[from].includes(to);
}
