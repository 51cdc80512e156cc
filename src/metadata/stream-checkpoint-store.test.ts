import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../test/support/servers.js";
import { type Clock, FakeClock, systemClock } from "../core/clock.js";
import { emptyCounts, type PartitionCheckpoint } from "../streaming/contracts.js";
import { migrate } from "./migrate.js";
import { PostgresDatabase } from "./postgres-database.js";
import type { SqlDatabase } from "./sql-database.js";
import { SqliteDatabase } from "./sqlite-database.js";
import { SqliteMetadataStore } from "./sqlite-metadata-store.js";
import { SqlStreamCheckpointStore } from "./stream-checkpoint-store.js";
import { STREAM_MIGRATION } from "./stream-migration.js";

/** Opens one more connection to the suite's (migrated) database; the suite closes it. */
type Connect = () => Promise<SqlDatabase>;

const TTL = 10_000;
let n = 0;
/** Each test has its own job, so tests share one database. */
const newJob = () => `job-${++n}-${Math.random().toString(36).slice(2, 8)}`;

function checkpoint(
  epoch: number,
  position: number,
  extra: Partial<PartitionCheckpoint> = {},
): PartitionCheckpoint {
  return {
    epoch,
    position,
    watermark: 1_700_000_000_000 + position,
    maxEventTime: 1_700_000_005_000 + position,
    state: JSON.stringify({ windows: [[position]] }),
    counts: { ...emptyCounts(), in: position, parsed: position, kept: position },
    stateBytes: 17,
    openWindows: 3,
    committedAt: "2024-01-01T00:00:00.000Z",
    ...extra,
  };
}

/** The same cases on SQLite and PostgreSQL. */
function checkpointStoreSuite(name: string, connect: Connect): void {
  describe(`stream checkpoint store: ${name}`, () => {
    const opened: SqlDatabase[] = [];
    const open = async (clock: Clock = systemClock) => {
      const db = await connect();
      opened.push(db);
      return new SqlStreamCheckpointStore(db, clock);
    };
    afterAll(async () => {
      for (const db of opened) await db.close();
    });

    it("gives a partition's lease to one owner at a time; the owner may take it again", async () => {
      const clock = new FakeClock();
      const store = await open(clock);
      const job = newJob();
      const a = await store.acquire(job, "0", "a", TTL);
      expect(a).toEqual({
        job,
        partition: "0",
        owner: "a",
        leaseExpiresAt: new Date(clock.now().getTime() + TTL).toISOString(),
      });
      expect(await store.acquire(job, "0", "b", TTL)).toBeUndefined();
      expect(await store.acquire(job, "1", "b", TTL)).toMatchObject({ partition: "1", owner: "b" });
      await clock.advance(TTL / 2);
      expect(await store.acquire(job, "0", "a", TTL)).toMatchObject({ owner: "a" });
      expect(await store.renew(job, "0", "a", TTL)).toBe(true);
      expect(await store.renew(job, "0", "b", TTL)).toBe(false);

      await store.release(job, "0", "b"); // not b's: changes nothing
      expect(await store.acquire(job, "0", "b", TTL)).toBeUndefined();
      await store.release(job, "0", "a");
      expect(await store.acquire(job, "0", "b", TTL)).toMatchObject({ owner: "b" });
    });

    it("records a pending epoch, then the checkpoint that replaces it", async () => {
      const store = await open(new FakeClock());
      const job = newJob();
      await store.acquire(job, "0", "a", TTL);
      await store.prepare(job, "0", "a", { epoch: 1, endPosition: 40, watermark: Number.NEGATIVE_INFINITY });
      let [status] = await store.list(job);
      expect(status?.pending).toEqual({ epoch: 1, endPosition: 40, watermark: null });
      expect(status?.checkpoint).toBeUndefined();

      await store.commit(job, "0", "a", checkpoint(1, 40));
      await store.prepare(job, "0", "a", { epoch: 2, endPosition: 90, watermark: 1_700_000_000_090 });
      [status] = await store.list(job);
      expect(status?.checkpoint).toEqual(checkpoint(1, 40));
      expect(status?.pending).toEqual({ epoch: 2, endPosition: 90, watermark: 1_700_000_000_090 });

      await store.commit(job, "0", "a", checkpoint(2, 90, { watermark: null, maxEventTime: null }));
      await store.release(job, "0", "a");
      // A new owner finds the checkpoint (and no pending epoch) when it takes the partition.
      const taken = await store.acquire(job, "0", "b", TTL);
      expect(taken?.checkpoint).toEqual(checkpoint(2, 90, { watermark: null, maxEventTime: null }));
      expect(taken?.pending).toBeUndefined();
    });

    it("lets another owner take an expired lease; the old owner can then write nothing", async () => {
      const clock = new FakeClock();
      const store = await open(clock);
      const job = newJob();
      await store.acquire(job, "0", "a", 1000);
      await store.prepare(job, "0", "a", { epoch: 1, endPosition: 10, watermark: null });
      await clock.advance(999);
      expect(await store.acquire(job, "0", "b", 1000)).toBeUndefined();
      await clock.advance(1);
      // Expired but not yet taken: still not a's to use.
      expect(await store.renew(job, "0", "a", 1000)).toBe(false);
      await expect(store.commit(job, "0", "a", checkpoint(1, 10))).rejects.toMatchObject({
        code: "STREAM_LEASE_LOST",
      });

      const b = await store.acquire(job, "0", "b", 1000);
      expect(b).toMatchObject({ owner: "b", pending: { epoch: 1, endPosition: 10, watermark: null } });
      await expect(
        store.prepare(job, "0", "a", { epoch: 2, endPosition: 20, watermark: null }),
      ).rejects.toMatchObject({ code: "STREAM_LEASE_LOST", details: { holder: "b" } });
      await expect(store.commit(job, "0", "a", checkpoint(1, 10))).rejects.toThrow(/held by b/);
      await store.release(job, "0", "a"); // a's release of b's lease changes nothing
      const [status] = await store.list(job);
      expect(status).toMatchObject({ owner: "b", pending: { epoch: 1 } });
      expect(status?.checkpoint).toBeUndefined();

      await store.commit(job, "0", "b", checkpoint(1, 10));
      expect((await store.list(job))[0]?.checkpoint?.epoch).toBe(1);
    });

    it("resets a partition keeping its epoch, refused while a live owner holds it", async () => {
      const clock = new FakeClock();
      const store = await open(clock);
      const job = newJob();
      await store.acquire(job, "0", "a", 1000);
      await store.commit(job, "0", "a", checkpoint(7, 700));
      await store.prepare(job, "0", "a", { epoch: 8, endPosition: 800, watermark: 5 });
      await expect(store.reset(job, "0", 1234)).rejects.toMatchObject({
        code: "STREAM_LEASE_LOST",
        details: { holder: "a" },
      });
      expect((await store.list(job))[0]?.checkpoint?.position).toBe(700);

      await clock.advance(1000); // a's lease expired: reset is allowed
      await store.reset(job, "0", 1234);
      const [status] = await store.list(job);
      expect(status).toEqual({
        job,
        partition: "0",
        startAfter: 1234,
        checkpoint: {
          epoch: 7,
          position: 1234,
          watermark: null,
          maxEventTime: null,
          state: "",
          counts: emptyCounts(),
          stateBytes: 0,
          openWindows: 0,
          committedAt: clock.now().toISOString(),
        },
      });
      await expect(
        store.prepare(job, "0", "a", { epoch: 8, endPosition: 800, watermark: 5 }),
      ).rejects.toMatchObject({ code: "STREAM_LEASE_LOST" });

      // The next owner continues the epoch numbering; its first commit clears startAfter.
      expect(await store.acquire(job, "0", "b", 1000)).toMatchObject({
        startAfter: 1234,
        checkpoint: { epoch: 7 },
      });
      await store.commit(job, "0", "b", checkpoint(8, 1300));
      expect((await store.list(job))[0]).not.toHaveProperty("startAfter");

      // A released partition can be reset at once; an unknown one gets its start.
      await store.release(job, "0", "b");
      await store.reset(job, "0", 0);
      expect((await store.list(job))[0]?.checkpoint).toMatchObject({ epoch: 8, position: 0 });
      await store.reset(job, "1", 99);
      expect((await store.list(job))[1]).toEqual({ job, partition: "1", startAfter: 99 });
    });

    it("lists every partition of a job, or of every job, in natural partition order", async () => {
      const store = await open();
      const [job, other] = [newJob(), newJob()];
      for (const p of ["10", "2", "1"]) await store.acquire(job, p, "a", TTL);
      await store.acquire(other, "0", "a", TTL);
      expect((await store.list(job)).map((s) => s.partition)).toEqual(["1", "2", "10"]);
      const all = (await store.list()).filter((s) => s.job === job || s.job === other);
      expect(all.map((s) => `${s.job === job ? "job" : "other"}:${s.partition}`)).toEqual(
        job < other ? ["job:1", "job:2", "job:10", "other:0"] : ["other:0", "job:1", "job:2", "job:10"],
      );
    });

    it("gives a contended partition to exactly one of 8 concurrent acquirers, 50 rounds", async () => {
      const stores = await Promise.all(Array.from({ length: 8 }, () => open()));
      const job = newJob();
      const started = Date.now();
      for (let round = 0; round < 50; round++) {
        // A new partition: the first row is created by the race itself.
        const partition = `p${round}`;
        const first = await Promise.all(stores.map((s, i) => s.acquire(job, partition, `owner-${i}`, TTL)));
        const winners = first.flatMap((status, i) => (status ? [i] : []));
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        expect(first[winner]?.owner).toBe(`owner-${winner}`);
        // Released: the race is on the existing row.
        await stores[winner]!.release(job, partition, `owner-${winner}`);
        const second = await Promise.all(stores.map((s, i) => s.acquire(job, partition, `owner-${i}`, TTL)));
        const again = second.flatMap((status, i) => (status ? [i] : []));
        expect(again).toHaveLength(1);
        const [status] = await stores[0]!
          .list(job)
          .then((all) => all.filter((s) => s.partition === partition));
        expect(status?.owner).toBe(`owner-${again[0]}`);
      }
      expect(Date.now() - started).toBeLessThan(30_000);
    });
  });
}

describe("SqliteMetadataStore.streams", () => {
  it("is the stream checkpoint store of the migrated store", async () => {
    const store = await SqliteMetadataStore.open({ path: ":memory:" });
    try {
      expect(await store.schemaVersion()).toBeGreaterThanOrEqual(STREAM_MIGRATION.version);
      expect(await store.streams.acquire("job", "0", "a", TTL)).toMatchObject({ owner: "a" });
      expect(await store.streams.list()).toHaveLength(1);
    } finally {
      await store.close();
    }
  });
});

describe("SQLite", () => {
  let dir: string;
  let path: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "weir-stream-store-"));
    path = join(dir, "weir.db");
    const db = await connectSqlite(path);
    await migrate(db, path);
    await db.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  checkpointStoreSuite("sqlite", () => connectSqlite(path));
});

async function connectSqlite(path: string): Promise<SqlDatabase> {
  const db = new Database(path, { timeout: 5000 });
  db.pragma("busy_timeout = 5000");
  db.pragma("journal_mode = WAL");
  return new SqliteDatabase(db);
}

const SCHEMA = `weir_stream_ckpt_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  const connectPostgres = async (): Promise<SqlDatabase> => {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2, options: `-c search_path=${SCHEMA}` });
    pool.on("error", () => undefined);
    return new PostgresDatabase(pool);
  };
  beforeAll(async () => {
    const db = await connectPostgres();
    try {
      await db.run(`CREATE SCHEMA IF NOT EXISTS "${SCHEMA}"`);
      await migrate(db, SCHEMA);
    } finally {
      await db.close();
    }
  });
  afterAll(async () => {
    const db = await connectPostgres();
    try {
      await db.run(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    } finally {
      await db.close();
    }
  });
  checkpointStoreSuite("postgres", connectPostgres);
});
