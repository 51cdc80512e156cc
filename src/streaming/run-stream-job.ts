import { type Clock, systemClock } from "../core/clock.js";
import { messageOf, StreamError } from "../core/errors.js";
import { compileJob } from "./compile-job.js";
import type {
  EpochSink,
  StartPosition,
  StreamCheckpointStore,
  StreamCounts,
  StreamSource,
} from "./contracts.js";
import type { StreamJobDefinition } from "./define-stream-job.js";
import { leaseOwnerName, ownerIsDeadHere } from "./lease-owner.js";
import { CommitQueue, PartitionTask } from "./partition-task.js";
import type { StreamEventListener } from "./stream-events.js";

export interface RunStreamJobOptions {
  source: StreamSource;
  store: StreamCheckpointStore;
  /** Committed in order for every epoch: typically the lake sink, then the warehouse sink. */
  sinks: readonly EpochSink[];
  /** This process's name in leases. Default `<host>:<pid>:<random>`. */
  owner?: string;
  /** How long a partition stays ours without renewal. Default 10 s. */
  leaseTtlMs?: number;
  /** Partitions this process takes at most. Default all. */
  maxPartitions?: number;
  /** Where a partition without a checkpoint starts. Default earliest. */
  start?: StartPosition;
  /** End once every partition this process can take has had no message for this long. */
  stopWhenIdleMs?: number;
  batchSize?: number;
  clock?: Clock;
  signal?: AbortSignal;
  onEvent?: StreamEventListener;
}

export interface PartitionResult {
  partition: string;
  result: "end" | "stopped" | "lease-lost";
  counts?: StreamCounts;
}

export interface StreamRunResult {
  owner: string;
  partitions: PartitionResult[];
}

interface Running {
  task: PartitionTask;
  abort: AbortController;
  done: Promise<void>;
  /** Set when a renewal found another owner: the task stops without releasing. */
  lost: boolean;
}

/**
 * Runs a stream job in this process: takes partition leases (one new partition per round,
 * so processes started together share them), runs a `PartitionTask` per partition it
 * holds, renews the leases, and takes over partitions whose owner stopped renewing. A
 * partition whose lease is lost is stopped at once; its uncommitted work is redone by the
 * new owner from the last checkpoint, to the same output.
 *
 * Resolves when every partition has ended (a file replay), the signal stops the run, or
 * (with `stopWhenIdleMs`) every partition is drained or held by a live process.
 */
export async function runStreamJob(
  job: StreamJobDefinition,
  options: RunStreamJobOptions,
): Promise<StreamRunResult> {
  const compiled = compileJob(job);
  const clock = options.clock ?? systemClock;
  const owner = options.owner ?? leaseOwnerName();
  const ttl = options.leaseTtlMs ?? 10_000;
  const round = Math.max(50, Math.min(1000, Math.floor(ttl / 3)));
  const maxPartitions = options.maxPartitions ?? Number.POSITIVE_INFINITY;
  const commitQueue = new CommitQueue();
  const partitions = await options.source.partitions();
  const running = new Map<string, Running>();
  /** Partitions this process finished: ended, or drained while idle. */
  const finished = new Map<string, PartitionResult>();
  let failure: unknown;
  let wake: () => void = () => {};

  const start = async (partition: string): Promise<boolean> => {
    let status = await options.store.acquire(job.id, partition, owner, ttl);
    if (!status) {
      // A process of this host that died (kill -9) need not be waited out for its lease.
      const holder = (await options.store.list(job.id)).find((s) => s.partition === partition)?.owner;
      if (holder && ownerIsDeadHere(holder))
        status = await options.store.acquire(job.id, partition, owner, ttl, { from: holder });
    }
    if (!status) return false;
    const after = status.checkpoint?.position ?? status.startAfter;
    let reader: Awaited<ReturnType<StreamSource["open"]>>;
    try {
      reader = await options.source.open(partition, after, options.start ?? "earliest");
    } catch (error) {
      await options.store.release(job.id, partition, owner).catch(() => undefined);
      throw error;
    }
    const abort = new AbortController();
    const task = new PartitionTask({
      compiled,
      partition,
      reader,
      store: options.store,
      owner,
      sinks: options.sinks,
      status,
      clock,
      commitQueue,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.stopWhenIdleMs !== undefined ? { stopWhenIdleMs: options.stopWhenIdleMs } : {}),
    });
    const entry: Running = { task, abort, done: Promise.resolve(), lost: false };
    entry.done = (async () => {
      let result: PartitionResult["result"] = "stopped";
      try {
        result = await task.run(abort.signal);
        if (entry.lost) result = "lease-lost";
      } catch (error) {
        // Whatever a task threw after its lease went to another process is that takeover, not a failure.
        const lost =
          (error as { code?: string }).code === "STREAM_LEASE_LOST" ||
          entry.lost ||
          !(await options.store.renew(job.id, partition, owner, ttl).catch(() => true));
        if (lost) result = "lease-lost";
        else {
          failure ??= error;
          options.onEvent?.({
            type: "stream.partition.stopped",
            job: job.id,
            partition,
            reason: "failed",
            error: messageOf(error),
          });
        }
      } finally {
        await reader.close().catch(() => undefined);
        if (result !== "lease-lost") {
          // Marked finished before it leaves `running`, so no round starts it again meanwhile.
          finished.set(partition, { partition, result });
          await options.store.release(job.id, partition, owner).catch(() => undefined);
        }
        running.delete(partition);
        if (failure === undefined) {
          options.onEvent?.({ type: "stream.partition.stopped", job: job.id, partition, reason: result });
        }
        wake();
      }
    })();
    running.set(partition, entry);
    return true;
  };

  const stopAll = () => {
    for (const r of running.values()) r.abort.abort();
  };
  options.signal?.addEventListener("abort", stopAll, { once: true });
  try {
    for (;;) {
      if (failure !== undefined) break;
      if (options.signal?.aborted) break;
      // Renew what we hold; a partition we lost stops at once.
      await Promise.all(
        [...running].map(async ([partition, r]) => {
          const kept = await options.store.renew(job.id, partition, owner, ttl).catch(() => false);
          if (!kept) {
            r.lost = true;
            r.abort.abort(new StreamError("STREAM_LEASE_LOST", `lost the lease of ${job.id}/${partition}`));
          }
        }),
      );
      // Take at most one new partition per round.
      if (running.size < maxPartitions) {
        for (const partition of partitions) {
          if (running.has(partition) || finished.has(partition)) continue;
          if (await start(partition)) break;
        }
      }
      if (await allSettled(job.id, partitions, running, finished, options, owner, clock)) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, round);
      });
    }
  } finally {
    options.signal?.removeEventListener("abort", stopAll);
    stopAll();
    await Promise.all([...running.values()].map((r) => r.done));
  }
  if (failure !== undefined) throw failure;
  return { owner, partitions: [...finished.values()] };
}

/**
 * True when nothing is left for this process: every partition ended or drained here, or
 * (when the run stops on idleness) held by another live owner.
 */
async function allSettled(
  job: string,
  partitions: readonly string[],
  running: ReadonlyMap<string, Running>,
  finished: ReadonlyMap<string, PartitionResult>,
  options: RunStreamJobOptions,
  owner: string,
  clock: Clock,
): Promise<boolean> {
  if (running.size > 0) return false;
  if (partitions.every((p) => finished.get(p)?.result === "end")) return true;
  if (options.stopWhenIdleMs === undefined) return false;
  const now = clock.now().getTime();
  const rows = new Map((await options.store.list(job)).map((s) => [s.partition, s]));
  return partitions.every((p) => {
    if (finished.has(p)) return true;
    const s = rows.get(p);
    return (
      s?.owner !== undefined &&
      s.owner !== owner &&
      s.leaseExpiresAt !== undefined &&
      Date.parse(s.leaseExpiresAt) > now
    );
  });
}
