import { hostname } from "node:os";
import { type Runner, run, type Task } from "graphile-worker";
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
  private runner: Runner | undefined;
  private heartbeat: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
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
    const handler: Task = async (payload) => {
      const ran = await runRemoteAttempt(this.context, payload as RemoteJob);
      if (ran) this.executed++;
      else this.dropped++;
    };
    this.runner = await run({
      connectionString: queueConnection(this.o.url),
      schema: this.o.queueSchema,
      concurrency,
      noHandleSignals: true,
      pollInterval: this.o.pollMs ?? 2_000,
      // Draining waits for running attempts however long they take: never abort them on its own.
      gracefulShutdownAbortTimeout: 2_147_000_000,
      logger: quietLogger(),
      taskList: Object.fromEntries(queues.map((q) => [taskIdentifierOf(q), handler])),
    });
    this.heartbeat = this.beat();
  }

  /** Stops taking jobs, waits for the running attempts to end and be stored, signs off. */
  drain(): Promise<void> {
    this.stopping ??= (async () => {
      await this.runner
        ?.stop()
        .catch((error: unknown) => warn(this.context.logger, `queue stop: ${messageOf(error)}`));
      this.stopHeartbeat.abort();
      await this.heartbeat;
      await this.registry.stopped(this.id, this.context.clock.now().toISOString());
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
      try {
        for (const r of this.context.running.values()) {
          await this.o.store.tasks.appendLogs(r.key, r.logger.take());
        }
        await this.registry.heartbeat(this.id, clock.now().toISOString());
        for (const c of await this.context.remote.cancelsFor(this.id)) {
          const id = JSON.stringify([c.runId, c.taskId, c.mapIndex, c.attempt]);
          this.context.running.get(id)?.attempt.controller.abort(new AttemptAbort(c.why, c.message));
        }
      } catch (error) {
        warn(logger, `worker heartbeat failed: ${messageOf(error)}`);
      }
    }
  }
}
