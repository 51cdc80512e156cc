import { makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import { systemClock } from "../../core/clock.js";
import { messageOf, WeirError } from "../../core/errors.js";
import { type Logger, silentLogger } from "../../core/log.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { sqlDatabaseOf } from "../../metadata/sql-database-of.js";
import type { AttemptKey } from "../../metadata/task-store.js";
import { AttemptAbort } from "../executor/run-attempt.js";
import type {
  RemoteAttemptEnd,
  RemoteRunningAttempt,
  TaskRunner,
  TaskRunRequest,
} from "../executor/task-runner.js";
import { AttemptDoneListener } from "./attempt-done-listener.js";
import { queueConnection } from "./queue-connection.js";
import { jobKeyOf, type RemoteJob, taskIdentifierOf } from "./queue-job.js";
import { quietLogger } from "./quiet-logger.js";
import { type RemoteAttemptState, RemoteAttempts } from "./remote-attempts.js";
import { decodeOutcome } from "./remote-outcome.js";
import { retryStoreWrite } from "./retry-store-write.js";

export interface DistributedTaskRunnerOptions {
  /** The metadata store: PostgreSQL (the queue lives in the same database). */
  store: MetadataStore;
  /** The metadata database's URL (`?schema=` is ignored: the queue has its own schema). */
  url: string;
  /** The queue's schema (graphile-worker's tables); default "weir_queue". */
  queueSchema: string;
  /** How often to look at waiting attempts besides notifications (reaped workers, missed NOTIFYs); default 1 s. */
  pollMs?: number;
  /**
   * How long handing an attempt to the queue (its `remote_attempts` row and its job) is tried
   * again while PostgreSQL refuses it (too many clients, a lost connection) before the
   * attempt fails with QUEUE_UNAVAILABLE (retryable: the retry policy applies); default 30 s.
   */
  enqueueRetryMs?: number;
  /** Where failed hand-overs are warned about; default silent. */
  logger?: Logger;
}

interface Waiter {
  request: TaskRunRequest;
  key: AttemptKey;
  /** The job this runner queued for the attempt, and when (epoch ms); absent for a re-attached attempt. */
  job?: { payload: RemoteJob; queuedAt: number };
  resolve(end: RemoteAttemptEnd): void;
  reject(error: unknown): void;
  checking: boolean;
  /** Set when the executor aborted the attempt (shutdown, run timeout): an untaken one is withdrawn. */
  abort?: AttemptAbort;
}

/**
 * The executor's side of the distributed executor: each claimed attempt is written to
 * `remote_attempts` and queued as a graphile-worker job on its queue's task identifier;
 * the attempt's end comes back from the worker's stored outcome (woken by NOTIFY, or the
 * poll). An attempt whose worker stopped heartbeating is reaped here too (as the
 * scheduler's reaper would), and comes back as lost: the executor then reads the store's
 * verdict (up_for_retry: the next attempt goes to the queue again).
 *
 * Why graphile-worker (not pg-boss): jobs are picked up through LISTEN/NOTIFY in
 * milliseconds where pg-boss polls (≥ 0.5 s per pickup), it dedupes by `jobKey`, and it
 * needs nothing but the PostgreSQL the metadata store already uses.
 */
export class DistributedTaskRunner implements TaskRunner {
  private readonly waiters = new Map<string, Waiter>();
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly remote: RemoteAttempts,
    private readonly store: MetadataStore,
    private readonly utils: WorkerUtils,
    private listener: AttemptDoneListener | undefined,
    pollMs: number,
    private readonly handOver: { retryMs: number; logger: Logger },
  ) {
    this.timer = setInterval(() => this.pollAll(), pollMs);
    this.timer.unref();
  }

  static async open(o: DistributedTaskRunnerOptions): Promise<DistributedTaskRunner> {
    const db = sqlDatabaseOf(o.store);
    if (db?.dialect.name !== "postgres") {
      throw new WeirError(
        "CONFIG_INVALID",
        "the distributed executor needs a PostgreSQL metadata store: set WEIR_METADATA_URL=postgres://…",
      );
    }
    const connectionString = queueConnection(o.url);
    const utils = await makeWorkerUtils({ connectionString, schema: o.queueSchema, logger: quietLogger() });
    await utils.migrate();
    const runner: { value?: DistributedTaskRunner } = {};
    const listener = await AttemptDoneListener.open(connectionString, (payload) =>
      runner.value?.notified(payload),
    );
    runner.value = new DistributedTaskRunner(
      new RemoteAttempts(db),
      o.store,
      utils,
      listener,
      o.pollMs ?? 1_000,
      { retryMs: o.enqueueRetryMs ?? 30_000, logger: o.logger ?? silentLogger },
    );
    return runner.value;
  }

  start(request: TaskRunRequest): RemoteRunningAttempt {
    const key = keyOf(request);
    const controller = new AbortController();
    const end = (async (): Promise<RemoteAttemptEnd> => {
      const job: RemoteJob = {
        runId: request.run.id,
        pipeline: request.pipeline.id,
        ...(request.pipelineFile ? { pipelineFile: request.pipelineFile } : {}),
        taskId: request.taskId,
        mapIndex: request.mapIndex,
        attempt: request.attempt,
        queue: request.queue,
      };
      let inserted = false;
      try {
        await this.retryHandOver(`handing over attempt ${key.attempt} of ${key.taskId}`, controller, () =>
          this.remote.insert(key, request.queue, request.item, new Date().toISOString()),
        );
        inserted = true;
        await this.retryHandOver(`queueing attempt ${key.attempt} of ${key.taskId}`, controller, () =>
          this.enqueue(job),
        );
      } catch (error) {
        // Aborted while the queue was away: a hand-over row left behind is withdrawn by the waiter.
        if (controller.signal.aborted && inserted) {
          return this.wait(request, key, controller, { payload: job, queuedAt: Date.now() });
        }
        if (controller.signal.aborted) return abortedEnd(abortOf(controller.signal));
        return queueUnavailableEnd(key, error);
      }
      return this.wait(request, key, controller, { payload: job, queuedAt: Date.now() });
    })();
    return { controller, end };
  }

  /**
   * A write of the hand-over, tried again with backoff (200 ms doubling to 5 s) for up to
   * `enqueueRetryMs` while PostgreSQL refuses it: a full server (53300 too many clients) or a
   * lost connection must cost a delay, never the owner process (an unhandled rejection).
   * Both writes are safe to repeat (`ON CONFLICT DO NOTHING`, the job's `jobKey`).
   */
  private retryHandOver(what: string, controller: AbortController, write: () => Promise<void>) {
    return retryStoreWrite(write, {
      clock: systemClock,
      logger: this.handOver.logger,
      what,
      giveUpAfterMs: this.handOver.retryMs,
      signal: controller.signal,
    });
  }

  async reattach(request: TaskRunRequest): Promise<RemoteRunningAttempt | undefined> {
    const key = keyOf(request);
    const state = await this.remote.state(key);
    // Only an attempt a worker took and still owns (or has ended): one never taken was reaped with its executor.
    if (!state?.workerId || state.attemptState !== "running") return undefined;
    if (!state.outcome && state.attemptOwner !== state.workerId) return undefined;
    const controller = new AbortController();
    return { controller, end: this.wait(request, key, controller) };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const w of this.waiters.values())
      w.reject(new WeirError("INTERNAL", "the distributed task runner closed"));
    this.waiters.clear();
    await this.listener?.close();
    this.listener = undefined;
    await this.utils.release();
  }

  /**
   * One job per attempt (`jobKey`). `preserve_run_at`: queueing it again (see `check`) leaves
   * a waiting job where it is in the queue, and adds a new job beside one that is locked.
   */
  private async enqueue(job: RemoteJob): Promise<void> {
    await this.utils.addJob(taskIdentifierOf(job.queue), job, {
      jobKey: jobKeyOf(job),
      jobKeyMode: "preserve_run_at",
      maxAttempts: 1,
    });
  }

  private wait(
    request: TaskRunRequest,
    key: AttemptKey,
    controller: AbortController,
    job?: Waiter["job"],
  ): Promise<RemoteAttemptEnd> {
    const id = JSON.stringify([key.runId, key.taskId, key.mapIndex, key.attempt]);
    return new Promise<RemoteAttemptEnd>((resolve, reject) => {
      const waiter: Waiter = {
        request,
        key,
        ...(job ? { job } : {}),
        checking: false,
        resolve: (end) => {
          this.waiters.delete(id);
          resolve(end);
        },
        reject: (error) => {
          this.waiters.delete(id);
          reject(error);
        },
      };
      this.waiters.set(id, waiter);
      const onAbort = () => {
        waiter.abort = abortOf(controller.signal);
        void this.cancel(waiter);
      };
      // Aborted before the wait began (while the job was being queued): no event will come.
      if (controller.signal.aborted) onAbort();
      else controller.signal.addEventListener("abort", onAbort, { once: true });
      void this.check(waiter);
    });
  }

  /**
   * The executor aborted the attempt. One no worker has taken yet is withdrawn here — every
   * later take of it is refused — and ends at once as aborted and stopped, as a local attempt
   * that stopped on its signal: a shutdown hands it back as queued without using a retry, so
   * an owner never waits on a queue no worker serves. A taken one gets a cancellation its
   * worker applies at its next heartbeat. A failed write is tried again by the next poll.
   */
  private async cancel(waiter: Waiter): Promise<void> {
    const abort = waiter.abort;
    if (!abort) return;
    const cancel = cancelOf(abort);
    try {
      if (await this.remote.withdraw(waiter.key, cancel)) {
        waiter.resolve(abortedEnd(abort));
        return;
      }
      await this.remote.requestCancel(waiter.key, cancel);
    } catch {
      // The next poll's check withdraws it (or sees it taken, its cancellation then asked again).
    }
  }

  private notified(payload: string): void {
    const waiter = this.waiters.get(payload);
    if (waiter) void this.check(waiter);
  }

  private pollAll(): void {
    void this.listener?.connect();
    for (const waiter of this.waiters.values()) void this.check(waiter);
  }

  private async requeueIfLost(waiter: Waiter, now: number): Promise<void> {
    if (!waiter.job || !requeueDue(waiter, now)) return;
    waiter.job.queuedAt = now;
    await this.enqueue(waiter.job.payload);
  }

  /** Resolves the waiter when its worker stored an outcome, or when the attempt ended without one (reaped). */
  private async check(waiter: Waiter): Promise<void> {
    if (waiter.checking) return;
    waiter.checking = true;
    try {
      const state = await this.remote.state(waiter.key);
      const now = new Date();
      if (state?.attemptState !== "running") {
        // Ended without this executor: reaped (its worker died or lost the database for longer
        // than the heartbeat timeout). An outcome its worker stored anyway is not taken: the
        // store's verdict (retry or failed) stands, so the attempt never ends twice.
        waiter.resolve(lostEnd(waiter.key));
        return;
      }
      if (state.outcome) {
        await this.remote.takeBack(waiter.key, waiter.request.owner, now.toISOString());
        waiter.resolve(decodeOutcome(state.outcome));
        return;
      }
      if (!state.workerId) {
        if (waiter.abort) {
          if (!state.cancel) await this.cancel(waiter);
          else waiter.resolve(abortedEnd(waiter.abort));
          return;
        }
        await this.requeueIfLost(waiter, now.getTime());
        return;
      }
      if (waiter.abort && !state.cancel) await this.remote.requestCancel(waiter.key, cancelOf(waiter.abort));
      const staleBefore = new Date(now.getTime() - waiter.request.heartbeatTimeoutMs).toISOString();
      if (
        state.heartbeatAt !== undefined &&
        state.heartbeatAt < staleBefore &&
        state.attemptOwner === state.workerId
      ) {
        // Its worker died: fail it as the scheduler's reaper would, so the retry policy applies now.
        await this.store.tasks.reapZombies(staleBefore, now.toISOString(), { runId: waiter.key.runId });
      }
    } catch {
      // A failed look is tried again at the next poll; the executor's own heartbeat reports a lost store.
    } finally {
      waiter.checking = false;
    }
  }
}

/**
 * Nobody took the attempt for a heartbeat timeout: it may wait behind a long queue, or its
 * job may be lost — locked by a worker that died (or lost the database) between
 * graphile-worker's lock and weir's take, which graphile-worker releases only after 4 hours,
 * or failed because that worker could not take it. The attempt stays this executor's (its
 * heartbeat keeps it alive), so nothing else would ever notice: the job is queued again.
 * A waiting job is left in place (`preserve_run_at`); should two jobs of the attempt be
 * delivered, the take lets only one of them run it.
 */
function requeueDue(waiter: Waiter, now: number): boolean {
  return waiter.job !== undefined && now - waiter.job.queuedAt >= waiter.request.heartbeatTimeoutMs;
}

function abortOf(signal: AbortSignal): AttemptAbort {
  const reason: unknown = signal.reason;
  return reason instanceof AttemptAbort ? reason : new AttemptAbort("shutdown", messageOf(reason));
}

function cancelOf(abort: AttemptAbort): NonNullable<RemoteAttemptState["cancel"]> {
  return { why: abort.why === "run_timeout" ? "run_timeout" : "shutdown", message: abort.message };
}

/** A withdrawn attempt: it never ran, so it stopped on its signal (a shutdown re-queues it, no retry used). */
function abortedEnd(abort: AttemptAbort): RemoteAttemptEnd {
  return { outcome: { kind: "aborted", abort, stopped: true }, stats: emptyStats(), lastLogSeq: 0 };
}

/** The queue refused the attempt for `enqueueRetryMs`: a retryable failure, so the retry policy applies. */
function queueUnavailableEnd(key: AttemptKey, cause: unknown): RemoteAttemptEnd {
  return {
    outcome: {
      kind: "failed",
      error: new WeirError(
        "QUEUE_UNAVAILABLE",
        `attempt ${key.attempt} of ${key.taskId} could not be handed to the queue: ${messageOf(cause)}`,
        { cause, retryable: true, details: { runId: key.runId, taskId: key.taskId, attempt: key.attempt } },
      ),
    },
    stats: emptyStats(),
    lastLogSeq: 0,
  };
}

function emptyStats(): RemoteAttemptEnd["stats"] {
  return { rows: {}, quarantined: {}, outputs: [], datasets: {} };
}

function keyOf(r: TaskRunRequest): AttemptKey {
  return { runId: r.run.id, taskId: r.taskId, mapIndex: r.mapIndex, attempt: r.attempt };
}

/** The attempt ended without an outcome (its worker died and it was reaped): the executor takes the store's word. */
function lostEnd(key: AttemptKey): RemoteAttemptEnd {
  return {
    outcome: {
      kind: "failed",
      error: new WeirError(
        "INTERNAL",
        `attempt ${key.attempt} of ${key.taskId} ended on its worker without an outcome`,
      ),
    },
    stats: emptyStats(),
    lastLogSeq: 0,
  };
}
