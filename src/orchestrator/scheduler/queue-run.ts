import type { Clock } from "../../core/clock.js";
import { type DataInterval, dailyInterval, formatDate } from "../../core/interval.js";
import type { MetadataStore, RunRecord, RunType } from "../../metadata/metadata-store.js";
import type { PipelineDefinition } from "../define-pipeline.js";

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
  const interval =
    options.interval ??
    (pipeline.schedule.kind === "cron"
      ? pipeline.schedule.interval(logicalDate)
      : dailyInterval(logicalDate));
  const at = clock.now().toISOString();
  const run: RunRecord = {
    id,
    pipeline: pipeline.id,
    logicalDate: formatDate(logicalDate),
    logicalTime: logicalDate.toISOString(),
    intervalStart: interval.start.toISOString(),
    intervalEnd: interval.end.toISOString(),
    state: "queued",
    runType: options.runType,
    queuedAt: at,
    startedAt: at,
    params: { ...(options.params ?? {}) },
  };
  const tasks = pipeline.tasks.map((t) => {
    const policy = pipeline.policies[t.id]!;
    return {
      taskId: t.id,
      mapIndex: -1,
      retries: policy.retries,
      ...(policy.pool ? { pool: policy.pool } : {}),
    };
  });
  try {
    await store.runs.create(run, tasks);
  } catch (error) {
    // Lost the race to another scheduler: the run exists now, which is all we wanted.
    if (await store.runs.get(id)) return undefined;
    throw error;
  }
  return run;
}
