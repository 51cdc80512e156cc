import type { Msg, MsgHdrs, NatsConnection } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { parseAckReply } from "./nats-ack-reply.js";
import { PullPipeline } from "./nats-pull-pipeline.js";

/** A connection that records pull requests and lets the test deliver messages to the pipeline's inbox. */
function fakeConnection() {
  const pulls: { subject: string; reply: string; batch: number }[] = [];
  let deliver: ((msg: Msg) => void) | undefined;
  const nc = {
    subscribe(_subject: string, opts: { callback: (err: Error | null, msg: Msg) => void }) {
      deliver = (msg) => opts.callback(null, msg);
      return { unsubscribe: () => (deliver = undefined) };
    },
    publish(subject: string, body: string, opts: { reply: string }) {
      pulls.push({ subject, reply: opts.reply, batch: JSON.parse(body).batch });
    },
  } as unknown as NatsConnection;
  const message = (streamSeq: number, deliverySeq: number, deliveryCount = 1) =>
    ({
      subject: "events",
      reply: `$JS.ACK.S.C.${deliveryCount}.${streamSeq}.${deliverySeq}.1700000000000000000.0`,
      data: new TextEncoder().encode(`m${streamSeq}`),
    }) as unknown as Msg;
  const status = (reply: string, code: number, description: string, pending?: number) =>
    ({
      subject: reply,
      reply: "",
      data: new Uint8Array(),
      headers: {
        code,
        description,
        get: (name: string) =>
          name === "Nats-Pending-Messages" && pending !== undefined ? String(pending) : "",
      } as unknown as MsgHdrs,
    }) as unknown as Msg;
  return {
    nc,
    pulls,
    send: (msg: Msg) => deliver?.(msg),
    message,
    status,
    get subscribed() {
      return deliver !== undefined;
    },
  };
}

const options = { capacity: 8, batch: 2, expiresMs: 10_000 };

describe("PullPipeline", () => {
  it("asks for no more than its capacity and refills as messages are taken", () => {
    const fake = fakeConnection();
    const pipeline = new PullPipeline(fake.nc, "$JS.API.CONSUMER.MSG.NEXT.S.C", 0, options);
    pipeline.start();
    expect(fake.pulls.map((p) => p.batch)).toEqual([2, 2, 2, 2]);
    for (let i = 1; i <= 8; i++) fake.send(fake.message(i * 10, i));
    expect(pipeline.size).toBe(8);
    expect(fake.pulls).toHaveLength(4);
    const taken = pipeline.take(3);
    expect(taken.messages.map((m) => m.position)).toEqual([10, 20, 30]);
    expect(taken.replies[0]).toMatch(/^\$JS\.ACK\.S\.C\.1\.10\.1\./);
    expect(fake.pulls).toHaveLength(5);
  });

  it("drops a redelivery of a message it already has", () => {
    const fake = fakeConnection();
    const pipeline = new PullPipeline(fake.nc, "next", 0, options);
    pipeline.start();
    fake.send(fake.message(1, 1));
    fake.send(fake.message(2, 2));
    fake.send(fake.message(1, 3, 2));
    fake.send(fake.message(3, 4));
    expect(pipeline.take(10).messages.map((m) => m.position)).toEqual([1, 2, 3]);
    expect(pipeline.broken).toBe(false);
  });

  it("breaks off at a gap in the delivery sequence, keeping what came before", () => {
    const fake = fakeConnection();
    const pipeline = new PullPipeline(fake.nc, "next", 0, options);
    pipeline.start();
    fake.send(fake.message(1, 1));
    fake.send(fake.message(5, 3));
    expect(pipeline.broken).toBe(true);
    expect(fake.subscribed).toBe(false);
    expect(pipeline.lastSeq).toBe(1);
    expect(pipeline.take(10).messages.map((m) => m.position)).toEqual([1]);
  });

  it("breaks off at a redelivery of a message it never received", () => {
    const fake = fakeConnection();
    const pipeline = new PullPipeline(fake.nc, "next", 0, options);
    pipeline.start();
    fake.send(fake.message(1, 1));
    fake.send(fake.message(2, 2, 2));
    expect(pipeline.broken).toBe(true);
    expect(pipeline.lastSeq).toBe(1);
  });

  it("forgets ack subjects of buffered messages when restarted for a new consumer", () => {
    const fake = fakeConnection();
    const pipeline = new PullPipeline(fake.nc, "next", 0, options);
    pipeline.start();
    fake.send(fake.message(1, 1));
    pipeline.breakOff();
    pipeline.start();
    fake.send(fake.message(2, 1));
    expect(pipeline.take(10).replies.map((r) => r !== "")).toEqual([false, true]);
  });

  it("frees the room of an expired request and fails when the consumer is deleted", () => {
    const fake = fakeConnection();
    const pipeline = new PullPipeline(fake.nc, "next", 0, options);
    pipeline.start();
    fake.send(fake.status(fake.pulls[0]!.reply, 408, "Request Timeout", 2));
    expect(fake.pulls).toHaveLength(5);
    fake.send(fake.status(fake.pulls[1]!.reply, 409, "Consumer Deleted"));
    expect(pipeline.failure?.retryable).toBe(true);
    expect(pipeline.failure?.code).toBe("STREAM_LEASE_LOST");
    expect(pipeline.failure?.message).toMatch(/Consumer Deleted/);
  });

  it("wakes a waiting reader when a message arrives", async () => {
    const fake = fakeConnection();
    const pipeline = new PullPipeline(fake.nc, "next", 0, options);
    pipeline.start();
    const started = Date.now();
    const waiting = pipeline.wait(5_000);
    setTimeout(() => fake.send(fake.message(1, 1)), 20);
    await waiting;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(pipeline.size).toBe(1);
  });
});

describe("parseAckReply", () => {
  it("reads the old and the new ack subject forms", () => {
    expect(parseAckReply("$JS.ACK.S.C.2.123.456.1700000000000000000.7")).toEqual({
      deliveryCount: 2,
      streamSeq: 123,
      deliverySeq: 456,
    });
    expect(parseAckReply("$JS.ACK.dom.hash.S.C.1.123.456.1700000000000000000.7.rnd")).toEqual({
      deliveryCount: 1,
      streamSeq: 123,
      deliverySeq: 456,
    });
    expect(parseAckReply("$JS.ACK.S.C.x.1.2.3.4")).toBeUndefined();
    expect(parseAckReply("_INBOX.abc")).toBeUndefined();
  });
});
