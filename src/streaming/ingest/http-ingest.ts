import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ConfigError, messageOf } from "../../core/errors.js";
import { ingestLines } from "./ingest-lines.js";
import { OnDemandJetStream } from "./on-demand-jetstream.js";
import { publishBatch } from "./publish-batch.js";
import { readBody } from "./read-body.js";

export { partitionOf } from "./partition-of.js";

export interface IngestServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  natsUrl: string;
  /** The JetStream stream (created when missing) and its subject. */
  stream: string;
  subject: string;
  /** P > 0: events go to `<subject>.<p>`, p picked by `partitionKey` (`partitionOf`); else to `<subject>`. */
  partitions?: number;
  /** The JSON field whose value picks an event's partition (e.g. `user_id`); without it, partition 0. */
  partitionKey?: string;
  /** Largest accepted request body (default 16 MiB): 413 above. */
  maxBodyBytes?: number;
  /** A publish fails (503) when JetStream acknowledges nothing for this long (default 10 s). */
  publishTimeoutMs?: number;
}

export interface IngestServer {
  /** `http://host:port` */
  url: string;
  /** Stops taking requests, lets those being handled answer (up to the publish timeout), then disconnects. */
  close(): Promise<void>;
}

const ACCEPTED_TYPES = ["application/x-ndjson", "application/jsonl", "application/json", "text/"];

/**
 * An HTTP front door for a NATS stream: `POST /ingest` with an NDJSON body stores each
 * line in JetStream as received (raw bytes; the stream job parses and dead-letters) and
 * answers 202 `{accepted, firstSeq, lastSeq, duplicates}` only after JetStream has
 * acknowledged every line, so a 202 means stored. When NATS cannot store them the answer
 * is 503 and nothing is claimed (some lines may be stored: resend with the same
 * `Idempotency-Key`, and JetStream drops the ones it holds, by `Nats-Msg-Id` =
 * `<key>:<line index>`).
 *
 * Other answers: 413 for a body over `maxBodyBytes` or a line over NATS's max payload, 415
 * for a content type that is not NDJSON or text, 405 for another method, 404 for another path.
 */
export async function startIngestServer(options: IngestServerOptions): Promise<IngestServer> {
  if (options.partitions !== undefined && (!Number.isInteger(options.partitions) || options.partitions < 0)) {
    throw new ConfigError(`ingest partitions must be a whole number >= 0, not ${options.partitions}`);
  }
  const nats = new OnDemandJetStream(options.natsUrl, options.stream, options.subject);
  /** Requests being handled: `close` lets them answer before it drops their connections. */
  const inflight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const done: Promise<void> = handle(req, res, options, nats)
      .catch((error) => {
        if (!res.headersSent) reply(res, 500, { error: messageOf(error) });
        else res.destroy();
      })
      .finally(() => inflight.delete(done));
    inflight.add(done);
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // A request being published gets its answer (202 or 503) first, within the publish timeout.
      if (inflight.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...inflight]),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, options.publishTimeoutMs ?? 10_000);
          }),
        ]);
        clearTimeout(timer);
      }
      server.closeAllConnections();
      await closed;
      await nats.close();
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: IngestServerOptions,
  nats: OnDemandJetStream,
): Promise<void> {
  const path = new URL(req.url ?? "/", "http://ingest").pathname;
  if (path !== "/ingest") return reply(res, 404, { error: `no such endpoint ${path}; POST /ingest` });
  if (req.method !== "POST") {
    res.setHeader("Allow", "POST");
    return reply(res, 405, { error: `${req.method} is not allowed; POST NDJSON to /ingest` });
  }
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (type !== "" && !ACCEPTED_TYPES.some((accepted) => type.startsWith(accepted))) {
    return reply(res, 415, { error: `content type ${type} is not NDJSON; send application/x-ndjson` });
  }
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const body = await readBody(req, maxBodyBytes);
  if (body === "too_large") {
    res.setHeader("Connection", "close");
    return reply(res, 413, { error: `the body is larger than ${maxBodyBytes} bytes` });
  }
  const lines = ingestLines(body, options);
  if (lines.length === 0)
    return reply(res, 202, { accepted: 0, firstSeq: null, lastSeq: null, duplicates: 0 });

  let handles: Awaited<ReturnType<OnDemandJetStream["get"]>>;
  try {
    handles = await nats.get();
  } catch (error) {
    return reply(res, 503, { error: `NATS is not available: ${messageOf(error)}` });
  }
  const maxPayload = handles.nc.info?.max_payload ?? Number.POSITIVE_INFINITY;
  const oversized = lines.find((line) => line.data.length > maxPayload);
  if (oversized) {
    return reply(res, 413, {
      error: `line ${oversized.index + 1} has ${oversized.data.length} bytes; NATS takes at most ${maxPayload}`,
    });
  }
  const idempotencyKey = header(req, "idempotency-key");
  const partitioned = (options.partitions ?? 0) > 0;
  const messages = lines.map((line) => ({
    subject: partitioned ? `${options.subject}.${line.partition}` : options.subject,
    data: line.data,
    ...(idempotencyKey === undefined ? {} : { msgId: `${idempotencyKey}:${line.index}` }),
  }));
  try {
    const acks = await publishBatch(handles.nc, messages, { timeoutMs: options.publishTimeoutMs ?? 10_000 });
    reply(res, 202, {
      accepted: messages.length,
      firstSeq: acks.firstSeq,
      lastSeq: acks.lastSeq,
      duplicates: acks.duplicates,
    });
  } catch (error) {
    reply(res, 503, { error: messageOf(error) });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
