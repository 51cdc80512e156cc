import { hostname } from "node:os";
import { type Clock, systemClock } from "../../core/clock.js";
import { messageOf } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import { info, type Logger, silentLogger, warn } from "../../core/log.js";
import type { MetadataStore, RunRecord } from "../../metadata/metadata-store.js";
import { mergeRoutes } from "../../notifications/merge-routes.js";
import type { Notification } from "../../notifications/notification.js";
import type { NotificationRoutes, Notifier } from "../../notifications/notifier.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import type { ExecuteRunOptions } from "../executor/execute-run.js";
import { executeRun } from "../executor/execute-run.js";
import { staleBefore } from "../executor/heartbeat-timing.js";
import { reapZombies } from "../executor/reap-zombies.js";
import type { RunResult } from "../executor/run-result.js";
import type { PipelineEntry } from "../pipeline-registry.js";
import { registerPipeline } from "../register-pipeline.js";
import type { RunEventListener } from "../run-events.js";
import { nextScheduledAt, queueDueRuns } from "./queue-due-runs.js";

export interface SchedulerOptions {
  /** The pipelines to schedule (loaded once; restart the scheduler to pick up changes). */
  pipelines: readonly PipelineEntry[];
  store: MetadataStore;
  runtime: ExecuteRunOptions["runtime"];
  clock?: Clock;
  /** Where notifications go; each pipeline's routes (plus `defaultRoutes`) pick the channels. */
  notifier?: Notifier;
  defaultRoutes?: NotificationRoutes;
  /** The scheduler's own lines (runs queued, started, finished, reaped). */
  logger?: Logger;
  /** Subscribers to every run's events (the CLI prints task lines from them). */
  listeners?: readonly RunEventListener[];
  /** Longest sleep between passes; default 2 s. */
  tickMs?: number;
  /** An attempt or run without a heartbeat for this long is a zombie; default 60 s. */
  heartbeatTimeoutMs?: number;
  /** How often to look for zombies; default 30 s (and always at start). */
  reapIntervalMs?: number;
  /** Runs executing at once in this process, all pipelines together; default 4. */
  maxConcurrentRuns?: number;
  /** On stop, how long running attempts may finish before they are released; default 30 s. */
  shutdownGraceMs?: number;
  /** Names this process in the store; default host:pid:id. */
  owner?: string;
  /** For retry jitter; default Math.random. */
  random?: () => number;
  /** Where attempts' code runs (the distributed executor's queue); default in this process. */
  taskRunner?: ExecuteRunOptions["taskRunner"];
}

/** What one pass did. */
export interface TickReport {
  queued: RunRecord[];
  started: string[];
  reaped: number;
}

interface InFlight {
  run: RunRecord;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * `weir scheduler`: a long-running loop that queues runs as they fall due (cron schedules
 * with catchup, dataset triggers), starts them as each pipeline's `maxActiveRuns` and the
 * process's `maxConcurrentRuns` allow, reaps zombie attempts (at start and periodically)
 * and resumes runs whose executor died, and on stop lets running attempts finish for a
 * grace period before releasing them (they stay resumable, no retry is used). Paused
 * pipelines get no new runs and their queued runs wait.
 *
 * All time comes from the injected clock, so a test drives days of schedule in
 * milliseconds with a `FakeClock`.
 *
 * @example
 * const scheduler = new Scheduler({ pipelines, store, runtime });
 * const stop = new AbortController();
 * process.once("SIGTERM", () => stop.abort());
 * await scheduler.run(stop.signal);
 */
export class Scheduler {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly owner: string;
  private readonly byId: Map<string, PipelineDefinition>;
  private readonly files: Map<string, string>;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly startedAt: Date;
  private lastReap = Number.NEGATIVE_INFINITY;
  private wake: AbortController | undefined;
  private readonly o: Required<
    Pick<
      SchedulerOptions,
      "tickMs" | "heartbeatTimeoutMs" | "reapIntervalMs" | "maxConcurrentRuns" | "shutdownGraceMs"
    >
  >;

  constructor(private readonly options: SchedulerOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${newId()}`;
    this.byId = new Map(options.pipelines.map((p) => [p.id, p.pipeline]));
    this.files = new Map(options.pipelines.map((p) => [p.id, p.file]));
    this.startedAt = this.clock.now();
    this.o = {
      tickMs: options.tickMs ?? 2_000,
      heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 60_000,
      reapIntervalMs: options.reapIntervalMs ?? 30_000,
      maxConcurrentRuns: options.maxConcurrentRuns ?? 4,
      shutdownGraceMs: options.shutdownGraceMs ?? 30_000,
    };
  }

  /** Runs executing in this process now. */
  get running(): string[] {
    return [...this.inFlight.keys()];
  }

  /** Records the pipelines in the store, so `weir pipelines list`, `pause` and `runs` know them. */
  async register(): Promise<void> {
    const at = this.clock.now().toISOString();
    for (const [id, pipeline] of this.byId) {
      await registerPipeline(this.options.store, pipeline, { at, file: this.files.get(id)! });
    }
  }

  /**
   * One pass: reap zombies when due (resuming the runs they orphaned), queue due runs of
   * unpaused pipelines, start queued runs within the limits. Runs execute in the background.
   */
  async tick(): Promise<TickReport> {
    const report: TickReport = { queued: [], started: [], reaped: 0 };
    const now = this.clock.now().getTime();
    const resumable: RunRecord[] = [];
    if (now - this.lastReap >= this.o.reapIntervalMs) {
      this.lastReap = now;
      const { attempts, orphanedRuns } = await reapZombies(
        this.options.store,
        this.clock,
        this.o.heartbeatTimeoutMs,
      );
      report.reaped = attempts.length;
      for (const a of attempts) {
        warn(
          this.logger,
          `reaped zombie attempt ${a.taskId}#${a.attempt} of run ${a.runId} (${a.pipeline}): no heartbeat since ${a.lastHeartbeat}; now ${a.instanceState}`,
          {
            runId: a.runId,
            taskId: a.taskId,
          },
        );
      }
      resumable.push(...orphanedRuns.filter((r) => !this.inFlight.has(r.id)));
    }
    const paused = new Set(
      (await this.options.store.pipelines.list()).filter((p) => p.paused).map((p) => p.id),
    );
    for (const [id, pipeline] of this.byId) {
      if (paused.has(id)) continue;
      try {
        const queued = await queueDueRuns({
          pipeline,
          store: this.options.store,
          clock: this.clock,
          defaultStartDate: this.startedAt,
        });
        for (const run of queued) {
          info(this.logger, `queued ${run.runType} run ${run.id} of ${id} for ${run.logicalTime}`, {
            runId: run.id,
          });
        }
        report.queued.push(...queued);
      } catch (error) {
        warn(this.logger, `cannot queue runs of ${id}: ${messageOf(error)}`, { pipeline: id });
      }
    }
    // All of them: the store lists newest first, and the oldest logical dates must start first.
    const queued = await this.options.store.runs.list({ states: ["queued"], limit: 1_000_000 });
    const candidates = [...resumable, ...queued.sort((a, b) => (a.logicalTime < b.logicalTime ? -1 : 1))];
    const full = new Set<string>();
    for (const run of candidates) {
      if (this.inFlight.size >= this.o.maxConcurrentRuns) break;
      const pipeline = this.byId.get(run.pipeline);
      if (!pipeline || paused.has(run.pipeline) || this.inFlight.has(run.id) || full.has(run.pipeline))
        continue;
      if (run.state === "queued") {
        // Claimed here, within the limit, atomically across schedulers; `executeRun` then
        // finds the run already this process's own. A resumed run counts already.
        const claim = await this.options.store.runs.claimWithinLimit(run.id, {
          owner: this.owner,
          at: this.clock.now().toISOString(),
          staleBefore: staleBefore(this.clock.now(), this.o.heartbeatTimeoutMs),
          maxActive: pipeline.maxActiveRuns,
        });
        if (claim === "limit") full.add(run.pipeline);
        if (claim !== "claimed") continue;
      }
      this.start(run, pipeline);
      report.started.push(run.id);
    }
    return report;
  }

  /**
   * Ticks until `signal` aborts, sleeping on the clock until the next run falls due (at most
   * `tickMs`, less when a run finishes and frees a slot). Then stops as `stop` does.
   */
  async run(signal: AbortSignal): Promise<void> {
    await this.register();
    info(this.logger, `scheduler ${this.owner} started with ${this.byId.size} pipeline(s)`);
    while (!signal.aborted) {
      try {
        await this.tick();
      } catch (error) {
        // The store may be briefly unavailable (a PostgreSQL restart): keep going.
        warn(this.logger, `scheduler pass failed: ${messageOf(error)}`);
      }
      await this.sleep(signal);
    }
    await this.stop();
  }

  /**
   * Stops executing: running attempts get `shutdownGraceMs` to finish; then the runs are
   * aborted, which releases their running attempts (no retry used) and leaves the runs
   * resumable by the next scheduler.
   */
  async stop(): Promise<void> {
    if (this.inFlight.size === 0) return;
    // A run with no attempt running (waiting for a retry delay, a pool slot) has nothing to finish: release it now.
    for (const f of this.inFlight.values()) {
      const tasks = await this.options.store.tasks.list(f.run.id).catch(() => undefined);
      if (tasks && !tasks.some((t) => t.state === "running"))
        f.controller.abort(new Error("the scheduler is shutting down"));
    }
    info(
      this.logger,
      `stopping: waiting up to ${this.o.shutdownGraceMs} ms for ${this.inFlight.size} run(s)`,
    );
    const grace = new AbortController();
    const all = Promise.all([...this.inFlight.values()].map((f) => f.done)).then(() => grace.abort());
    await this.clock.sleep(this.o.shutdownGraceMs, grace.signal).catch(() => undefined);
    if (this.inFlight.size > 0) {
      info(this.logger, `releasing ${this.inFlight.size} run(s) still executing`);
      for (const f of this.inFlight.values()) f.controller.abort(new Error("the scheduler is shutting down"));
    }
    await all;
  }

  private start(run: RunRecord, pipeline: PipelineDefinition): void {
    const controller = new AbortController();
    const routes = mergeRoutes(this.options.defaultRoutes, pipeline.notifications.routes);
    const notifier = this.options.notifier;
    const done = executeRun({
      pipeline,
      store: this.options.store,
      runtime: this.options.runtime,
      runId: run.id,
      clock: this.clock,
      signal: controller.signal,
      owner: this.owner,
      heartbeatTimeoutMs: this.o.heartbeatTimeoutMs,
      // Heartbeat well inside the timeout, so a live run is never mistaken for a zombie.
      heartbeatMs: Math.max(10, Math.min(5_000, Math.floor(this.o.heartbeatTimeoutMs / 4))),
      pollMs: Math.max(10, Math.min(1_000, this.o.tickMs)),
      pipelineFile: this.files.get(pipeline.id)!,
      ...(this.options.listeners ? { listeners: this.options.listeners } : {}),
      ...(this.options.random ? { random: this.options.random } : {}),
      ...(this.options.taskRunner ? { taskRunner: this.options.taskRunner } : {}),
      ...(notifier
        ? {
            notify: async (n: Notification) => {
              await notifier.route(n, routes);
            },
          }
        : {}),
      // Tasks' info lines are in the store (`weir logs`); the scheduler's output keeps warnings and errors.
      logger: { log: (e) => (e.level === "warn" || e.level === "error" ? this.logger.log(e) : undefined) },
    })
      .then((result: RunResult) => {
        const how = result.interrupted ? "released (resumable)" : result.state;
        info(this.logger, `run ${result.runId} of ${pipeline.id} ${how}`, {
          runId: result.runId,
          state: how,
        });
      })
      .catch((error: unknown) => {
        // RUN_CONFLICT: another scheduler claimed it first. Anything else is logged; the run stays resumable.
        warn(this.logger, `run ${run.id} of ${pipeline.id} did not execute here: ${messageOf(error)}`, {
          runId: run.id,
        });
      })
      .finally(() => {
        this.inFlight.delete(run.id);
        this.wake?.abort();
      });
    info(
      this.logger,
      `${run.state === "running" ? "resuming" : "starting"} run ${run.id} of ${pipeline.id} for ${run.logicalTime}`,
      {
        runId: run.id,
      },
    );
    this.inFlight.set(run.id, { run, controller, done });
  }

  private async sleep(signal: AbortSignal): Promise<void> {
    let ms = this.o.tickMs;
    const now = this.clock.now().getTime();
    for (const [id, pipeline] of this.byId) {
      const at = await nextScheduledAt({
        pipeline,
        store: this.options.store,
        clock: this.clock,
        defaultStartDate: this.startedAt,
      }).catch(() => undefined);
      // At least 10 ms: a pipeline that stays due (its runs cannot be queued) must not spin the loop.
      if (at && !(await this.isPaused(id))) ms = Math.min(ms, Math.max(10, at.getTime() - now));
    }
    this.wake = new AbortController();
    const wake = this.wake;
    const onStop = () => wake.abort();
    signal.addEventListener("abort", onStop, { once: true });
    try {
      await this.clock.sleep(ms, wake.signal);
    } catch {
      // Woken early: a run finished or the scheduler is stopping.
    } finally {
      signal.removeEventListener("abort", onStop);
      this.wake = undefined;
    }
  }

  private async isPaused(id: string): Promise<boolean> {
    return (await this.options.store.pipelines.get(id))?.paused ?? false;
  }
}
