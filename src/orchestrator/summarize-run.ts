import type { WeirError } from "../core/errors.js";
import type { PipelineDefinition } from "./define-pipeline.js";
import type { FinalRunState, RunOutput, RunSummary, TaskSummary } from "./run-events.js";

export interface SummarizeInput {
  runId: string;
  pipeline: PipelineDefinition;
  logicalDate: string;
  durationMs: number;
  tasks: TaskSummary[];
  outputs: RunOutput[];
  /** The run's state when the executor decided it; default: succeeded when every task succeeded. */
  state?: FinalRunState;
  error?: WeirError;
}

/**
 * Totals for a run: rows in at the roots, rows out at the leaves, quarantined rows
 * everywhere, and whether they reconcile (in = out + quarantined).
 */
export function summarizeRun(input: SummarizeInput): RunSummary {
  const { pipeline, tasks } = input;
  const roots = new Set(pipeline.tasks.filter((t) => t.dependsOn.length === 0).map((t) => t.id));
  const upstreamOfSomething = new Set(pipeline.tasks.flatMap((t) => t.dependsOn));
  const leaves = new Set(pipeline.tasks.filter((t) => !upstreamOfSomething.has(t.id)).map((t) => t.id));
  let extracted = 0;
  let loaded = 0;
  let quarantined = 0;
  const quarantinedByCheck: Record<string, number> = {};
  for (const task of tasks) {
    if (roots.has(task.id)) extracted += task.rows.in ?? 0;
    if (leaves.has(task.id)) loaded += task.rows.out ?? 0;
    for (const [check, n] of Object.entries(task.quarantined)) {
      quarantined += n;
      quarantinedByCheck[check] = (quarantinedByCheck[check] ?? 0) + n;
    }
  }
  const state = input.state ?? (tasks.every((t) => t.state === "succeeded") ? "succeeded" : "failed");
  return {
    runId: input.runId,
    pipeline: pipeline.id,
    logicalDate: input.logicalDate,
    state,
    durationMs: input.durationMs,
    rows: { extracted, loaded, quarantined, quarantinedByCheck },
    reconciled: state === "succeeded" && extracted === loaded + quarantined,
    tasks,
    outputs: input.outputs,
    ...(input.error
      ? {
          error: {
            taskId: input.error.details.taskId === undefined ? "" : String(input.error.details.taskId),
            code: input.error.code,
            message: input.error.message,
          },
        }
      : {}),
  };
}
