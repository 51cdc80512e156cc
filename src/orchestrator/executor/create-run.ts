import type { Clock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import { type DataInterval, formatDate } from "../../core/interval.js";
import type { MetadataStore, NewTaskInstance, RunRecord, RunType } from "../../metadata/metadata-store.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { alignedRun } from "../run-interval.js";

export interface CreateRunOptions {
  pipeline: PipelineDefinition;
  store: MetadataStore;
  clock: Clock;
  id: string;
  /** Required: a missing or invalid date is refused with a ConfigError. */
  logicalDate: Date | undefined;
  runType: RunType;
  /**
   * The run's data interval, as given (the logical date is then kept as it is). Default:
   * the interval containing the logical date (see `alignedRun`): the schedule's for a cron
   * pipeline, the partition for one partitioned without a schedule, else the UTC day; the
   * run's logical date is then that interval's own, so a date inside an interval names the
   * same run as the interval's start.
   */
  interval?: DataInterval;
  params?: Record<string, string>;
  /**
   * Create it already claimed by this executor (running, owned, heartbeat now), so no
   * other process can start it between its creation and the claim, and a process killed
   * right after creating it leaves a run that goes stale, not one queued forever.
   */
  claimAs?: { owner: string };
}

/** The run holding the logical date, and whether this call created it. */
export interface CreatedRun {
  run: RunRecord;
  /** False when the pipeline already had a run for that logical time: `run` is that one. */
  created: boolean;
}

/**
 * Records a new run with its task instances (pending): queued for an executor to claim,
 * or claimed already (`claimAs`). Every way a run comes to be uses it: `executeRun` for a
 * new run, the scheduler's `queueRun` for a due one, a backfill for each date. A pipeline
 * has one run per logical time: when the date has a run already, nothing is created and
 * that run is returned (`created: false`), so processes racing for a date make one run.
 *
 * @example
 * const { run, created } = await createRun({ pipeline, store, clock, id: newId("run_"), logicalDate, runType: "manual" });
 */
export async function createRun(options: CreateRunOptions): Promise<CreatedRun> {
  const { run, tasks } = newRunOf(options);
  return options.store.runs.createOrGet(run, tasks);
}

/**
 * The run `createRun` would record and its pending task instances, not yet stored (the
 * scheduler stores its runs with `runs.createNext`). Throws the same ConfigErrors.
 */
export function newRunOf(options: Omit<CreateRunOptions, "store">): {
  run: RunRecord;
  tasks: NewTaskInstance[];
} {
  const { pipeline, logicalDate } = options;
  if (!(logicalDate instanceof Date) || Number.isNaN(logicalDate.getTime())) {
    throw new ConfigError(`a new run of pipeline "${pipeline.id}" needs a logical date`);
  }
  const aligned = options.interval
    ? { logicalDate, interval: options.interval }
    : alignedRun(pipeline, logicalDate);
  const { interval } = aligned;
  if (!(interval.start.getTime() < interval.end.getTime())) {
    throw new ConfigError(
      `invalid data interval ${interval.start.toISOString()} .. ${interval.end.toISOString()}: the start must be before the end`,
    );
  }
  const at = options.clock.now().toISOString();
  const claim = options.claimAs
    ? { state: "running" as const, owner: options.claimAs.owner, heartbeatAt: at }
    : {};
  const run: RunRecord = {
    id: options.id,
    pipeline: pipeline.id,
    logicalDate: formatDate(aligned.logicalDate),
    logicalTime: aligned.logicalDate.toISOString(),
    intervalStart: interval.start.toISOString(),
    intervalEnd: interval.end.toISOString(),
    state: "queued",
    runType: options.runType,
    queuedAt: at,
    startedAt: at,
    params: { ...(options.params ?? {}) },
    ...claim,
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
  return { run, tasks };
}
