/**
 * Stream benchmark. The reference job (`examples/user-events`: parse, watermark, filter,
 * derive, every kept event to the lake as Parquet, per-user 5-minute windows upserted into
 * the warehouse every second) against the floor, a plain Node loop over the same file that
 * JSON.parses each line and counts per user per 5-minute window in a Map
 * (`stream-floor.ts`). Each side runs in its own process, alternating, best of `--runs`.
 *
 *   node --import tsx bench/stream.ts [--events 2000000] [--runs 2] [--nats-events 2000000]
 *
 * Prints:
 *   RATIO stream-file: weir/floor events/s = X (target >= 0.60; …, peak RSS …)
 *   RATIO stream-nats: weir events/s / 150k target = X (…)   — published beforehand, separately
 *   RATIO stream-latency: p99 event-to-output ms … at 10k events/s (update mode, 1 s checkpoints)
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { publishBatch } from "../src/streaming/ingest/publish-batch.js";
import { connectJetStream } from "../src/streaming/sources/nats-connection.js";
import { ensureStream } from "../src/streaming/sources/nats-stream.js";
import { generateUserEvents } from "../test/support/user-events.js";
import { argValue } from "./bench-args.js";
import { REPO_ROOT } from "./customers-csv.js";
import { measureChild } from "./measure-child.js";
import type { FloorResult } from "./stream-floor.js";
import type { StreamWeirResult } from "./stream-weir.js";

export interface StreamBenchOptions {
  events?: number;
  runs?: number;
  /** Events published for the NATS run; 0 skips the NATS runs. */
  natsEvents?: number;
  natsUrl?: string;
  log?: (line: string) => void;
}

const CACHE = "/tmp/weir-bench";

function eventsFile(events: number): string {
  mkdirSync(CACHE, { recursive: true });
  const file = join(CACHE, `user-events-${events}.ndjson`);
  if (!existsSync(file)) generateUserEvents(file, events);
  return file;
}

const mib = (kib: number) => `${Math.round(kib / 1024)} MiB`;

async function publishFile(url: string, stream: string, subject: string, file: string): Promise<number> {
  const { nc, jsm } = await connectJetStream(url, "weir bench publisher");
  try {
    await jsm.streams.delete(stream).catch(() => undefined);
    await ensureStream(jsm, stream, subject);
    const { createReadStream } = await import("node:fs");
    const { createInterface } = await import("node:readline");
    let batch: { subject: string; data: Uint8Array }[] = [];
    let published = 0;
    for await (const line of createInterface({
      input: createReadStream(file),
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      if (line === "") continue;
      batch.push({ subject, data: Buffer.from(line) });
      if (batch.length === 20_000) {
        await publishBatch(nc, batch, { timeoutMs: 60_000 });
        published += batch.length;
        batch = [];
      }
    }
    await publishBatch(nc, batch, { timeoutMs: 60_000 });
    return published + batch.length;
  } finally {
    await nc.close();
  }
}

async function deleteStream(url: string, stream: string): Promise<void> {
  const { nc, jsm } = await connectJetStream(url, "weir bench cleanup");
  await jsm.streams.delete(stream).catch(() => undefined);
  await nc.close();
}

export async function run(options: StreamBenchOptions = {}): Promise<{ line: string }[]> {
  const log = options.log ?? console.log;
  const events = options.events ?? 2_000_000;
  const runs = options.runs ?? 2;
  const file = eventsFile(events);
  const weirScript = join(REPO_ROOT, "bench/stream-weir.ts");
  const floorScript = join(REPO_ROOT, "bench/stream-floor.ts");
  let bestWeir: { rate: number; rss: number; report: StreamWeirResult } | undefined;
  let bestFloor: { rate: number; rss: number } | undefined;
  for (let i = 0; i < runs; i++) {
    const floor = await measureChild<FloorResult & { maxRssKiB: number }>(floorScript, [file]);
    const floorRate = (floor.report.events + floor.report.malformed) / floor.report.seconds;
    log(
      `floor: ${Math.round(floorRate).toLocaleString("en-US")} events/s, peak RSS ${Math.round(floor.peakRssMiB)} MiB`,
    );
    if (!bestFloor || floorRate > bestFloor.rate)
      bestFloor = { rate: floorRate, rss: floor.peakRssMiB * 1024 };
    const weir = await measureChild<StreamWeirResult>(weirScript, ["file", file]);
    const weirRate = weir.report.events / weir.report.seconds;
    log(
      `weir:  ${Math.round(weirRate).toLocaleString("en-US")} events/s, peak RSS ${Math.round(weir.peakRssMiB)} MiB`,
    );
    if (!bestWeir || weirRate > bestWeir.rate)
      bestWeir = { rate: weirRate, rss: weir.peakRssMiB * 1024, report: weir.report };
  }
  const lines = [
    {
      line: `RATIO stream-file: weir/floor events/s = ${(bestWeir!.rate / bestFloor!.rate).toFixed(2)} (target >= 0.60; ${events.toLocaleString("en-US")} events; weir ${Math.round(bestWeir!.rate).toLocaleString("en-US")}/s, floor ${Math.round(bestFloor!.rate).toLocaleString("en-US")}/s; peak RSS weir ${mib(bestWeir!.rss)}, floor ${mib(bestFloor!.rss)})`,
    },
  ];
  const natsEvents = options.natsEvents ?? events;
  if (natsEvents > 0) {
    const url = options.natsUrl ?? process.env.WEIR_NATS_URL ?? "nats://127.0.0.1:4222";
    const stream = `BENCH_${process.pid}`;
    const subject = `bench.${process.pid}`;
    try {
      const published = await publishFile(url, stream, subject, eventsFile(natsEvents));
      log(`published ${published.toLocaleString("en-US")} events to ${stream}`);
      const nats = await measureChild<StreamWeirResult>(weirScript, ["nats", url, stream, subject]);
      const rate = nats.report.events / nats.report.seconds;
      lines.push({
        line: `RATIO stream-nats: weir events/s / 150k = ${(rate / 150_000).toFixed(2)} (target >= 1.00; ${Math.round(rate).toLocaleString("en-US")} events/s from JetStream, checkpoints every 1 s, peak RSS ${Math.round(nats.peakRssMiB)} MiB)`,
      });
      await deleteStream(url, stream);
      const latency = await measureChild<StreamWeirResult>(weirScript, [
        "latency",
        url,
        `${stream}_L`,
        `${subject}.latency`,
        "10000",
        "15",
      ]);
      const l = latency.report.latencyMs!;
      lines.push({
        line: `RATIO stream-latency: p99/checkpoint interval = ${(l.p99 / 1000).toFixed(2)} (p50 ${Math.round(l.p50)} ms, p99 ${Math.round(l.p99)} ms, max ${Math.round(l.max)} ms over ${l.measured.toLocaleString("en-US")} events at 10k events/s, update mode, 1 s checkpoints)`,
      });
    } finally {
      await deleteStream(url, stream);
      await deleteStream(url, `${stream}_L`);
    }
  }
  for (const l of lines) log(l.line);
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const events = argValue(process.argv, "events");
  const runs = argValue(process.argv, "runs");
  const natsEvents = argValue(process.argv, "nats-events");
  await run({
    ...(events ? { events: Number(events) } : {}),
    ...(runs ? { runs: Number(runs) } : {}),
    ...(natsEvents ? { natsEvents: Number(natsEvents) } : {}),
  });
}
