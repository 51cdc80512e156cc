import type { Engine } from "../engines/engine.js";
import { openEngine } from "../engines/open-engine.js";
import type { Lake } from "../lake/lake.js";
import type { EpochSink, StreamSource } from "./contracts.js";
import type { StreamJobDefinition } from "./define-stream-job.js";
import { LakeEpochSink } from "./sinks/lake-epoch-sink.js";
import { WarehouseEpochSink } from "./sinks/warehouse-epoch-sink.js";
import { FileReplaySource } from "./sources/file-source.js";
import { NatsSource } from "./sources/nats-source.js";

export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

export interface StreamSourceOptions {
  /** Replay this NDJSON file instead of the job's source. */
  fromFile?: string;
  /** Replay at most this many events per second. */
  rate?: number;
  /** Default `WEIR_NATS_URL`, else the job's, else nats://127.0.0.1:4222. */
  natsUrl?: string;
  /** Create the job's JetStream stream when it is missing (default true; false for a read-only look). */
  createStream?: boolean;
}

/** Where a NATS job's events live: server, JetStream stream, subject and partitions. */
export interface NatsTarget {
  url: string;
  stream: string;
  subject: string;
  partitions?: number;
}

/**
 * The NATS server, stream, subject and partitions of a job whose source is NATS (the
 * server: `natsUrl`, else `WEIR_NATS_URL`, else the job's, else nats://127.0.0.1:4222);
 * undefined for a file job.
 */
export function natsTarget(job: StreamJobDefinition, natsUrl?: string): NatsTarget | undefined {
  if (job.source.type !== "nats") return undefined;
  const spec = job.source;
  return {
    url: natsUrl ?? process.env.WEIR_NATS_URL ?? spec.url ?? DEFAULT_NATS_URL,
    stream: spec.stream ?? defaultStreamName(spec.subject),
    subject: spec.subject,
    ...(spec.partitions ? { partitions: spec.partitions } : {}),
  };
}

/** The JetStream stream a subject lives in when the job does not name one: `USER_EVENTS` for `user-events`. */
export function defaultStreamName(subject: string): string {
  return subject.toUpperCase().replace(/[^A-Z0-9_]/g, "_");
}

/** The job's source, or a file replay when `fromFile` is given. */
export async function openStreamSource(
  job: StreamJobDefinition,
  options: StreamSourceOptions,
): Promise<StreamSource> {
  const file = options.fromFile ?? (job.source.type === "file" ? job.source.path : undefined);
  if (file !== undefined) {
    return new FileReplaySource({ path: file, ...(options.rate ? { rate: options.rate } : {}) });
  }
  const target = natsTarget(job, options.natsUrl)!;
  return NatsSource.connect({
    ...target,
    durablePrefix: job.id,
    ...(options.createStream === false ? { create: false } : {}),
  });
}

/** The sinks of a job: the kept events to the lake (when declared), then the warehouse. */
export function createStreamSinks(
  job: StreamJobDefinition,
  parts: { lake: Lake; warehouse: Engine },
): EpochSink[] {
  const sinks: EpochSink[] = [];
  if (job.events) {
    const id = job.events.lake.startsWith("lake.") ? job.events.lake : `lake.${job.events.lake}`;
    sinks.push(new LakeEpochSink(parts.lake.dataset(id), { partitionBy: job.events.partitionBy ?? [] }));
  }
  const windows = job.windows;
  sinks.push(
    new WarehouseEpochSink(parts.warehouse, {
      table: windows?.table ?? `${job.id.replace(/\W/g, "_")}_windows`,
      key: ["window_start", ...(windows?.groupBy ?? [])],
    }),
  );
  return sinks;
}

export interface StreamParts {
  source: StreamSource;
  sinks: EpochSink[];
  /** The engine window rows, dead letters and late events go to. */
  warehouse: Engine;
  close(): Promise<void>;
}

/**
 * Source and sinks for `weir stream run`: the lake and the warehouse of the runtime, or
 * the engine at `warehouseUrl` (PostgreSQL) for the window rows, dead letters and late events.
 */
export async function openStreamParts(
  job: StreamJobDefinition,
  options: StreamSourceOptions & { runtime: { lake: Lake; engine: Engine }; warehouseUrl?: string },
): Promise<StreamParts> {
  const warehouse = options.warehouseUrl ? await openEngine(options.warehouseUrl) : options.runtime.engine;
  let source: StreamSource;
  try {
    source = await openStreamSource(job, options);
  } catch (error) {
    if (warehouse !== options.runtime.engine) await warehouse.close();
    throw error;
  }
  const sinks = createStreamSinks(job, { lake: options.runtime.lake, warehouse });
  return {
    source,
    sinks,
    warehouse,
    close: async () => {
      for (const sink of sinks) await sink.close().catch(() => undefined);
      await source.close();
      if (warehouse !== options.runtime.engine) await warehouse.close();
    },
  };
}
