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
 * Deterministic, so the run of a date has the same name whichever scheduler queued it
 * (the store's one-run-per-logical-time key is what keeps two schedulers from both
 * creating it).
 */
export function scheduledRunId(runType: RunType, pipelineId: string, logicalDate: Date): string {
  const stamp = logicalDate.toISOString().replace(/[-:]/g, "").replace(".000Z", "Z");
  return `${runType === "scheduled" ? "sch" : runType === "dataset_triggered" ? "dst" : "bkf"}_${pipelineId}_${stamp}`;
}

/**
 * Records a queued run with its task instances (pending), for an executor to claim later.
 * Returns undefined when the logical date has a run already (another scheduler was first,
 * or a manual run or a backfill holds the date): one run per pipeline and logical time.
 */
export async function queueRun(options: QueueRunOptions): Promise<RunRecord | undefined> {
  const { pipeline, store, clock, logicalDate } = options;
  const { run, created } = await createRun({
    pipeline,
    store,
    clock,
    id: options.runId ?? scheduledRunId(options.runType, pipeline.id, logicalDate),
    logicalDate,
    runType: options.runType,
    ...(options.interval ? { interval: options.interval } : {}),
    ...(options.params ? { params: options.params } : {}),
  });
  return created ? run : undefined;
}
