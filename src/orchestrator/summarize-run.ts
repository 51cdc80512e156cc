import type { WeirError } from "../core/errors.js";
import type { PipelineDefinition } from "./define-pipeline.js";
import { addDatasetCounts } from "./executor/dataset-counts.js";
import type {
  DatasetCounts,
  DatasetSummary,
  RunOutcome,
  RunOutput,
  RunSummary,
  TaskSummary,
} from "./run-events.js";

export interface SummarizeInput {
  runId: string;
  pipeline: PipelineDefinition;
  logicalDate: string;
  durationMs: number;
  tasks: TaskSummary[];
  outputs: RunOutput[];
  /** The run's state when the executor decided it; default: succeeded when every task succeeded. */
  state?: RunOutcome;
  error?: WeirError;
}

/**
 * Totals for a run, and its reconciliation per dataset: for each dataset whose rows were
 * both extracted and loaded, extracted = loaded + quarantined. Rows into the first tasks
 * and out of the last are never compared: a pipeline that aggregates writes fewer rows
 * than it reads by design, and that is not a loss.
 */
export function summarizeRun(input: SummarizeInput): RunSummary {
  const { pipeline, tasks } = input;
  const state = input.state ?? (tasks.every((t) => t.state === "succeeded") ? "succeeded" : "failed");
  const datasets = datasetSummaries(tasks, state === "succeeded");
  let quarantined = 0;
  const quarantinedByCheck: Record<string, number> = {};
  for (const task of tasks) {
    for (const [check, n] of Object.entries(task.quarantined)) {
      quarantined += n;
      quarantinedByCheck[check] = (quarantinedByCheck[check] ?? 0) + n;
    }
  }
  const judged = datasets.filter((d) => d.reconciled !== undefined);
  return {
    runId: input.runId,
    pipeline: pipeline.id,
    logicalDate: input.logicalDate,
    state,
    durationMs: input.durationMs,
    rows: { ...totals(pipeline, tasks, datasets), quarantined, quarantinedByCheck },
    datasets,
    ...(judged.length > 0 ? { reconciled: judged.every((d) => d.reconciled) } : {}),
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

/** Each dataset's rows summed over the tasks, by name; judged only when `judge` (the run succeeded). */
function datasetSummaries(tasks: readonly TaskSummary[], judge: boolean): DatasetSummary[] {
  const sums: Record<string, DatasetCounts> = Object.create(null);
  for (const task of tasks) addDatasetCounts(sums, task.datasets ?? {});
  return Object.entries(sums)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([dataset, counts]) => {
      const d: DatasetSummary = {
        dataset,
        quarantined: counts.quarantined ?? 0,
        quarantinedByCheck: counts.quarantinedByCheck ?? {},
        into: counts.into ?? [],
      };
      if (counts.extracted !== undefined) d.extracted = counts.extracted;
      if (counts.loaded !== undefined) d.loaded = counts.loaded;
      if (judge && d.extracted !== undefined && d.loaded !== undefined)
        d.reconciled = d.extracted === d.loaded + d.quarantined;
      return d;
    });
}

/**
 * The run's extracted and loaded rows: the datasets' sums when tasks recorded datasets;
 * otherwise rows into the root tasks and out of the leaf tasks (listed, not compared).
 */
function totals(
  pipeline: PipelineDefinition,
  tasks: readonly TaskSummary[],
  datasets: readonly DatasetSummary[],
): { extracted: number; loaded: number } {
  if (datasets.some((d) => d.extracted !== undefined || d.loaded !== undefined)) {
    return {
      extracted: datasets.reduce((n, d) => n + (d.extracted ?? 0), 0),
      loaded: datasets.reduce((n, d) => n + (d.loaded ?? 0), 0),
    };
  }
  const roots = new Set(pipeline.tasks.filter((t) => t.dependsOn.length === 0).map((t) => t.id));
  const upstream = new Set(pipeline.tasks.flatMap((t) => t.dependsOn));
  let extracted = 0;
  let loaded = 0;
  for (const task of tasks) {
    if (roots.has(task.id)) extracted += task.rows.in ?? 0;
    if (!upstream.has(task.id)) loaded += task.rows.out ?? 0;
  }
  return { extracted, loaded };
}
