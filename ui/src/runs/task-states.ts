import type { TaskInstance } from "../api/types.js";

/** A task's state across its mapped instances: the most urgent one wins. */
const PRECEDENCE = [
  "failed",
  "upstream_failed",
  "running",
  "up_for_retry",
  "queued",
  "scheduled",
  "none",
  "skipped",
  "success",
  "succeeded",
];

export function taskState(instances: readonly TaskInstance[]): string {
  let best = instances[0]?.state ?? "none";
  for (const instance of instances) {
    const rank = PRECEDENCE.indexOf(instance.state);
    const bestRank = PRECEDENCE.indexOf(best);
    if (rank !== -1 && (bestRank === -1 || rank < bestRank)) best = instance.state;
  }
  return best;
}

/** Task ids in the order the run lists them, each with its instances. */
export function groupByTask(tasks: readonly TaskInstance[]): Map<string, TaskInstance[]> {
  const grouped = new Map<string, TaskInstance[]>();
  for (const task of tasks) {
    const list = grouped.get(task.taskId) ?? [];
    list.push(task);
    grouped.set(task.taskId, list);
  }
  return grouped;
}
