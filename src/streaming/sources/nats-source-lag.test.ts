import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NATS_URL, natsAvailable } from "../../../test/support/servers.js";
import { connectJetStream, type JetStreamHandles } from "./nats-connection.js";
import { NatsSource } from "./nats-source.js";

const id = randomBytes(4).toString("hex");

describe.skipIf(!natsAvailable)("NatsSource lag and create: false", () => {
  let nats: JetStreamHandles;
  const stream = `WEIR_T_NATS_LAG_${id}`;
  const subject = `weir.test.natslag.${id}`;

  beforeAll(async () => {
    nats = await connectJetStream(NATS_URL);
  });

  afterAll(async () => {
    await nats.jsm.streams.delete(stream).catch(() => {});
    await nats.nc.close();
  });

  const options = { url: NATS_URL, stream, subject, partitions: 2, durablePrefix: `lag-${id}` };

  it("with create: false, connecting to a missing stream fails (details.missing) and creates nothing", async () => {
    const failure = await NatsSource.connect({ ...options, create: false }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "STREAM_SOURCE_FAILED", details: { stream, missing: true } });
    await expect(nats.jsm.streams.info(stream)).rejects.toMatchObject({ code: 10059 });
  });

  it("counts a partition's messages after a position, without touching its durable consumer", async () => {
    const source = await NatsSource.connect(options);
    try {
      const seqs: number[] = [];
      for (let i = 0; i < 6; i++) seqs.push((await nats.js.publish(`${subject}.${i % 2}`, `m${i}`)).seq);
      // Partition 0 holds seqs[0], seqs[2], seqs[4]; partition 1 the others.
      expect(await source.lag("0", 0)).toBe(3);
      expect(await source.lag("0", seqs[2]!)).toBe(1);
      expect(await source.lag("1", seqs[1]!)).toBe(2);
      expect(await source.lag("1", seqs[5]!)).toBe(0);
      expect(await source.lag("1", seqs[5]! + 100)).toBe(0);
      // The short-lived consumers are gone; a look with create: false works now the stream exists.
      expect((await nats.jsm.streams.info(stream)).state.consumer_count).toBe(0);
      const look = await NatsSource.connect({ ...options, create: false });
      expect(await look.lag("0", 0)).toBe(3);
      await look.close();
    } finally {
      await source.close();
    }
  });
});
