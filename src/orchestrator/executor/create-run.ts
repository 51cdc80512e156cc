import type { Clock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import { type DataInterval, dailyInterval, formatDate } from "../../core/interval.js";
import type { MetadataStore, RunRecord, RunType } from "../../metadata/metadata-store.js";
import type { PipelineDefinition } from "../define-pipeline.js";

export interface CreateRunOptions {
  pipeline: PipelineDefinition;
  store: MetadataStore;
  clock: Clock;
  id: string;
  /** Required: a missing or invalid date is refused with a ConfigError. */
  logicalDate: Date | undefined;
  runType: RunType;
  /** Default: the schedule's interval for a cron pipeline, the logical date's UTC day otherwise. */
  interval?: DataInterval;
  params?: Record<string, string>;
}

/**
 * Records a new queued run with its task instances (pending), for an executor to claim.
 * Both ways a run comes to be use it: `executeRun` for a new run, and the scheduler's
 * `queueRun` for a due one. Throws what the store throws when the id is taken.
 *
 * @example
 * const run = await createRun({ pipeline, store, clock, id: newId("run_"), logicalDate, runType: "manual" });
 */
export async function createRun(options: CreateRunOptions): Promise<RunRecord> {
  const { pipeline, store, logicalDate } = options;
  if (!(logicalDate instanceof Date) || Number.isNaN(logicalDate.getTime())) {
    throw new ConfigError(`a new run of pipeline "${pipeline.id}" needs a logical date`);
  }
  const interval =
    options.interval ??
    (pipeline.schedule.kind === "cron"
      ? pipeline.schedule.interval(logicalDate)
      : dailyInterval(logicalDate));
  if (!(interval.start.getTime() < interval.end.getTime())) {
    throw new ConfigError(
      `invalid data interval ${interval.start.toISOString()} .. ${interval.end.toISOString()}: the start must be before the end`,
    );
  }
  const at = options.clock.now().toISOString();
  const run: RunRecord = {
    id: options.id,
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
  await store.runs.create(run, tasks);
  return run;
}
