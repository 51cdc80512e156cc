import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NATS_URL, natsAvailable } from "../../../test/support/servers.js";
import { StreamError } from "../../core/errors.js";
import type { PartitionReader, SourceMessage } from "../contracts.js";
import { connectJetStream, type JetStreamHandles } from "./nats-connection.js";
import type { NatsPartitionReader } from "./nats-partition-reader.js";
import { NatsSource, type NatsSourceOptions } from "./nats-source.js";

const id = randomBytes(4).toString("hex");
const text = (message: SourceMessage) => new TextDecoder().decode(message.data as Uint8Array);

/** Reads until `count` messages came, or nothing comes for a second. */
async function readAll(reader: PartitionReader, count: number, max = 1000): Promise<SourceMessage[]> {
  const out: SourceMessage[] = [];
  while (out.length < count) {
    const batch = await reader.next(Math.min(max, count - out.length), 1000);
    if (batch === null || batch.length === 0) break;
    out.push(...batch);
  }
  return out;
}

describe.skipIf(!natsAvailable)("NatsSource", () => {
  let nats: JetStreamHandles;
  const streams: string[] = [];
  const sources: NatsSource[] = [];
  let counter = 0;

  /** A fresh stream (deleted after the file) and a source over it. */
  async function fresh(options: Partial<NatsSourceOptions> = {}) {
    const n = ++counter;
    const stream = `WEIR_T_NATS_SRC_${id}_${n}`;
    const subject = `weir.test.natssrc.${id}.${n}`;
    streams.push(stream);
    const source = await NatsSource.connect({
      url: NATS_URL,
      stream,
      subject,
      durablePrefix: `job-${id}-${n}`,
      ...options,
    });
    sources.push(source);
    return { stream, subject, source };
  }

  async function publish(subject: string, payloads: string[]): Promise<number[]> {
    const seqs: number[] = [];
    for (const payload of payloads) seqs.push((await nats.js.publish(subject, payload)).seq);
    return seqs;
  }

  const numbered = (prefix: string, count: number) =>
    Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);

  beforeAll(async () => {
    nats = await connectJetStream(NATS_URL);
  });

  afterAll(async () => {
    for (const source of sources) await source.close().catch(() => {});
    for (const stream of streams) await nats.jsm.streams.delete(stream).catch(() => {});
    await nats.nc.close();
  });

  it("reads one partition in order; positions are stream sequences", async () => {
    const { subject, source } = await fresh();
    expect(await source.partitions()).toEqual(["0"]);
    expect(source.description).toBe(`nats:WEIR_T_NATS_SRC_${id}_${counter}/${subject}`);
    const seqs = await publish(subject, numbered("e", 25));
    const reader = await source.open("0", undefined, "earliest");
    const got = await readAll(reader, 25, 7);
    expect(got.map((m) => m.position)).toEqual(seqs);
    expect(got.map(text)).toEqual(numbered("e", 25));
    expect(got[0]!.data).toBeInstanceOf(Uint8Array);
    const started = Date.now();
    expect(await reader.next(10, 300)).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await reader.close();
  });

  it("resumes exactly after an acknowledged position", async () => {
    const { stream, subject, source } = await fresh();
    const seqs = await publish(subject, numbered("a", 10));
    const first = await source.open("0", undefined, "earliest");
    expect((await readAll(first, 10)).map((m) => m.position)).toEqual(seqs);
    await first.ack(seqs[4]!);
    const info = await nats.jsm.consumers.info(stream, `job-${id}-${counter}-0`);
    expect(info.ack_floor.stream_seq).toBe(seqs[4]);
    await first.close();

    const again = await source.open("0", seqs[4], "earliest");
    const rest = await readAll(again, 5);
    expect(rest.map((m) => m.position)).toEqual(seqs.slice(5));
    expect(rest.map(text)).toEqual(numbered("a", 10).slice(5));
    expect(await again.next(10, 200)).toEqual([]);
    await again.close();
  });

  it("replays the same messages in the same order after a crash (no ack, reopen from an earlier position)", async () => {
    const { stream, subject, source } = await fresh();
    const seqs = await publish(subject, numbered("c", 40));
    const crashed = await source.open("0", undefined, "earliest");
    const seen = await readAll(crashed, 40);
    expect(seen).toHaveLength(40);
    // The crashed task never acked nor closed; a new process reopens from the checkpoint.
    const other = await NatsSource.connect({
      url: NATS_URL,
      stream,
      subject,
      durablePrefix: `job-${id}-${counter}`,
    });
    sources.push(other);
    const replays: SourceMessage[][] = [];
    for (let round = 0; round < 2; round++) {
      const reader = await other.open("0", seqs[9], "earliest");
      replays.push(await readAll(reader, 30, 8));
      await reader.close();
    }
    for (const replay of replays) {
      expect(replay.map((m) => m.position)).toEqual(seqs.slice(10));
      expect(replay.map(text)).toEqual(seen.slice(10).map(text));
    }
    await crashed.close();
  });

  it("reads each partition from its own subject", async () => {
    const { subject, source } = await fresh({ partitions: 3 });
    expect(await source.partitions()).toEqual(["0", "1", "2"]);
    const bySubject = new Map<number, number[]>();
    for (let i = 0; i < 30; i++) {
      const p = i % 3;
      const seq = (await nats.js.publish(`${subject}.${p}`, `p${p}-${i}`)).seq;
      bySubject.set(p, [...(bySubject.get(p) ?? []), seq]);
    }
    for (const p of [0, 1, 2]) {
      const reader = await source.open(String(p), undefined, "earliest");
      const got = await readAll(reader, 10);
      expect(got.map((m) => m.position)).toEqual(bySubject.get(p));
      expect(got.every((m) => text(m).startsWith(`p${p}-`))).toBe(true);
      expect(await reader.next(10, 200)).toEqual([]);
      await reader.close();
    }
    await expect(source.open("3", undefined, "earliest")).rejects.toThrow(/no partition "3"/);
  });

  it("finds the position before earliest, latest and a time", async () => {
    const { subject, source } = await fresh({ partitions: 2 });
    expect(await source.positionBefore("0", "earliest")).toBe(0);
    expect(await source.positionBefore("0", "latest")).toBe(0);
    const before = await publish(`${subject}.0`, numbered("old", 5));
    await publish(`${subject}.1`, numbered("other", 2));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const cut = new Date();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const afterSeqs = await publish(`${subject}.0`, numbered("new", 3));
    await publish(`${subject}.1`, numbered("other-late", 1));

    expect(await source.positionBefore("0", "earliest")).toBe(0);
    expect(await source.positionBefore("0", "latest")).toBe(afterSeqs[2]);
    const beforeCut = await source.positionBefore("0", cut);
    expect(beforeCut).toBeGreaterThanOrEqual(before[4]!);
    expect(beforeCut).toBeLessThan(afterSeqs[0]!);
    expect(await source.positionBefore("0", new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(
      afterSeqs[2]!,
    );

    const fromTime = await source.open("0", undefined, cut);
    expect((await readAll(fromTime, 10)).map(text)).toEqual(numbered("new", 3));
    await fromTime.close();

    const fromLatest = await source.open("0", undefined, "latest");
    expect(await fromLatest.next(10, 200)).toEqual([]);
    const fresher = await publish(`${subject}.0`, ["newest"]);
    const got = await readAll(fromLatest, 1);
    expect(got.map((m) => m.position)).toEqual(fresher);
    await fromLatest.close();
  });

  it("reports lag after a position", async () => {
    const { subject, source } = await fresh();
    const seqs = await publish(subject, numbered("l", 10));
    const reader = await source.open("0", undefined, "earliest");
    expect(await reader.lag!(0)).toBe(10);
    const got = await readAll(reader, 4);
    expect(got.map((m) => m.position)).toEqual(seqs.slice(0, 4));
    expect(await reader.lag!(seqs[3]!)).toBe(6);
    expect(await reader.lag!(seqs[1]!)).toBe(8);
    await reader.close();
  });

  it("skips redeliveries of messages it already returned", async () => {
    const { stream, subject, source } = await fresh({ ackWaitMs: 500 });
    const seqs = await publish(subject, numbered("r", 10));
    const reader = await source.open("0", undefined, "earliest");
    const first = await readAll(reader, 5);
    // Nothing is acked: after the ack wait JetStream redelivers all ten it delivered.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await nats.jsm.consumers.info(stream, `job-${id}-${counter}-0`)).num_redelivered).toBeGreaterThan(
      0,
    );
    const rest = await readAll(reader, 5);
    expect([...first, ...rest].map((m) => m.position)).toEqual(seqs);
    expect(await reader.next(10, 1200)).toEqual([]);
    await reader.close();
  });

  it("recreates its consumer after a reconnect without losing or repeating a message", async () => {
    const { subject, source } = await fresh();
    const seqs = await publish(subject, numbered("g", 6));
    const reader = (await source.open("0", undefined, "earliest")) as NatsPartitionReader;
    const got = await readAll(reader, 2);
    reader.connectionRestored();
    got.push(...(await readAll(reader, 4)));
    seqs.push(...(await publish(subject, numbered("h", 4))));
    got.push(...(await readAll(reader, 4)));
    expect(got.map((m) => m.position)).toEqual(seqs);
    await reader.close();
  });

  it("fails retryably, as a lost lease, when its consumer is deleted under it", async () => {
    const { stream, subject, source } = await fresh();
    await publish(subject, numbered("d", 3));
    const reader = await source.open("0", undefined, "earliest");
    expect(await readAll(reader, 3)).toHaveLength(3);
    await nats.jsm.consumers.delete(stream, `job-${id}-${counter}-0`);
    const error = await reader.next(10, 2000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).retryable).toBe(true);
    // A process that took the partition over recreates its consumer: this reader's run stops the partition, not itself.
    expect((error as StreamError).code).toBe("STREAM_LEASE_LOST");
    await reader.close();
  });

  it("fails retryably when NATS cannot be reached", async () => {
    const error = await NatsSource.connect({
      url: "nats://127.0.0.1:1",
      stream: "NOPE",
      subject: "nope",
      durablePrefix: "nope",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).code).toBe("STREAM_SOURCE_FAILED");
    expect((error as StreamError).retryable).toBe(true);
  });
});
