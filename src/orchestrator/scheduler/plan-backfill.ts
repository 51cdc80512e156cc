import { type Clock, systemClock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import type { MetadataStore, RunRecord } from "../../metadata/metadata-store.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, isRunLive } from "../executor/heartbeat-timing.js";
import { missingPartitions } from "../partitions/missing-partitions.js";
import { RangeSet } from "../partitions/range-set.js";
import { backfillDates } from "../schedule/backfill-dates.js";

/** A date a backfill leaves alone because a live process executes its run now. */
export interface HeldRun {
  /** The logical date as an ISO instant. */
  logicalDate: string;
  runId: string;
  /** The executor running it (`host:pid:id`) and its last heartbeat. */
  owner?: string;
  heartbeatAt?: string;
}

export interface BackfillPlan {
  /** Logical dates that get a new run, oldest first. */
  create: Date[];
  /** Failed runs in the range that will run again (the tasks that did not succeed). */
  rerun: RunRecord[];
  /**
   * Runs in the range that nobody executes: queued (waiting for a scheduler, or left by a
   * killed command), or left running by a process whose heartbeat is stale — reaped (its
   * attempts fail as zombies and retry per policy), then continued.
   */
  resume: RunRecord[];
  /** Every date left alone (`alreadySucceeded` and `held`), oldest first. */
  skipped: Date[];
  /** Dates whose run succeeded. */
  alreadySucceeded: Date[];
  /** Dates whose run a live process (fresh heartbeat) executes now. */
  held: HeldRun[];
}

export interface PlanBackfillOptions {
  pipeline: PipelineDefinition;
  store: MetadataStore;
  /** First logical date (inclusive). */
  from: Date;
  /** Last logical date (inclusive). */
  to: Date;
  /** Failed runs in the range are cleared and run again (their failed tasks only); default true. */
  rerunFailed?: boolean;
  clock?: Clock;
  /** A running run whose heartbeat is older than this is dead (resumed, not held); default 60 s. */
  heartbeatTimeoutMs?: number;
}

/**
 * Plans a backfill without running anything (`weir backfill --dry-run`): for a
 * partitioned pipeline, its partitions in `[from, to]` not yet materialised for every
 * dataset it writes (with a cron schedule, each as the fire time whose interval starts in
 * it); otherwise the schedule's logical dates in `[from, to]`. A date whose run succeeded,
 * or that a live process executes, is skipped; failed runs run again; runs nobody executes
 * (queued, or left running by a dead process) are resumed.
 */
export async function planBackfill(options: PlanBackfillOptions): Promise<BackfillPlan> {
  const { pipeline, store, from, to } = options;
  if (from.getTime() > to.getTime()) {
    throw new ConfigError(
      `backfill range is backwards: --from ${from.toISOString()} is after --to ${to.toISOString()}`,
    );
  }
  const now = (options.clock ?? systemClock).now();
  const timeout = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  // One run per logical date; runs recorded twice before that rule are history (superseded).
  const byTime = new Map<number, RunRecord>();
  for (const run of await store.runs.list({ pipeline: pipeline.id, limit: 1_000_000 })) {
    const t = Date.parse(run.logicalTime);
    if (!run.superseded && t >= from.getTime() && t <= to.getTime()) byTime.set(t, run);
  }
  const plan: BackfillPlan = {
    create: [],
    rerun: [],
    resume: [],
    skipped: [],
    alreadySucceeded: [],
    held: [],
  };
  for (const [time, run] of [...byTime.entries()].sort(([a], [b]) => a - b)) {
    if (run.state === "succeeded") plan.alreadySucceeded.push(new Date(time));
    else if (run.state === "failed") {
      if (options.rerunFailed !== false) plan.rerun.push(run);
    } else if (isRunLive(run, now, timeout)) plan.held.push(heldRun(run));
    else plan.resume.push(run);
  }
  plan.skipped = skippedDates(plan);
  plan.create = (await candidates(pipeline, store, from, to)).filter((d) => !byTime.has(d.getTime()));
  return plan;
}

/** What a report says of a run another process holds. */
export function heldRun(run: RunRecord): HeldRun {
  return {
    logicalDate: run.logicalTime,
    runId: run.id,
    ...(run.owner ? { owner: run.owner } : {}),
    ...(run.heartbeatAt ? { heartbeatAt: run.heartbeatAt } : {}),
  };
}

/** The succeeded and the held dates together, oldest first. */
export function skippedDates(plan: Pick<BackfillPlan, "alreadySucceeded" | "held">): Date[] {
  return [...plan.alreadySucceeded, ...plan.held.map((h) => new Date(h.logicalDate))].sort(
    (a, b) => a.getTime() - b.getTime(),
  );
}

/** The dates the backfill is about, with or without a run. */
async function candidates(
  pipeline: PipelineDefinition,
  store: MetadataStore,
  from: Date,
  to: Date,
): Promise<Date[]> {
  if (pipeline.partitions) {
    // One run per missing partition; with a cron schedule, the fire time whose interval starts in it.
    const schedule = pipeline.schedule;
    return (await missingOf(pipeline, store, from, to)).map((start) =>
      schedule.kind === "cron" ? (schedule.ceil(start) ?? start) : start,
    );
  }
  if (pipeline.schedule.kind === "cron") return backfillDates({ schedule: pipeline.schedule, from, to });
  throw new ConfigError(
    `pipeline "${pipeline.id}" has neither a cron schedule nor time partitions: a backfill has no dates to plan (use weir run --date)`,
    { details: { pipeline: pipeline.id } },
  );
}

/** Partitions of the range not materialised for every dataset the pipeline writes. */
async function missingOf(
  pipeline: PipelineDefinition,
  store: MetadataStore,
  from: Date,
  to: Date,
): Promise<Date[]> {
  const scheme = pipeline.partitions!;
  const end = scheme.partitionOf(to).end;
  const writes = [...new Set(pipeline.tasks.flatMap((t) => t.datasets.writes))];
  if (writes.length === 0) return scheme.partitionsBetween(from, end).map((p) => p.start);
  const starts = new Map<number, Date>();
  for (const dataset of writes) {
    const done = RangeSet.of(
      (await store.datasets.materialised(dataset)).map((r) => ({
        start: new Date(r.start),
        end: new Date(r.end),
      })),
    );
    for (const p of missingPartitions(scheme, done, from, end)) starts.set(p.start.getTime(), p.start);
  }
  return [...starts.values()].sort((a, b) => a.getTime() - b.getTime());
}
