import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NATS_URL, natsAvailable } from "../../../test/support/servers.js";
import { connectJetStream, type JetStreamHandles } from "../sources/nats-connection.js";
import { type IngestServer, partitionOf, startIngestServer } from "./http-ingest.js";

const id = randomBytes(4).toString("hex");

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface IngestReply {
  accepted: number;
  firstSeq: number;
  lastSeq: number;
  duplicates: number;
  error?: string;
}

const json = (res: Response) => res.json() as Promise<IngestReply>;

const post = (url: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${url}/ingest`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", ...headers },
    body,
  });

describe("partitionOf", () => {
  it("is a stable FNV-1a hash of the key, modulo the partitions", () => {
    expect(partitionOf("", 7)).toBe(0x811c9dc5 % 7);
    expect(partitionOf("user-1", 4)).toBe(partitionOf("user-1", 4));
    const spread = new Set(Array.from({ length: 200 }, (_, i) => partitionOf(`u${i}`, 4)));
    expect(spread).toEqual(new Set([0, 1, 2, 3]));
    expect(partitionOf("anything", 0)).toBe(0);
  });
});

describe("startIngestServer without NATS", () => {
  it("answers 503, not 202, when NATS cannot be reached", async () => {
    const server = await startIngestServer({
      port: 0,
      natsUrl: `nats://127.0.0.1:${await closedPort()}`,
      stream: "WEIR_T_INGEST_NONE",
      subject: "weir.test.ingest.none",
    });
    try {
      const res = await post(server.url, '{"a":1}\n{"a":2}\n');
      expect(res.status).toBe(503);
      expect((await json(res)).error).toMatch(/NATS/);
    } finally {
      await server.close();
    }
  });
});

describe.skipIf(!natsAvailable)("startIngestServer", () => {
  let nats: JetStreamHandles;
  const stream = `WEIR_T_INGEST_${id}`;
  const subject = `weir.test.ingest.${id}`;
  const partitionedStream = `WEIR_T_INGEST_P_${id}`;
  const partitionedSubject = `weir.test.ingestp.${id}`;
  let server: IngestServer;
  let partitioned: IngestServer;

  beforeAll(async () => {
    nats = await connectJetStream(NATS_URL);
    server = await startIngestServer({ port: 0, natsUrl: NATS_URL, stream, subject, maxBodyBytes: 200_000 });
    partitioned = await startIngestServer({
      port: 0,
      natsUrl: NATS_URL,
      stream: partitionedStream,
      subject: partitionedSubject,
      partitions: 4,
      partitionKey: "user_id",
    });
  });

  afterAll(async () => {
    await server?.close();
    await partitioned?.close();
    for (const name of [stream, partitionedStream]) await nats.jsm.streams.delete(name).catch(() => {});
    await nats.nc.close();
  });

  const messages = async (name: string) => (await nats.jsm.streams.info(name)).state.messages;

  it("stores every line of a body and answers 202 after JetStream acknowledged them", async () => {
    const before = await messages(stream).catch(() => 0);
    const lines = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ i, user_id: `u${i % 13}` }));
    const res = await post(server.url, `${lines.join("\n")}\n`);
    expect(res.status).toBe(202);
    const body = await json(res);
    expect(body).toMatchObject({ accepted: 1000, duplicates: 0 });
    expect(body.lastSeq - body.firstSeq).toBe(999);
    expect(await messages(stream)).toBe(before + 1000);
    const first = await nats.jsm.streams.getMessage(stream, { seq: body.firstSeq });
    const last = await nats.jsm.streams.getMessage(stream, { seq: body.lastSeq });
    expect(first?.string()).toBe(lines[0]);
    expect(last?.string()).toBe(lines[999]);
    expect(first?.subject).toBe(subject);
  });

  it("stores lines as received, without parsing them", async () => {
    const res = await post(server.url, 'not json\r\n\n{"broken":\n', { "content-type": "text/plain" });
    expect(res.status).toBe(202);
    const body = await json(res);
    expect(body.accepted).toBe(2);
    expect((await nats.jsm.streams.getMessage(stream, { seq: body.firstSeq }))?.string()).toBe("not json");
    expect((await nats.jsm.streams.getMessage(stream, { seq: body.lastSeq }))?.string()).toBe('{"broken":');
  });

  it("stores a resent body once when it carries the same Idempotency-Key", async () => {
    const key = `k-${id}`;
    const body = '{"a":1}\n{"a":2}\n{"a":3}\n';
    const first = await json(await post(server.url, body, { "idempotency-key": key }));
    const before = await messages(stream);
    const again = await post(server.url, body, { "idempotency-key": key });
    expect(again.status).toBe(202);
    expect(await json(again)).toMatchObject({
      accepted: 3,
      duplicates: 3,
      firstSeq: first.firstSeq,
      lastSeq: first.lastSeq,
    });
    expect(await messages(stream)).toBe(before);
  });

  it("routes lines to partitions by the key's hash, unparseable ones to partition 0", async () => {
    const users = ["alice", "bob", "carol", "dave", "erin", "frank"];
    const lines = users.map((user_id, i) => JSON.stringify({ user_id, i }));
    lines.push("garbage", JSON.stringify({ no_key: true }), JSON.stringify({ user_id: 42 }));
    const res = await post(partitioned.url, lines.join("\n"));
    expect(res.status).toBe(202);
    const { firstSeq, lastSeq } = await json(res);
    const subjects: string[] = [];
    for (let seq = firstSeq; seq <= lastSeq; seq++) {
      subjects.push((await nats.jsm.streams.getMessage(partitionedStream, { seq }))!.subject);
    }
    expect(subjects).toEqual([
      ...users.map((user) => `${partitionedSubject}.${partitionOf(user, 4)}`),
      `${partitionedSubject}.0`,
      `${partitionedSubject}.0`,
      `${partitionedSubject}.${partitionOf("42", 4)}`,
    ]);
  });

  it("answers 405 for another method, 404 for another path, 415 for another content type", async () => {
    const get = await fetch(`${server.url}/ingest`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await fetch(`${server.url}/other`, { method: "POST", body: "{}" })).status).toBe(404);
    expect((await post(server.url, "<a/>", { "content-type": "application/xml" })).status).toBe(415);
  });

  it("answers 413 for a body over the limit and stores none of it", async () => {
    const before = await messages(stream);
    const line = JSON.stringify({ pad: "z".repeat(1000) });
    const res = await post(server.url, `${Array.from({ length: 300 }, () => line).join("\n")}\n`);
    expect(res.status).toBe(413);
    expect(await messages(stream)).toBe(before);
    // The server still takes the next request.
    expect((await post(server.url, '{"ok":true}\n')).status).toBe(202);
  });

  it("answers 413 for a chunked body that grows over the limit", async () => {
    const chunk = new TextEncoder().encode(`${JSON.stringify({ pad: "c".repeat(10_000) })}\n`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 40) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${server.url}/ingest`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it("close lets a request being received answer (202) before it disconnects", async () => {
    const closing = await startIngestServer({ port: 0, natsUrl: NATS_URL, stream, subject });
    const encoder = new TextEncoder();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    const answer = fetch(`${closing.url}/ingest`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body,
      duplex: "half",
    } as RequestInit);
    controller.enqueue(encoder.encode('{"closing":1}\n'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closed = closing.close();
    controller.enqueue(encoder.encode('{"closing":2}\n'));
    controller.close();
    const res = await answer;
    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ accepted: 2 });
    await closed;
    // Closed for good: a new request finds nobody listening.
    await expect(post(closing.url, '{"late":true}\n')).rejects.toThrow();
  });

  it("answers 413 for a line over NATS's max payload", async () => {
    const big = await startIngestServer({
      port: 0,
      natsUrl: NATS_URL,
      stream,
      subject,
      maxBodyBytes: 4_000_000,
    });
    try {
      const res = await post(big.url, `{"a":1}\n${JSON.stringify({ pad: "q".repeat(2_000_000) })}\n`);
      expect(res.status).toBe(413);
      expect((await json(res)).error).toMatch(/line 2/);
    } finally {
      await big.close();
    }
  });
});
