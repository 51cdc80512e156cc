import { hostname } from "node:os";
import { type Clock, systemClock } from "../../core/clock.js";
import { ConfigError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import type { DataInterval } from "../../core/interval.js";
import { type Logger, silentLogger } from "../../core/log.js";
import type { Engine } from "../../engines/engine.js";
import type { Lake } from "../../lake/lake.js";
import type { LineageEmitter } from "../../lineage/emit/lineage-emitter.js";
import type { MetadataStore, RunRecord, RunType } from "../../metadata/metadata-store.js";
import type { Notification } from "../../notifications/notification.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { registerPipeline } from "../register-pipeline.js";
import type { RunEventListener, RunSummary } from "../run-events.js";
import { runLineageListener } from "../run-lineage.js";
import { claimExistingRun, type ExistingRunAction } from "./claim-existing-run.js";
import { createRun } from "./create-run.js";
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, heartbeatIntervalFor } from "./heartbeat-timing.js";
import { RunExecutor } from "./run-executor.js";
import type { RunResult } from "./run-result.js";
import type { TaskRunner } from "./task-runner.js";

export type { ExistingRunAction } from "./claim-existing-run.js";
export { DEFAULT_HEARTBEAT_MS, DEFAULT_HEARTBEAT_TIMEOUT_MS } from "./heartbeat-timing.js";
export const DEFAULT_POLL_MS = 1_000;

export interface ExecuteRunOptions {
  pipeline: PipelineDefinition;
  store: MetadataStore;
  /**
   * Where tasks run. With `lineage` (an opened runtime has it unless turned off), the run
   * emits OpenLineage events: see `run-lineage.ts`.
   */
  runtime: { engine: Engine; lake: Lake; lakeEngine?: Engine; lineage?: LineageEmitter };
  /**
   * A new run's id (default: generated), or an existing run's: a queued run is started, a
   * running one whose executor is gone is reaped and resumed (tasks in success are not run
   * again), a finished one is returned as it is. A new id for a logical date that has a run
   * already executes that run, as `logicalDate` says (the result has its id).
   */
  runId?: string;
  /**
   * Required for a new run. A pipeline has one run per logical date: when the date has a
   * run already, that run is executed instead of a new one — one that succeeded runs all
   * its tasks again, one that failed its unfinished tasks (as `weir retry`), one queued or
   * left running by a dead executor continues; one a live executor runs is a RUN_CONFLICT.
   */
  logicalDate?: Date;
  /** Told, before it happens, when the logical date's existing run is executed instead of a new one. */
  onExistingRun?: (run: RunRecord, action: ExistingRunAction) => void;
  /**
   * The data interval of a new run. Default: the schedule's interval containing the logical
   * date for a cron pipeline, the logical date's UTC day otherwise.
   */
  interval?: DataInterval;
  params?: Record<string, string>;
  /** Default "manual". */
  runType?: RunType;
  clock?: Clock;
  /** Aborting it stops the execution: running attempts are released (no retry used), the run stays resumable. */
  signal?: AbortSignal;
  listeners?: readonly RunEventListener[];
  /** Called for retry, failure, success and SLA-miss notifications; never awaited by the run itself. */
  notify?: (notification: Notification) => Promise<void>;
  /** Receives every line tasks log (besides the store). */
  logger?: Logger;
  /** Task instances running at once; default the pipeline's `maxActiveTasks`. */
  concurrency?: number;
  /** How often running attempts heartbeat; default 5 s, or a quarter of a shorter `heartbeatTimeoutMs`. */
  heartbeatMs?: number;
  /**
   * A running run or attempt whose heartbeat is older than this is dead: it may be reaped
   * and taken over, and pool slots it holds are freed for others; default 60 s.
   */
  heartbeatTimeoutMs?: number;
  /** How often to look again for a pool slot held elsewhere, or a previous run (dependsOnPast); default 1s. */
  pollMs?: number;
  /** For retry jitter; default Math.random. */
  random?: () => number;
  /** Recorded with the pipeline (`weir pipelines list`). */
  pipelineFile?: string;
  /** Names this executor in the store; default host:pid:id. */
  owner?: string;
  /** Crash tests: "<task>:<progress step>" hangs the run there so a test can kill the process. */
  pauseAt?: string;
  /**
   * Where attempts' code runs: absent, in this process (the local executor); a
   * `DistributedTaskRunner` hands each attempt to a `weir worker` through the queue.
   */
  taskRunner?: TaskRunner;
}

/**
 * Executes one run of a pipeline with the local executor: tasks run concurrently as their
 * trigger rules allow, each state transition is written to the metadata store as it
 * happens, attempts heartbeat, failed attempts retry with backoff on the injected clock,
 * task and run timeouts abort through the task's `AbortSignal`, pools limit concurrency
 * across pipelines and processes (slots of dead attempts are reaped by the next waiter),
 * mapped tasks fan out. Never throws for a task failure: the result carries it. Throws
 * RUN_CONFLICT when another live executor owns the run (or the logical date's run).
 *
 * @example
 * const result = await executeRun({ pipeline, store, runtime: { engine, lake }, logicalDate: new Date("2024-01-15") });
 * if (result.state === "failed") console.error(result.error?.message);
 */
export async function executeRun(options: ExecuteRunOptions): Promise<RunResult> {
  const { pipeline, store } = options;
  const clock = options.clock ?? systemClock;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${newId()}`;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  const nowIso = clock.now().toISOString();
  await registerPipeline(store, pipeline, { at: nowIso, file: options.pipelineFile });

  const stored = options.runId === undefined ? undefined : await store.runs.get(options.runId);
  if (stored && stored.pipeline !== pipeline.id) {
    throw new ConfigError(`run ${stored.id} belongs to pipeline "${stored.pipeline}", not "${pipeline.id}"`, {
      details: { runId: stored.id },
    });
  }
  const claim = { pipeline, store, clock, owner, heartbeatTimeoutMs };
  let current: RunRecord;
  let existing = true;
  if (stored) {
    const claimed = await claimExistingRun(stored, { ...claim, rerunFinished: false });
    if (!claimed) return storedResult(stored);
    current = claimed;
  } else {
    // Created already claimed: no other process can start it before this one does.
    const { run, created } = await createRun({
      pipeline,
      store,
      clock,
      id: options.runId ?? newId("run_"),
      logicalDate: options.logicalDate,
      runType: options.runType ?? "manual",
      ...(options.interval ? { interval: options.interval } : {}),
      ...(options.params ? { params: options.params } : {}),
      claimAs: { owner },
    });
    existing = !created;
    current = created
      ? run
      : (await claimExistingRun(run, {
          ...claim,
          rerunFinished: true,
          ...(options.onExistingRun ? { onExistingRun: options.onExistingRun } : {}),
        }))!;
  }
  const executor = new RunExecutor({
    pipeline,
    store,
    runtime: options.runtime,
    run: current,
    existing,
    owner,
    clock,
    ...(options.signal ? { signal: options.signal } : {}),
    listeners: [...(options.listeners ?? []), ...lineageListeners(options)],
    ...(options.notify ? { notify: options.notify } : {}),
    logger: options.logger ?? silentLogger,
    concurrency: options.concurrency ?? pipeline.maxActiveTasks,
    heartbeatMs: options.heartbeatMs ?? heartbeatIntervalFor(heartbeatTimeoutMs),
    heartbeatTimeoutMs,
    pollMs: options.pollMs ?? DEFAULT_POLL_MS,
    random: options.random ?? Math.random,
    ...(options.pauseAt ? { pauseAt: options.pauseAt } : {}),
    ...(options.taskRunner ? { taskRunner: options.taskRunner } : {}),
    ...(options.pipelineFile ? { pipelineFile: options.pipelineFile } : {}),
  });
  return executor.execute();
}

/** The run's lineage listener, when its runtime emits lineage. */
function lineageListeners(options: ExecuteRunOptions): RunEventListener[] {
  const { runtime } = options;
  if (!runtime.lineage) return [];
  const engines =
    runtime.lakeEngine && runtime.lakeEngine !== runtime.engine
      ? [runtime.engine, runtime.lakeEngine]
      : [runtime.engine];
  return [
    runLineageListener({
      emitter: runtime.lineage,
      engines,
      lakeRoot: runtime.lake.root,
      logger: options.logger ?? silentLogger,
    }),
  ];
}

/** A finished run, as the store recorded it (executing it again would change nothing). */
function storedResult(run: RunRecord): RunResult {
  const summary = run.summary as RunSummary | undefined;
  const state = run.state === "succeeded" ? "succeeded" : "failed";
  return {
    runId: run.id,
    state,
    summary: summary ?? {
      runId: run.id,
      pipeline: run.pipeline,
      logicalDate: run.logicalDate,
      state,
      durationMs: 0,
      rows: { extracted: 0, loaded: 0, quarantined: 0, quarantinedByCheck: {} },
      datasets: [],
      tasks: [],
      outputs: [],
    },
    outputs: {},
  };
}
