import type { TaskInstanceState } from "../../metadata/task-store.js";
import type { TriggerRule } from "../task-options.js";
import { FAILED_STATES, isTerminal } from "./task-states.js";

/** What a pending task instance does next, given its upstream tasks' states. */
export type TriggerDecision = "wait" | "run" | "skipped" | "upstream_failed";

/**
 * Airflow's trigger rules over the states of the tasks a task depends on. "Failed" counts
 * `failed` and `upstream_failed`. A task without upstream tasks runs at once.
 *
 * - all_success: all succeeded; any failed → upstream_failed; else any skipped → skipped.
 * - all_failed: all failed; any succeeded or skipped → skipped.
 * - all_done: all finished, whatever the outcome.
 * - one_success: as soon as one succeeded; all done without one → upstream_failed if any failed, else skipped.
 * - one_failed: as soon as one failed; all done without one → skipped.
 * - none_failed: all done and none failed (skips are fine); any failed → upstream_failed.
 * - none_skipped: all done and none skipped; any skipped → skipped.
 */
export function evaluateTriggerRule(
  rule: TriggerRule,
  upstream: readonly TaskInstanceState[],
): TriggerDecision {
  const total = upstream.length;
  if (total === 0) return "run";
  let success = 0;
  let failed = 0;
  let skipped = 0;
  let done = 0;
  for (const state of upstream) {
    if (!isTerminal(state)) continue;
    done++;
    if (state === "success") success++;
    else if (FAILED_STATES.has(state)) failed++;
    else skipped++;
  }
  const allDone = done === total;
  switch (rule) {
    case "all_success":
      if (failed > 0) return "upstream_failed";
      if (skipped > 0) return "skipped";
      return success === total ? "run" : "wait";
    case "all_failed":
      if (success > 0 || skipped > 0) return "skipped";
      return failed === total ? "run" : "wait";
    case "all_done":
      return allDone ? "run" : "wait";
    case "one_success":
      if (success > 0) return "run";
      if (!allDone) return "wait";
      return failed > 0 ? "upstream_failed" : "skipped";
    case "one_failed":
      if (failed > 0) return "run";
      return allDone ? "skipped" : "wait";
    case "none_failed":
      if (failed > 0) return "upstream_failed";
      return allDone ? "run" : "wait";
    case "none_skipped":
      if (skipped > 0) return "skipped";
      return allDone ? "run" : "wait";
  }
}
