import { PipelineError } from "../core/errors.js";

interface TaskNode {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/**
 * Validates a pipeline's DAG and returns its task ids in topological order. Among tasks
 * that are ready at the same time, declaration order wins, so the order is stable.
 *
 * Throws PIPELINE_INVALID for an empty pipeline, a duplicate id, a dependency on an
 * unknown task and a cycle, which is named by its path (`extract → land → extract`).
 */
export function planPipeline(pipelineId: string, tasks: readonly TaskNode[]): string[] {
  if (!Array.isArray(tasks) || tasks.length === 0) {
    throw new PipelineError("PIPELINE_INVALID", `pipeline "${pipelineId}" has no tasks`, {
      details: { pipelineId },
    });
  }
  const byId = new Map<string, TaskNode>();
  for (const task of tasks) {
    if (byId.has(task.id)) {
      throw new PipelineError(
        "PIPELINE_INVALID",
        `pipeline "${pipelineId}" declares task "${task.id}" twice`,
        {
          details: { pipelineId, taskId: task.id },
        },
      );
    }
    byId.set(task.id, task);
  }
  for (const task of tasks) {
    for (const dep of task.dependsOn) {
      if (!byId.has(dep)) {
        const known = [...byId.keys()].join(", ");
        throw new PipelineError(
          "PIPELINE_INVALID",
          `task "${task.id}" of pipeline "${pipelineId}" depends on unknown task "${dep}" (tasks: ${known})`,
          { details: { pipelineId, taskId: task.id, dependency: dep } },
        );
      }
    }
  }
  const cycle = findCycle(tasks, byId);
  if (cycle) {
    throw new PipelineError(
      "PIPELINE_INVALID",
      `pipeline "${pipelineId}" has a cycle: ${cycle.join(" → ")}`,
      {
        details: { pipelineId, cycle },
      },
    );
  }
  // Kahn's algorithm, always picking the earliest-declared ready task.
  const remaining = new Map(tasks.map((t) => [t.id, new Set(t.dependsOn)]));
  const order: string[] = [];
  while (remaining.size > 0) {
    const next = tasks.find((t) => remaining.get(t.id)?.size === 0);
    if (!next)
      throw new PipelineError(
        "INTERNAL",
        `pipeline "${pipelineId}": no ready task although no cycle was found`,
      );
    order.push(next.id);
    remaining.delete(next.id);
    for (const deps of remaining.values()) deps.delete(next.id);
  }
  return order;
}

/** Depth-first search with an explicit path, so the cycle can be reported edge by edge. */
function findCycle(tasks: readonly TaskNode[], byId: Map<string, TaskNode>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const s = state.get(id);
    if (s === "done") return undefined;
    if (s === "visiting") return [...path.slice(path.indexOf(id)), id];
    state.set(id, "visiting");
    path.push(id);
    for (const dep of byId.get(id)!.dependsOn) {
      const found = visit(dep);
      if (found) return found;
    }
    path.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const task of tasks) {
    const found = visit(task.id);
    // The walk follows dependsOn (downstream → upstream); report in data-flow order.
    if (found) return found.reverse();
  }
  return undefined;
}
