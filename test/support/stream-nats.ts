import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { type OutgoingMessage, publishBatch } from "../../src/streaming/ingest/publish-batch.js";
import { LineReader } from "../../src/streaming/sources/line-reader.js";
import type { StreamRunEvent } from "../../src/streaming/stream-events.js";
import type { WeirProcess } from "./weir-process.js";

/**
 * Helpers for the stream tests over NATS JetStream: unique names, a user-events job file
 * written into a temp dir (so each test file has its own subject, stream and job id), and
 * publishing a file's lines as raw messages with `publishBatch`.
 */

/** A short random suffix for subjects, streams, job ids and schemas of one test file. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString("hex");
}

export interface UserEventsJobOptions {
  id: string;
  /** The job's source, as `defineStreamJob` takes it. */
  source:
    | { type: "nats"; subject: string; stream: string; partitions?: number }
    | { type: "file"; path: string };
  /** The window table (default `user_metrics_real_time`). */
  table?: string;
  /** Write kept events to the lake `raw.events` (default true). */
  events?: boolean;
  maxMessageBytes?: number;
  /** Checkpoint interval (default the job's default, 1s). */
  checkpointEvery?: string;
  checkpointEveryMessages?: number;
}

/**
 * Writes `<dir>/stream.ts`: the reference user-events job (examples/user-events/stream.ts)
 * with its own id, source and table. `weir stream run <dir>/stream.ts` runs it.
 */
export function writeUserEventsJob(dir: string, options: UserEventsJobOptions): string {
  const file = join(dir, "stream.ts");
  const checkpoint =
    options.checkpointEvery || options.checkpointEveryMessages
      ? `checkpoint: ${JSON.stringify({
          ...(options.checkpointEvery ? { every: options.checkpointEvery } : {}),
          ...(options.checkpointEveryMessages ? { everyMessages: options.checkpointEveryMessages } : {}),
        })},`
      : "";
  writeFileSync(
    file,
    `import { collectSet, count, countDistinct, defineStreamJob, eventDate, eventHour, tumbling } from "weir";

const KEPT_TYPES = new Set(["page_view", "click", "purchase"]);

export default defineStreamJob({
  id: ${JSON.stringify(options.id)},
  source: ${JSON.stringify(options.source)},
  schema: {
    event_id: "integer",
    user_id: "string",
    event_type: "string",
    timestamp: "timestamp",
    session_id: "string?",
    page_url: "string?",
    referrer_url: "string?",
    properties: "object?",
  },
  eventTime: { field: "timestamp", maxOutOfOrderness: "10s", allowedLateness: "1m", idleTimeout: "30s" },
  filter: (event) => KEPT_TYPES.has(event.event_type as string),
  derive: { date: eventDate(), hour: eventHour() },
  ${options.events === false ? "" : 'events: { lake: "raw.events", partitionBy: ["date", "hour"] },'}
  windows: {
    window: tumbling("5m"),
    groupBy: ["user_id"],
    aggregates: {
      event_count: count(),
      unique_event_types: countDistinct("event_type"),
      event_types: collectSet("event_type"),
    },
    mode: "update",
    table: ${JSON.stringify(options.table ?? "user_metrics_real_time")},
  },
  ${checkpoint}
  ${options.maxMessageBytes ? `maxMessageBytes: ${options.maxMessageBytes},` : ""}
});
`,
  );
  return file;
}

export interface Published {
  messages: number;
  ms: number;
  /** Stream sequence of each message, in the order given (for position checks). */
  firstSeq: number;
  lastSeq: number;
}

/**
 * Publishes every line of `file` (raw bytes, as the file holds them) to JetStream, in
 * batches acknowledged by `publishBatch`; `subjectOf` picks each line's subject. Lines go
 * out in file order, one batch after another, so on one subject stream sequences follow
 * line order.
 */
export async function publishFileLines(
  nc: NatsConnection,
  file: string,
  subjectOf: (line: string | Uint8Array, index: number) => string,
  batchSize = 20_000,
): Promise<Published> {
  const started = Date.now();
  const lines = await LineReader.open(file);
  let messages = 0;
  let firstSeq = Number.POSITIVE_INFINITY;
  let lastSeq = 0;
  try {
    for (;;) {
      const read: { data: string | Uint8Array; position: number }[] = [];
      await lines.read(batchSize, read);
      if (read.length === 0) break;
      const batch: OutgoingMessage[] = read.map((m, i) => ({
        subject: subjectOf(m.data, messages + i),
        data: typeof m.data === "string" ? Buffer.from(m.data, "utf8") : m.data,
      }));
      const acks = await publishBatch(nc, batch, { timeoutMs: 30_000 });
      firstSeq = Math.min(firstSeq, acks.firstSeq);
      lastSeq = Math.max(lastSeq, acks.lastSeq);
      messages += batch.length;
    }
  } finally {
    await lines.close();
  }
  return { messages, ms: Date.now() - started, firstSeq, lastSeq };
}

/** The run events a `weir stream run --events` printed (other lines are left out). */
export function runEvents(stdout: string): StreamRunEvent[] {
  const out: StreamRunEvent[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith('{"type":"stream.')) continue;
    try {
      out.push(JSON.parse(line) as StreamRunEvent);
    } catch {
      // A line cut short by a kill.
    }
  }
  return out;
}

/** Resolves true once `stdout()` holds `text`, false when the process exits first. */
export function whenPrinted(
  stdout: () => string,
  exited: Promise<unknown>,
  text: string,
  pollMs = 20,
): Promise<boolean> {
  let over = false;
  return Promise.race([
    new Promise<boolean>((resolve) => {
      const check = () => {
        if (stdout().includes(text)) resolve(true);
        else if (!over) setTimeout(check, pollMs);
      };
      check();
    }),
    exited.then(() => {
      over = true;
      return stdout().includes(text);
    }),
  ]).finally(() => {
    over = true;
  });
}

/** A run event and when the test saw it (epoch ms). */
export interface TimedRunEvent {
  at: number;
  event: StreamRunEvent;
}

/**
 * The run events of a `weir stream run --events` process as they arrive, each with the
 * time the test saw it: call right after starting the process (the array fills as it runs).
 */
export function runTimeline(p: WeirProcess): TimedRunEvent[] {
  const events: TimedRunEvent[] = [];
  let rest = "";
  p.child.stdout!.on("data", (chunk: Buffer) => {
    const at = Date.now();
    const lines = (rest + chunk.toString()).split("\n");
    rest = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{"type":"stream.')) continue;
      try {
        events.push({ at, event: JSON.parse(line) as StreamRunEvent });
      } catch {
        // A line cut short by a kill.
      }
    }
  });
  return events;
}
