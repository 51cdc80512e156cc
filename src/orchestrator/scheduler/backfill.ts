import type { Clock } from "../../core/clock.js";
import { ConfigError, messageOf } from "../../core/errors.js";
import { type Logger, silentLogger, warn } from "../../core/log.js";
import type { Engine } from "../../engines/engine.js";
import type { Lake } from "../../lake/lake.js";
import type { MetadataStore, RunRecord, RunState } from "../../metadata/metadata-store.js";
import type { Notification } from "../../notifications/notification.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { executeRun } from "../executor/execute-run.js";
import { clearTasks } from "../executor/resume-run.js";
import type { RunResult } from "../executor/run-result.js";
import { missingPartitions } from "../partitions/missing-partitions.js";
import { RangeSet } from "../partitions/range-set.js";
import type { RunEventListener } from "../run-events.js";
import { backfillDates } from "../schedule/backfill-dates.js";

export interface BackfillOptions {
  pipeline: PipelineDefinition;
  store: MetadataStore;
  runtime: { engine: Engine; lake: Lake };
  /** First logical date (inclusive). */
  from: Date;
  /** Last logical date (inclusive). */
  to: Date;
  /** Runs executing at once; default the pipeline's `maxActiveRuns`. */
  concurrency?: number;
  params?: Record<string, string>;
  /** Failed runs in the range are cleared and run again (their failed tasks only); default true. */
  rerunFailed?: boolean;
  clock?: Clock;
  signal?: AbortSignal;
  /** Subscribers to every run's events. */
  listeners?: readonly RunEventListener[];
  notify?: (notification: Notification) => Promise<void>;
  logger?: Logger;
  pipelineFile?: string;
  /** Called as each run finishes (progress output). */
  onRunFinished?: (result: RunResult, logicalDate: Date) => void;
}

export interface BackfillPlan {
  /** Logical dates that get a new run, oldest first. */
  create: Date[];
  /** Failed runs in the range that will run again. */
  rerun: RunRecord[];
  /** Logical dates left alone: they have a run that succeeded, or is queued or running. */
  skipped: Date[];
}

export interface BackfillReport extends BackfillPlan {
  succeeded: number;
  failed: number;
  /** Runs stopped by the signal before they finished (resumable). */
  interrupted: number;
  /** One entry per run executed, in logical-date order. */
  runs: { runId: string; logicalDate: string; state: RunResult["state"] | "interrupted" }[];
  durationMs: number;
}

const KEEP: readonly RunState[] = ["succeeded", "queued", "running"];

/**
 * Plans a backfill without running anything (`weir backfill --dry-run`): for a
 * partitioned pipeline, its partitions in `[from, to]` not yet materialised for every
 * dataset it writes (with a cron schedule, each as the fire time whose interval starts in
 * it); otherwise the schedule's logical dates in `[from, to]`. Dates that already have a
 * run that succeeded or is under way are left out; failed runs are listed to run again.
 */
export async function planBackfill(
  options: Pick<BackfillOptions, "pipeline" | "store" | "from" | "to" | "rerunFailed">,
): Promise<BackfillPlan> {
  const { pipeline, store, from, to } = options;
  if (from.getTime() > to.getTime()) {
    throw new ConfigError(
      `backfill range is backwards: --from ${from.toISOString()} is after --to ${to.toISOString()}`,
    );
  }
  const inRange = (await store.runs.list({ pipeline: pipeline.id, limit: 1_000_000 })).filter((r) => {
    const t = Date.parse(r.logicalTime);
    return t >= from.getTime() && t <= to.getTime();
  });
  // The newest run of a logical date decides (an earlier failure may have been re-run since).
  const byTime = new Map<number, RunRecord>();
  for (const run of [...inRange].sort((a, b) => (a.queuedAt < b.queuedAt ? -1 : 1))) {
    byTime.set(Date.parse(run.logicalTime), run);
  }
  const kept = [...byTime.entries()].filter(([, r]) => KEEP.includes(r.state)).map(([t]) => new Date(t));
  const rerun = options.rerunFailed === false ? [] : [...byTime.values()].filter((r) => r.state === "failed");
  const taken = new Set([...byTime.keys()]);
  let candidates: Date[];
  if (pipeline.partitions) {
    // One run per missing partition; with a cron schedule, the fire time whose interval starts in it.
    const schedule = pipeline.schedule;
    candidates = (await missingOf(pipeline, store, from, to)).map((start) =>
      schedule.kind === "cron" ? (schedule.ceil(start) ?? start) : start,
    );
  } else if (pipeline.schedule.kind === "cron") {
    candidates = backfillDates({ schedule: pipeline.schedule, from, to });
  } else {
    throw new ConfigError(
      `pipeline "${pipeline.id}" has neither a cron schedule nor time partitions: a backfill has no dates to plan (use weir run --date)`,
      { details: { pipeline: pipeline.id } },
    );
  }
  const create = candidates.filter((d) => !taken.has(d.getTime()));
  return { create, rerun, skipped: kept.sort((a, b) => a.getTime() - b.getTime()) };
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

/**
 * Runs a backfill (`weir backfill`): creates a `backfill` run for every planned logical
 * date and executes them oldest first, `concurrency` at once, re-running failed ones.
 * A failed run does not stop the others. Aborting `signal` stops starting new runs and
 * releases the running ones (they stay resumable).
 *
 * @example
 * const report = await runBackfill({ pipeline, store, runtime, from: parseLogicalDate("2024-01-01"),
 *   to: parseLogicalDate("2024-12-31"), concurrency: 4 });
 */
export async function runBackfill(options: BackfillOptions): Promise<BackfillReport> {
  const started = performance.now();
  const plan = await planBackfill(options);
  const concurrency = options.concurrency ?? options.pipeline.maxActiveRuns;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new ConfigError(`backfill concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  const logger = options.logger ?? silentLogger;
  for (const run of plan.rerun) await clearTasks(options.store, options.pipeline, run.id);
  const work = [
    ...plan.rerun.map((r) => ({ date: new Date(r.logicalTime), runId: r.id as string | undefined })),
    ...plan.create.map((date) => ({ date, runId: undefined as string | undefined })),
  ].sort((a, b) => a.date.getTime() - b.date.getTime());
  const results: {
    runId: string;
    logicalDate: string;
    state: RunResult["state"] | "interrupted";
    at: number;
  }[] = [];
  let next = 0;
  const common = {
    pipeline: options.pipeline,
    store: options.store,
    runtime: options.runtime,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.listeners ? { listeners: options.listeners } : {}),
    ...(options.notify ? { notify: options.notify } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.pipelineFile ? { pipelineFile: options.pipelineFile } : {}),
  };
  const worker = async () => {
    while (next < work.length && !options.signal?.aborted) {
      const item = work[next++]!;
      try {
        const result = await executeRun(
          item.runId
            ? { ...common, runId: item.runId }
            : {
                ...common,
                logicalDate: item.date,
                ...partitionInterval(options.pipeline, item.date),
                runType: "backfill",
                params: { ...(options.params ?? {}) },
              },
        );
        results.push({
          runId: result.runId,
          logicalDate: item.date.toISOString(),
          state: result.interrupted ? "interrupted" : result.state,
          at: item.date.getTime(),
        });
        options.onRunFinished?.(result, item.date);
      } catch (error) {
        // A run that could not even start (another executor owns it): note it, go on.
        warn(logger, `backfill run for ${item.date.toISOString()} did not execute: ${messageOf(error)}`, {
          pipeline: options.pipeline.id,
        });
        results.push({
          runId: item.runId ?? "",
          logicalDate: item.date.toISOString(),
          state: "failed",
          at: item.date.getTime(),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, work.length)) }, worker));
  results.sort((a, b) => a.at - b.at);
  return {
    ...plan,
    succeeded: results.filter((r) => r.state === "succeeded").length,
    failed: results.filter((r) => r.state === "failed").length,
    interrupted: results.filter((r) => r.state === "interrupted").length,
    runs: results.map(({ at: _at, ...r }) => r),
    durationMs: Math.round(performance.now() - started),
  };
}

/** A partitioned pipeline without a cron schedule: the run's interval is its partition. */
function partitionInterval(
  pipeline: PipelineDefinition,
  date: Date,
): { interval?: { start: Date; end: Date } } {
  if (!pipeline.partitions || pipeline.schedule.kind === "cron") return {};
  const { start, end } = pipeline.partitions.partitionOf(date);
  return { interval: { start, end } };
}
