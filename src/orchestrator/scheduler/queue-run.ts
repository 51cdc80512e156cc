import type { Clock } from "../../core/clock.js";
import type { DataInterval } from "../../core/interval.js";
import type { MetadataStore, RunRecord, RunType } from "../../metadata/metadata-store.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { createRun } from "../executor/create-run.js";

export interface QueueRunOptions {
  pipeline: PipelineDefinition;
  store: MetadataStore;
  clock: Clock;
  logicalDate: Date;
  runType: RunType;
  /** Default: the schedule's interval for a cron pipeline, the logical date's UTC day otherwise. */
  interval?: DataInterval;
  params?: Record<string, string>;
  /** Default: derived from the run type, pipeline and logical date (see `scheduledRunId`). */
  runId?: string;
}

/**
 * The id of the scheduler's run for a logical date, like Airflow's `scheduled__<date>`.
 * Deterministic on purpose: two schedulers sharing a store that both find a date due try
 * to insert the same primary key, so only one run is created.
 */
export function scheduledRunId(runType: RunType, pipelineId: string, logicalDate: Date): string {
  const stamp = logicalDate.toISOString().replace(/[-:]/g, "").replace(".000Z", "Z");
  return `${runType === "scheduled" ? "sch" : runType === "dataset_triggered" ? "dst" : "bkf"}_${pipelineId}_${stamp}`;
}

/**
 * Records a queued run with its task instances (pending), for an executor to claim later.
 * Returns undefined when a run with that id exists already (another scheduler was first).
 */
export async function queueRun(options: QueueRunOptions): Promise<RunRecord | undefined> {
  const { pipeline, store, clock, logicalDate } = options;
  const id = options.runId ?? scheduledRunId(options.runType, pipeline.id, logicalDate);
  if (await store.runs.get(id)) return undefined;
  try {
    return await createRun({
      pipeline,
      store,
      clock,
      id,
      logicalDate,
      runType: options.runType,
      ...(options.interval ? { interval: options.interval } : {}),
      ...(options.params ? { params: options.params } : {}),
    });
  } catch (error) {
    // Lost the race to another scheduler: the run exists now, which is all we wanted.
    if (await store.runs.get(id)) return undefined;
    throw error;
  }
}
