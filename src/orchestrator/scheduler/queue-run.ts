import type { Clock } from "../../core/clock.js";
import type { DataInterval } from "../../core/interval.js";
import type { MetadataStore, RunRecord, RunType } from "../../metadata/metadata-store.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { createRun, newRunOf } from "../executor/create-run.js";

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
  /**
   * Queue it only as the next run of its type: when the pipeline's latest run of that type
   * still has this logical time (`{ logicalTime: undefined }`: there is none yet), checked
   * under the pipeline's lock (`runs.createNext`). How a scheduler keeps another one that
   * read the same latest run, but picked a different next date, from queueing it too.
   */
  after?: { logicalTime: string | undefined };
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
 * or a manual run or a backfill holds the date): one run per pipeline and logical time;
 * and, with `after`, when another scheduler queued the next run of its type first.
 */
export async function queueRun(options: QueueRunOptions): Promise<RunRecord | undefined> {
  const { pipeline, store, clock, logicalDate } = options;
  const spec = {
    pipeline,
    store,
    clock,
    id: options.runId ?? scheduledRunId(options.runType, pipeline.id, logicalDate),
    logicalDate,
    runType: options.runType,
    ...(options.interval ? { interval: options.interval } : {}),
    ...(options.params ? { params: options.params } : {}),
  };
  if (options.after) {
    const { run, tasks } = newRunOf(spec);
    return (await store.runs.createNext(run, tasks, options.after.logicalTime)) ? run : undefined;
  }
  const { run, created } = await createRun(spec);
  return created ? run : undefined;
}
