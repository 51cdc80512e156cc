import { hostname } from "node:os";
import { type Clock, systemClock } from "../../core/clock.js";
import { ConfigError, messageOf, WeirError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import { type Logger, silentLogger, warn } from "../../core/log.js";
import type { MetadataStore, RunRecord } from "../../metadata/metadata-store.js";
import type { Notification } from "../../notifications/notification.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { createRun } from "../executor/create-run.js";
import type { ExecuteRunOptions } from "../executor/execute-run.js";
import { executeRun } from "../executor/execute-run.js";
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, isRunLive } from "../executor/heartbeat-timing.js";
import { reapZombies } from "../executor/reap-zombies.js";
import { clearTasks } from "../executor/resume-run.js";
import type { RunResult } from "../executor/run-result.js";
import type { RunEventListener } from "../run-events.js";
import { type BackfillPlan, type HeldRun, heldRun, planBackfill, skippedDates } from "./plan-backfill.js";

export { type BackfillPlan, type HeldRun, type PlanBackfillOptions, planBackfill } from "./plan-backfill.js";

export interface BackfillOptions {
  pipeline: PipelineDefinition;
  store: MetadataStore;
  runtime: ExecuteRunOptions["runtime"];
  /** First logical date (inclusive). */
  from: Date;
  /** Last logical date (inclusive). */
  to: Date;
  /**
   * Runs executing at once; default 1 (`DEFAULT_BACKFILL_CONCURRENCY`). As in Airflow 3, a
   * backfill's concurrency is its own, not the pipeline's `maxActiveRuns` (which limits
   * the scheduler): the runs share this process and one warehouse, and a pipeline that
   * stages into fixed table names cannot run two dates at once. Pipelines that stage per
   * run (`ctx.stagingTable`, `ctx.extract`) can: ask for more.
   */
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
  /** A run or attempt without a heartbeat for this long is dead: reaped and redone; default 60 s. */
  heartbeatTimeoutMs?: number;
  /** Where the runs' task attempts run (the distributed executor's queue); default this process. */
  taskRunner?: ExecuteRunOptions["taskRunner"];
  /** Called once the plan is made, before any run starts, with the concurrency it runs at (progress output). */
  onPlan?: (plan: BackfillPlan, concurrency: number) => void;
  /** Called as each run finishes (progress output). */
  onRunFinished?: (result: RunResult, logicalDate: Date) => void;
}

/** Runs a backfill executes at once unless told otherwise (see `BackfillOptions.concurrency`). */
export const DEFAULT_BACKFILL_CONCURRENCY = 1;

/** A run a process left running and then died (its heartbeat went stale), reaped and run again. */
export interface ReapedRun {
  runId: string;
  /** The logical date as an ISO instant. */
  logicalDate: string;
  owner?: string;
  lastHeartbeat?: string;
}

/**
 * What a backfill did. `skipped`, `alreadySucceeded` and `held` also count the dates found
 * done or taken by another live process while it ran (it planned them, another process
 * got there first).
 */
export interface BackfillReport extends BackfillPlan {
  succeeded: number;
  failed: number;
  /** Runs stopped by the signal before they finished (resumable). */
  interrupted: number;
  /** One entry per run executed, in logical-date order. */
  runs: {
    runId: string;
    logicalDate: string;
    state: RunResult["state"];
    durationMs?: number;
    /** Why a failed run failed (its first error). */
    error?: string;
  }[];
  /** Runs left running by a dead process that this backfill reaped and ran again. */
  reaped: ReapedRun[];
  durationMs: number;
}

type DateOutcome =
  | { kind: "ran"; result: RunResult; reaped?: ReapedRun }
  | { kind: "succeeded" }
  | { kind: "held"; held: HeldRun }
  | { kind: "left" };

/**
 * Runs a backfill (`weir backfill`): reaps dead attempts, plans, then executes every
 * planned date oldest first, `concurrency` at once. Each date's run is created with an
 * insert-or-get already claimed by this process, so backfills racing over the same dates
 * run each date once; a date another process got first is skipped when its run succeeded
 * or a live process holds it (both reported), and taken over when that process is dead.
 * Failed runs run their failed tasks again. A failed run does not stop the others.
 * Aborting `signal` stops starting new runs and releases the running ones (resumable).
 *
 * @example
 * const report = await runBackfill({ pipeline, store, runtime, from: parseLogicalDate("2024-01-01"),
 *   to: parseLogicalDate("2024-12-31"), concurrency: 4 });
 */
export async function runBackfill(options: BackfillOptions): Promise<BackfillReport> {
  const started = performance.now();
  const clock = options.clock ?? systemClock;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  const concurrency = options.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new ConfigError(`backfill concurrency must be a whole number of at least 1, got ${concurrency}`);
  }
  // Dead attempts first, so their runs plan as "resume", not as under way.
  await reapZombies(options.store, clock, heartbeatTimeoutMs);
  const plan = await planBackfill({ ...options, clock, heartbeatTimeoutMs });
  const logger = options.logger ?? silentLogger;
  options.onPlan?.(plan, concurrency);
  const work = [...plan.rerun, ...plan.resume]
    .map((r) => new Date(r.logicalTime))
    .concat(plan.create)
    .sort((a, b) => a.getTime() - b.getTime());
  const report: BackfillReport = {
    ...plan,
    alreadySucceeded: [...plan.alreadySucceeded],
    held: [...plan.held],
    succeeded: 0,
    failed: 0,
    interrupted: 0,
    runs: [],
    reaped: [],
    durationMs: 0,
  };
  let next = 0;
  const worker = async () => {
    while (next < work.length && !options.signal?.aborted) {
      const date = work[next++]!;
      try {
        const outcome = await backfillDate(date, options, clock, heartbeatTimeoutMs);
        if (outcome.kind === "succeeded") report.alreadySucceeded.push(date);
        else if (outcome.kind === "held") report.held.push(outcome.held);
        else if (outcome.kind === "ran") {
          const { result } = outcome;
          if (outcome.reaped) report.reaped.push(outcome.reaped);
          report.runs.push({
            runId: result.runId,
            logicalDate: date.toISOString(),
            state: result.state,
            durationMs: result.summary.durationMs,
            ...(result.error && result.state === "failed" ? { error: result.error.message } : {}),
          });
          options.onRunFinished?.(result, date);
        }
      } catch (error) {
        // A run that could not even start (the store failed): note it, go on.
        warn(logger, `backfill run for ${date.toISOString()} did not execute: ${messageOf(error)}`, {
          pipeline: options.pipeline.id,
        });
        report.runs.push({ runId: "", logicalDate: date.toISOString(), state: "failed" });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, work.length)) }, worker));
  const byDate = (a: { logicalDate: string }, b: { logicalDate: string }) =>
    a.logicalDate < b.logicalDate ? -1 : 1;
  report.runs.sort(byDate);
  report.held.sort(byDate);
  report.reaped.sort(byDate);
  report.alreadySucceeded.sort((a, b) => a.getTime() - b.getTime());
  report.skipped = skippedDates(report);
  report.succeeded = report.runs.filter((r) => r.state === "succeeded").length;
  report.failed = report.runs.filter((r) => r.state === "failed").length;
  report.interrupted = report.runs.filter((r) => r.state === "interrupted").length;
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

/**
 * One date: its run is created claimed by this process (insert-or-get), or the run that
 * holds the date already is handled by its state — succeeded: skipped; failed: its failed
 * tasks cleared and run again; running with a fresh heartbeat: held by that process,
 * skipped; running with a stale one, or queued: claimed and continued.
 */
async function backfillDate(
  date: Date,
  options: BackfillOptions,
  clock: Clock,
  heartbeatTimeoutMs: number,
): Promise<DateOutcome> {
  const { pipeline, store } = options;
  const owner = `${hostname()}:${process.pid}:${newId()}`;
  const { run, created } = await createRun({
    pipeline,
    store,
    clock,
    id: newId("run_"),
    logicalDate: date,
    runType: "backfill",
    params: { ...(options.params ?? {}) },
    ...partitionInterval(pipeline, date),
    claimAs: { owner },
  });
  let reaped: ReapedRun | undefined;
  try {
    if (!created) {
      if (run.state === "succeeded") return { kind: "succeeded" };
      if (run.state === "failed") {
        if (options.rerunFailed === false) return { kind: "left" };
        await clearTasks(store, pipeline, run.id);
      }
      if (run.state === "running") {
        if (isRunLive(run, clock.now(), heartbeatTimeoutMs)) return { kind: "held", held: heldRun(run) };
        reaped = {
          runId: run.id,
          logicalDate: run.logicalTime,
          ...(run.owner ? { owner: run.owner } : {}),
          ...(run.heartbeatAt ? { lastHeartbeat: run.heartbeatAt } : {}),
        };
      }
    }
    const result = await executeRun({
      pipeline,
      store,
      runtime: options.runtime,
      runId: run.id,
      owner,
      clock,
      heartbeatTimeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.listeners ? { listeners: options.listeners } : {}),
      ...(options.notify ? { notify: options.notify } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.pipelineFile ? { pipelineFile: options.pipelineFile } : {}),
      ...(options.taskRunner ? { taskRunner: options.taskRunner } : {}),
    });
    return { kind: "ran", result, ...(reaped ? { reaped } : {}) };
  } catch (error) {
    if (!(error instanceof WeirError && error.code === "RUN_CONFLICT")) throw error;
    // Another process claimed the run between our look and our claim: it is that one's now.
    const now: RunRecord = (await store.runs.get(run.id)) ?? run;
    return now.state === "succeeded" ? { kind: "succeeded" } : { kind: "held", held: heldRun(now) };
  }
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
