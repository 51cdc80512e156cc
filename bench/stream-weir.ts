/**
 * weir's side of the stream benchmark, run in its own process so its peak RSS is its own.
 * The job is the reference job (`examples/user-events`) in a fresh home (DuckDB warehouse,
 * lake, SQLite store):
 *
 *   node --import tsx bench/stream-weir.ts file <file.ndjson>
 *       replays the file as fast as it is read;
 *   node --import tsx bench/stream-weir.ts nats <url> <stream> <subject>
 *       consumes what was published beforehand, checkpoints every second, ends when idle;
 *   node --import tsx bench/stream-weir.ts latency <url> <stream> <subject> <rate> <seconds>
 *       publishes `rate` events/s stamped with the wall clock while the job runs, and
 *       measures each event's time from publish to the checkpoint that wrote its window.
 *
 * Prints one JSON line (events, seconds, maxRssKiB, counts; latency percentiles).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBEngine } from "../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../src/lake/lake.js";
import { SqliteMetadataStore } from "../src/metadata/sqlite-metadata-store.js";
import type { StreamCounts, StreamSource } from "../src/streaming/contracts.js";
import type { StreamJobDefinition } from "../src/streaming/define-stream-job.js";
import { publishBatch } from "../src/streaming/ingest/publish-batch.js";
import { createStreamSinks } from "../src/streaming/open-stream-parts.js";
import { runStreamJob } from "../src/streaming/run-stream-job.js";
import { FileReplaySource } from "../src/streaming/sources/file-source.js";
import { connectJetStream } from "../src/streaming/sources/nats-connection.js";
import { NatsSource } from "../src/streaming/sources/nats-source.js";
import type { StreamRunEvent } from "../src/streaming/stream-events.js";
import { loadStreamJob } from "../src/streaming/stream-job-registry.js";

export interface StreamWeirResult {
  events: number;
  seconds: number;
  maxRssKiB: number;
  counts: StreamCounts;
  latencyMs?: { p50: number; p99: number; max: number; measured: number };
}

const REPO = resolve(fileURLToPath(import.meta.url), "../..");

async function referenceJob(): Promise<StreamJobDefinition> {
  return (await loadStreamJob(join(REPO, "examples/user-events"))).job;
}

/** Runs the job from `source` in a fresh home; `onEvent` sees every run event. */
async function runInHome(
  job: StreamJobDefinition,
  source: StreamSource,
  options: { stopWhenIdleMs?: number; signal?: AbortSignal; onEvent?: (e: StreamRunEvent) => void },
): Promise<{ counts: StreamCounts; seconds: number; lastCheckpointAt: number; startedAt: number }> {
  const home = mkdtempSync(join(tmpdir(), "weir-bench-stream-"));
  const store = await SqliteMetadataStore.open({ path: join(home, "weir.db") });
  const engine = await DuckDBEngine.create({ path: join(home, "warehouse.duckdb") });
  try {
    const lake = await Lake.open({ root: join(home, "lake"), engine });
    let counts: StreamCounts | undefined;
    let lastCheckpointAt = 0;
    const startedAt = performance.now();
    await runStreamJob(job, {
      source,
      store: store.streams,
      sinks: createStreamSinks(job, { lake, warehouse: engine }),
      ...(options.stopWhenIdleMs ? { stopWhenIdleMs: options.stopWhenIdleMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      onEvent: (e) => {
        if (e.type === "stream.checkpoint") {
          counts = e.counts;
          lastCheckpointAt = performance.now();
        }
        options.onEvent?.(e);
      },
    });
    return { counts: counts!, seconds: (performance.now() - startedAt) / 1000, lastCheckpointAt, startedAt };
  } finally {
    await engine.close();
    await store.close();
    await source.close();
    rmSync(home, { recursive: true, force: true });
  }
}

export async function runWeirFile(file: string): Promise<StreamWeirResult> {
  const run = await runInHome(await referenceJob(), new FileReplaySource({ path: file }), {});
  return {
    events: run.counts.in,
    seconds: run.seconds,
    maxRssKiB: process.resourceUsage().maxRSS,
    counts: run.counts,
  };
}

function natsJob(job: StreamJobDefinition, stream: string, subject: string): StreamJobDefinition {
  return { ...job, id: `bench-${stream.toLowerCase()}`, source: { type: "nats", subject, stream } };
}

async function runWeirNats(url: string, stream: string, subject: string): Promise<StreamWeirResult> {
  const job = natsJob(await referenceJob(), stream, subject);
  const source = await NatsSource.connect({ url, stream, subject, durablePrefix: job.id });
  const run = await runInHome(job, source, { stopWhenIdleMs: 2_000 });
  // Consumed rate: from the start to the checkpoint that covered the last event (not the idle wait).
  const seconds = (run.lastCheckpointAt - run.startedAt) / 1000;
  return { events: run.counts.in, seconds, maxRssKiB: process.resourceUsage().maxRSS, counts: run.counts };
}

const TYPES = ["page_view", "page_view", "click", "purchase", "signup"];

async function runWeirLatency(
  url: string,
  stream: string,
  subject: string,
  rate: number,
  seconds: number,
): Promise<StreamWeirResult> {
  const job = natsJob(await referenceJob(), stream, subject);
  const { nc } = await connectJetStream(url, "weir bench publisher");
  const source = await NatsSource.connect({ url, stream, subject, durablePrefix: job.id });
  const publishedAt = new Map<number, number>();
  const latencies: number[] = [];
  const stop = new AbortController();
  const encoder = new TextEncoder();
  let covered = 0;
  const onEvent = (e: StreamRunEvent) => {
    if (e.type !== "stream.checkpoint") return;
    const now = performance.now();
    for (let seq = covered + 1; seq <= e.position; seq++) {
      const at = publishedAt.get(seq);
      if (at !== undefined) {
        latencies.push(now - at);
        publishedAt.delete(seq);
      }
    }
    covered = Math.max(covered, e.position);
  };
  const publisher = (async () => {
    const tick = 50;
    const perTick = Math.max(1, Math.round((rate * tick) / 1000));
    const end = performance.now() + seconds * 1000;
    let n = 0;
    while (performance.now() < end) {
      const at = performance.now();
      const messages = Array.from({ length: perTick }, () => {
        n++;
        const event = {
          event_id: n,
          user_id: `user-${n % 5000}`,
          event_type: TYPES[n % TYPES.length],
          timestamp: new Date().toISOString(),
          properties: {},
        };
        return { subject, data: encoder.encode(JSON.stringify(event)) };
      });
      const acks = await publishBatch(nc, messages);
      for (let seq = acks.firstSeq; seq <= acks.lastSeq; seq++) publishedAt.set(seq, at);
      const wait = tick - (performance.now() - at);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    // Let the last events' checkpoint land, then stop the job.
    await new Promise((r) => setTimeout(r, 3_000));
    stop.abort();
  })();
  const run = await runInHome(job, source, { signal: stop.signal, onEvent });
  await publisher;
  await nc.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return {
    events: run.counts.in,
    seconds: run.seconds,
    maxRssKiB: process.resourceUsage().maxRSS,
    counts: run.counts,
    latencyMs: {
      p50: at(0.5),
      p99: at(0.99),
      max: latencies[latencies.length - 1] ?? Number.NaN,
      measured: latencies.length,
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [mode, ...args] = process.argv.slice(2);
  let result: StreamWeirResult;
  if (mode === "file" && args[0]) result = await runWeirFile(args[0]);
  else if (mode === "nats" && args.length === 3) result = await runWeirNats(args[0]!, args[1]!, args[2]!);
  else if (mode === "latency" && args.length === 5)
    result = await runWeirLatency(args[0]!, args[1]!, args[2]!, Number(args[3]), Number(args[4]));
  else
    throw new Error(
      "usage: bench/stream-weir.ts file <f> | nats <url> <stream> <subject> | latency <url> <stream> <subject> <rate> <seconds>",
    );
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
