import { hostname } from "node:os";
import { type Runner, run, type Task } from "graphile-worker";
import type pg from "pg";
import { type Clock, systemClock } from "../../core/clock.js";
import { messageOf, WeirError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import { type Logger, silentLogger, warn } from "../../core/log.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { sqlDatabaseOf } from "../../metadata/sql-database-of.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { AttemptAbort } from "../executor/run-attempt.js";
import { queueConnection } from "./queue-connection.js";
import { type RemoteJob, taskIdentifierOf } from "./queue-job.js";
import { quietLogger } from "./quiet-logger.js";
import { RemoteAttempts } from "./remote-attempts.js";
import { retryStoreWrite } from "./retry-store-write.js";
import { type AttemptRuntime, type RemoteAttemptContext, runRemoteAttempt } from "./run-remote-attempt.js";
import { WorkerRegistry } from "./worker-registry.js";

export interface WeirWorkerOptions {
  store: MetadataStore;
  /** The metadata database's URL (the queue lives there, in `queueSchema`). */
  url: string;
  queueSchema: string;
  /** The queues this worker takes jobs from; default ["default"]. */
  queues?: readonly string[];
  /** Attempts at once; default 1. */
  concurrency?: number;
  /** Shown by `weir workers list`; default the host name. */
  name?: string;
  /** The pipeline a job names (by id and, when the executor knew it, file). */
  pipelineOf(job: RemoteJob): Promise<PipelineDefinition>;
  /** Opens the warehouse and lake for one attempt (closed after it). */
  openRuntime(): Promise<AttemptRuntime>;
  /** How often the worker and its attempts heartbeat (and look for cancellations); default 5 s. */
  heartbeatMs?: number;
  /** graphile-worker's poll for jobs it was not notified of; default 2 s. */
  pollMs?: number;
  /** How long a take or an outcome is written again while the database does not answer; default 10 min. */
  storeRetryMs?: number;
  /** The first wait before the queue runner is started again after it stopped; doubled up to 30 s; default 500 ms. */
  restartDelayMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * `weir worker`: takes attempts from the queue (graphile-worker on the metadata
 * PostgreSQL; one task identifier per weir queue, so a worker only sees its queues),
 * runs them (`runRemoteAttempt`), and heartbeats itself and its attempts so a worker that
 * dies is reaped and its attempts retried elsewhere. `drain()` stops taking jobs and
 * waits for the running attempts; `abort()` tells them to stop (their executors re-queue
 * them without using a retry).
 *
 * @example
 * const worker = await WeirWorker.start({ store, url, queueSchema: "weir_queue", queues: ["heavy"], pipelineOf, openRuntime });
 * process.once("SIGTERM", () => void worker.drain());
 */
export class WeirWorker {
  readonly id: string;
  private readonly context: RemoteAttemptContext;
  private readonly registry: WorkerRegistry;
  private readonly stopHeartbeat = new AbortController();
  /** Aborted when draining starts: no queue runner is started again. */
  private readonly draining = new AbortController();
  private runner: Runner | undefined;
  /** The queue's connections: created here so that every one of them has an 'error' listener. */
  private pool: pg.Pool | undefined;
  private supervisor: Promise<void> | undefined;
  private heartbeat: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  /** Times the queue runner stopped on its own and was started again. */
  restarts = 0;
  /** Attempts this worker ran to the end (dropped re-deliveries are not counted). */
  executed = 0;
  dropped = 0;

  private constructor(private readonly o: WeirWorkerOptions) {
    const settle: { resolve?: () => void; reject?: (error: unknown) => void } = {};
    this.stopped = new Promise<void>((resolve, reject) => Object.assign(settle, { resolve, reject }));
    this.settleStopped = settle as { resolve(): void; reject(error: unknown): void };
    const db = sqlDatabaseOf(o.store);
    if (db?.dialect.name !== "postgres") {
      throw new WeirError(
        "CONFIG_INVALID",
        "weir worker needs a PostgreSQL metadata store: set WEIR_METADATA_URL=postgres://…",
      );
    }
    this.id = `worker:${hostname()}:${process.pid}:${newId()}`;
    this.registry = new WorkerRegistry(db);
    this.context = {
      workerId: this.id,
      store: o.store,
      remote: new RemoteAttempts(db),
      clock: o.clock ?? systemClock,
      logger: o.logger ?? silentLogger,
      pipelineOf: o.pipelineOf,
      openRuntime: o.openRuntime,
      running: new Map(),
      inHand: new Set(),
      storeRetryMs: o.storeRetryMs ?? 600_000,
    };
  }

  static async start(o: WeirWorkerOptions): Promise<WeirWorker> {
    const worker = new WeirWorker(o);
    await worker.begin();
    return worker;
  }

  /** Attempts running now. */
  get running(): number {
    return this.context.running.size;
  }

  /** Resolves when the worker has stopped (drained or aborted). */
  readonly stopped: Promise<void>;
  private readonly settleStopped: { resolve(): void; reject(error: unknown): void };

  private async begin(): Promise<void> {
    const queues = [...new Set(this.o.queues ?? ["default"])];
    const concurrency = this.o.concurrency ?? 1;
    const clock = this.context.clock;
    await this.registry.register({
      id: this.id,
      name: this.o.name ?? hostname(),
      host: hostname(),
      pid: process.pid,
      queues,
      concurrency,
      at: clock.now().toISOString(),
    });
    this.pool = await this.openQueuePool(concurrency);
    try {
      this.runner = await this.startRunner(queues, concurrency);
    } catch (error) {
      await this.pool.end().catch(() => undefined);
      throw error;
    }
    this.supervisor = this.superviseRunner(queues, concurrency);
    this.heartbeat = this.beat();
  }

  /**
   * graphile-worker's pool, made here rather than by graphile-worker so that a lost
   * connection is handled the same way everywhere in the worker: logged, and retried by
   * whoever needs the connection next — never an unhandled 'error' event that ends the
   * process. (graphile-worker installs the same listeners on a pool it makes itself; with
   * ours they are explicit and log through the worker's logger.)
   */
  private async openQueuePool(concurrency: number): Promise<pg.Pool> {
    const pgModule = (await import("pg")).default;
    const logger = this.context.logger;
    // Each job holds a connection for its take/complete, plus graphile-worker's LISTEN client.
    const pool = new pgModule.Pool({ connectionString: queueConnection(this.o.url), max: concurrency + 2 });
    const lost = (where: string) => (error: Error) =>
      warn(logger, `queue connection lost (${where}): ${messageOf(error)}`);
    pool.on("error", lost("idle"));
    pool.on("connect", (client) => {
      client.on("error", lost("in use"));
    });
    return pool;
  }

  private startRunner(queues: readonly string[], concurrency: number): Promise<Runner> {
    const handler: Task = async (payload) => {
      const ran = await runRemoteAttempt(this.context, payload as RemoteJob);
      if (ran) this.executed++;
      else this.dropped++;
    };
    return run({
      pgPool: this.pool!,
      schema: this.o.queueSchema,
      concurrency,
      noHandleSignals: true,
      pollInterval: this.o.pollMs ?? 2_000,
      // Draining waits for running attempts however long they take: never abort them on its own.
      gracefulShutdownAbortTimeout: 2_147_000_000,
      logger: quietLogger(),
      taskList: Object.fromEntries(queues.map((q) => [taskIdentifierOf(q), handler])),
    });
  }

  /**
   * graphile-worker stops its runner by itself when it cannot get jobs for a while, or
   * cannot complete or fail one ("the queue is in an inconsistent state"), which is what a
   * lost database connection does. The worker would go on heartbeating without ever taking
   * a job again, so the runner is started again, with backoff (500 ms doubling to 30 s,
   * back to the start once a runner has lived a minute), until the worker drains. A job
   * the stopped runner had locked stays locked (graphile-worker frees it after 4 hours):
   * if this worker had taken its attempt, it runs or ran it to the end here; if not, the
   * attempt's executor queues it again (`DistributedTaskRunner`).
   */
  private async superviseRunner(queues: readonly string[], concurrency: number): Promise<void> {
    const { clock, logger } = this.context;
    const first = this.o.restartDelayMs ?? 500;
    let delay = first;
    let startedAt = clock.now().getTime();
    while (!this.draining.signal.aborted) {
      const stopped = await this.runner!.promise.then(
        () => undefined,
        (error: unknown) => error,
      );
      if (this.draining.signal.aborted) return;
      if (clock.now().getTime() - startedAt > 60_000) delay = first;
      warn(
        logger,
        `the queue runner stopped${stopped === undefined ? "" : `: ${messageOf(stopped)}`}; starting it again in ${delay} ms`,
      );
      for (;;) {
        try {
          await clock.sleep(delay, this.draining.signal);
        } catch {
          return;
        }
        delay = Math.min(delay * 2, 30_000);
        try {
          const runner = await this.startRunner(queues, concurrency);
          if (this.draining.signal.aborted) {
            await runner.stop().catch(() => undefined);
            return;
          }
          this.runner = runner;
          this.restarts++;
          startedAt = clock.now().getTime();
          break;
        } catch (error) {
          warn(logger, `starting the queue runner failed (again in ${delay} ms): ${messageOf(error)}`);
        }
      }
    }
  }

  /** Stops taking jobs, waits for the running attempts to end and be stored, signs off. */
  drain(): Promise<void> {
    this.stopping ??= (async () => {
      this.draining.abort();
      // A runner that stopped by itself (lost connection) has nothing left to stop.
      await this.runner
        ?.stop()
        .catch((error: unknown) => warn(this.context.logger, `queue stop: ${messageOf(error)}`));
      await this.supervisor;
      // Attempts still finishing their hand-over (graphile-worker no longer waits for them
      // when its runner stopped by itself) end before the worker signs off.
      while (this.context.inHand.size > 0) await this.context.clock.sleep(50);
      this.stopHeartbeat.abort();
      await this.heartbeat;
      await this.pool?.end().catch(() => undefined);
      await retryStoreWrite(() => this.registry.stopped(this.id, this.context.clock.now().toISOString()), {
        clock: this.context.clock,
        logger: this.context.logger,
        what: "signing the worker off",
        giveUpAfterMs: 30_000,
      });
    })();
    this.stopping.then(this.settleStopped.resolve, this.settleStopped.reject);
    return this.stopping;
  }

  /** Tells running attempts to stop (they end as interrupted, re-queued by their executor), then drains. */
  abort(reason = "the worker was stopped"): Promise<void> {
    for (const r of this.context.running.values()) {
      r.attempt.controller.abort(new AttemptAbort("shutdown", `interrupted: ${reason}`));
    }
    return this.drain();
  }

  /** Heartbeats the worker and its attempts, stores their new log lines, applies cancellations. */
  private async beat(): Promise<void> {
    const { clock, logger } = this.context;
    for (;;) {
      try {
        await clock.sleep(this.o.heartbeatMs ?? 5_000, this.stopHeartbeat.signal);
      } catch {
        return;
      }
      // Each step on its own: one that fails (the database is away) does not hold back the others.
      try {
        await this.registry.heartbeat(this.id, clock.now().toISOString());
      } catch (error) {
        warn(logger, `worker heartbeat failed: ${messageOf(error)}`);
      }
      for (const r of this.context.running.values()) {
        const lines = [...r.unsent, ...r.logger.take()];
        try {
          await this.o.store.tasks.appendLogs(r.key, lines);
          r.unsent = [];
        } catch {
          // Kept for the next beat (stored lines are not duplicated: appendLogs keeps them).
          r.unsent = lines;
        }
      }
      try {
        for (const c of await this.context.remote.cancelsFor(this.id)) {
          const id = JSON.stringify([c.runId, c.taskId, c.mapIndex, c.attempt]);
          this.context.running.get(id)?.attempt.controller.abort(new AttemptAbort(c.why, c.message));
        }
      } catch (error) {
        warn(logger, `reading cancellations failed: ${messageOf(error)}`);
      }
    }
  }
}
