import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamCounts } from "../../src/streaming/contracts.js";
import { partitionOf } from "../../src/streaming/ingest/partition-of.js";
import { connectJetStream, type JetStreamHandles } from "../../src/streaming/sources/nats-connection.js";
import { ensureStream } from "../../src/streaming/sources/nats-stream.js";
import { NATS_URL, natsAvailable, POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { publishFileLines, runTimeline, uniqueSuffix, writeUserEventsJob } from "../support/stream-nats.js";
import { lakeEventsFingerprint } from "../support/stream-outputs.js";
import { generateUserEvents } from "../support/user-events.js";
import { dropSchemas, runWeir, spawnWeir, waitFor } from "../support/weir-process.js";

/**
 * A job over a subject-partitioned stream (6 partitions, each user's events in one) run by
 * THREE processes at once, one of them killed with SIGKILL mid-run: the two left take over
 * its partitions (its PID is dead on this host, so at once) and finish, and the outputs
 * equal those of ONE process that ran the job alone. Each partition is owned by one process
 * at a time: no (partition, epoch) is checkpointed twice, and each owner's epochs follow
 * the previous owner's.
 *
 * The processes share the metadata store (leases and checkpoints: PostgreSQL, in a schema
 * of its own), the warehouse (PostgreSQL, `--warehouse-url`) and the lake. DuckDB files
 * cannot be shared by processes, so each process has its own home (its DuckDB, used by the
 * lake for writing files); the lake root is always `<home>/lake` (not configurable), so each
 * home's `lake` is a symlink to one shared folder, which the lake's cross-process dataset
 * locks guard.
 *
 * PostgreSQL engine URLs take no schema (the pool sets its own session options), so the
 * jobs write to tables named in a schema of this test (`windows.table`), and the quarantine
 * tables and epoch ledger rows are the job's own by its id (unique per run).
 */
const EVENTS = Number(process.env.WEIR_STREAM_PARTITION_EVENTS ?? 600_000);
const PARTITIONS = 6;
const PROCESSES = 3;

const suffix = uniqueSuffix();
const SUBJECT = `weir.test.parts.${suffix}`;
const STREAM = `WEIR_T_PARTS_${suffix}`;
const SCHEMA = `weir_t_parts_${suffix}`;
const META_SCHEMA = `weir_t_parts_meta_${suffix}`;
const REF_JOB = `parts-ref-${suffix}`;
const JOB = `parts-${suffix}`;
const REF_TABLE = `${SCHEMA}.ref_metrics`;
const TABLE = `${SCHEMA}.metrics`;
const word = (job: string) => job.replace(/\W/g, "_");

let dir: string;
let refJobFile: string;
let jobFile: string;
let malformed: number;
let nats: JetStreamHandles | undefined;
const started: ChildProcess[] = [];

/** `POSTGRES_URL` with `?schema=` for the metadata store. */
function metadataUrl(): string {
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("schema", META_SCHEMA);
  return url.toString();
}

/** The partition of a line: its user's (`partitionOf`), or by its index for a line without a user. */
function partitionOfLine(line: string | Uint8Array, index: number): number {
  const text = typeof line === "string" ? line : Buffer.from(line).toString("latin1");
  const user = /"user_id":"([^"]*)"/.exec(text)?.[1];
  return user === undefined ? index % PARTITIONS : partitionOf(user, PARTITIONS);
}

const ready = natsAvailable && postgresAvailable;

beforeAll(async () => {
  if (!ready) return;
  dir = mkdtempSync(join(tmpdir(), "weir-stream-partitions-"));
  const file = join(dir, "events.ndjson");
  const generated = generateUserEvents(file, EVENTS);
  malformed = generated.malformed;
  for (const [name, id, table] of [
    ["ref-job", REF_JOB, REF_TABLE],
    ["job", JOB, TABLE],
  ] as const) {
    mkdirSync(join(dir, name));
    const written = writeUserEventsJob(join(dir, name), {
      id,
      source: { type: "nats", subject: SUBJECT, stream: STREAM, partitions: PARTITIONS },
      table,
    });
    if (id === REF_JOB) refJobFile = written;
    else jobFile = written;
  }
  nats = await connectJetStream(NATS_URL, "weir partitions test");
  await ensureStream(nats.jsm, STREAM, SUBJECT);
  const published = await publishFileLines(
    nats.nc,
    file,
    (line, i) => `${SUBJECT}.${partitionOfLine(line, i)}`,
  );
  expect(published.messages).toBe(generated.lines);
  rmSync(file);
  console.info(
    `stream-partitions: ${published.messages} events (${malformed} malformed) over ${PARTITIONS} subjects published in ${(published.ms / 1000).toFixed(1)} s`,
  );
}, 300_000);

afterAll(async () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (nats) {
    await nats.jsm.streams.delete(STREAM).catch(() => undefined);
    await nats.nc.close();
  }
  if (ready) {
    await dropSchemas(SCHEMA, META_SCHEMA);
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      for (const job of [REF_JOB, JOB]) {
        await client.query(`DROP TABLE IF EXISTS quarantine."${word(job)}_dead_letters"`);
        await client.query(`DROP TABLE IF EXISTS quarantine."${word(job)}_late_events"`);
        await client.query("DELETE FROM weir_stream.epochs WHERE job = $1", [job]).catch(() => undefined);
      }
    } finally {
      await client.end();
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Rows of `a` not in `b` and of `b` not in `a` (as multisets), over `columns`. */
async function difference(client: pg.Client, a: string, b: string, columns: string, where = "") {
  const count = async (x: string, y: string) =>
    Number(
      (
        await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM (SELECT ${columns} FROM ${x} ${where} EXCEPT ALL SELECT ${columns} FROM ${y} ${where}) d`,
        )
      ).rows[0]!.n,
    );
  const rows = async (x: string) =>
    Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${x} ${where}`)).rows[0]!.n);
  return { rowsA: await rows(a), rowsB: await rows(b), onlyA: await count(a, b), onlyB: await count(b, a) };
}

interface StatusRow {
  job: string;
  partition: string;
  epoch: number;
  counts: StreamCounts | null;
  pendingEpoch: number | null;
  owner: string | null;
}

function sum(rows: StatusRow[]): StreamCounts {
  const total = { in: 0, parsed: 0, deadLettered: 0, kept: 0, filteredOut: 0, late: 0, windowsEmitted: 0 };
  for (const r of rows)
    for (const k of Object.keys(total) as (keyof StreamCounts)[]) total[k] += r.counts?.[k] ?? 0;
  return total;
}

describe.skipIf(!ready)("stream job over 6 partitions, 3 processes, one killed", () => {
  it("gives the one-process run's window rows, lake events, dead letters and late events; one owner per partition at a time", async () => {
    const common = ["--nats-url", NATS_URL, "--warehouse-url", POSTGRES_URL];

    // The reference: one process over every partition.
    const refHome = join(dir, "ref");
    const refStarted = Date.now();
    const ref = await runWeir(
      ["stream", "run", refJobFile, ...common, "--stop-when-idle", "5s", "--json"],
      { WEIR_HOME: refHome },
      started,
    );
    expect(ref.code, ref.stderr).toBe(0);
    const refMs = Date.now() - refStarted;
    const refSummary = JSON.parse(ref.stdout) as {
      counts: StreamCounts;
      partitions: { partition: string }[];
    };
    expect(refSummary.counts.in).toBe(EVENTS);
    expect(refSummary.partitions.map((p) => p.partition).sort()).toEqual(["0", "1", "2", "3", "4", "5"]);

    // Three processes sharing the metadata store, the warehouse and the lake.
    const sharedLake = join(dir, "shared-lake");
    mkdirSync(sharedLake);
    const env = (i: number) => {
      const home = join(dir, `proc-${i}`);
      mkdirSync(home);
      symlinkSync(sharedLake, join(home, "lake"), "dir");
      return { WEIR_HOME: home, WEIR_METADATA_URL: metadataUrl() };
    };
    const envs = Array.from({ length: PROCESSES }, (_, i) => env(i));
    const runStarted = Date.now();
    const procs = envs.map((e) =>
      spawnWeir(
        ["stream", "run", jobFile, ...common, "--lease-ttl", "3s", "--stop-when-idle", "5s", "--events"],
        e,
        started,
      ),
    );
    const timelines = procs.map(runTimeline);
    const exits = procs.map((p) => p.exited);

    // Kill the first process to commit a checkpoint, while it holds partitions with work left.
    let victim = -1;
    await waitFor(
      "a first checkpoint",
      () => {
        victim = timelines.findIndex((t) => t.some((e) => e.event.type === "stream.checkpoint"));
        return victim >= 0 || procs.some((p) => p.child.exitCode !== null);
      },
      180_000,
    );
    expect(victim, procs.map((p) => p.stderr()).join("\n")).toBeGreaterThanOrEqual(0);
    const killedAt = Date.now();
    procs[victim]!.child.kill("SIGKILL");
    expect(await exits[victim]).toBeNull();
    const survivors = [0, 1, 2].filter((i) => i !== victim);
    for (const i of survivors) expect(await exits[i], procs[i]!.stderr()).toBe(0);
    const runMs = Date.now() - runStarted;
    console.info(
      `stream-partitions: reference (1 process) ${(refMs / 1000).toFixed(1)} s; 3 processes ${(runMs / 1000).toFixed(1)} s, process ${victim} killed after ${((killedAt - runStarted) / 1000).toFixed(1)} s`,
    );

    for (const [proc, events] of timelines.entries()) {
      const lines = events
        .filter((e) => e.event.type !== "stream.checkpoint" || e.event.epoch <= 2)
        .map(({ at, event }) => {
          const t = ((at - runStarted) / 1000).toFixed(1);
          if (event.type === "stream.partition.started")
            return `${t} p${event.partition} started@${event.epoch}`;
          if (event.type === "stream.checkpoint")
            return `${t} p${event.partition} e${event.epoch} ${event.checkpointMs}ms`;
          return `${t} p${event.partition} ${event.reason}`;
        });
      console.info(`process ${proc}${proc === victim ? " (killed)" : ""}: ${lines.join(", ")}`);
    }

    // One owner per partition at a time. A session is one process's hold of a partition,
    // from its "started" to its "stopped" (or the kill); ownership may move several times
    // (a lease that ran out under load, a partition drained and released), but no epoch is
    // checkpointed twice and the epochs of the sessions of a partition never interleave.
    interface Session {
      proc: number;
      partition: string;
      startedAt: number;
      fromEpoch: number;
      epochs: number[];
    }
    const sessions: Session[] = [];
    const checkpointedBy = new Map<string, number>();
    for (const [proc, events] of timelines.entries()) {
      const open = new Map<string, Session>();
      for (const { at, event } of events) {
        if (event.type === "stream.partition.started") {
          const session = {
            proc,
            partition: event.partition,
            startedAt: at,
            fromEpoch: event.epoch,
            epochs: [],
          };
          open.set(event.partition, session);
          sessions.push(session);
        } else if (event.type === "stream.partition.stopped") {
          expect(event.reason, event.error).not.toBe("failed");
          open.delete(event.partition);
        } else if (event.type === "stream.checkpoint") {
          const key = `${event.partition}/${event.epoch}`;
          expect(
            checkpointedBy.has(key),
            `epoch ${key} checkpointed by processes ${checkpointedBy.get(key)} and ${proc}`,
          ).toBe(false);
          checkpointedBy.set(key, proc);
          const session = open.get(event.partition);
          expect(session, `checkpoint ${key} of process ${proc} outside a session`).toBeDefined();
          expect(event.epoch).toBeGreaterThan(Math.max(session!.fromEpoch, ...session!.epochs));
          session!.epochs.push(event.epoch);
        }
      }
    }
    const partitions = ["0", "1", "2", "3", "4", "5"];
    for (const partition of partitions) {
      const held = sessions
        .filter((x) => x.partition === partition && x.epochs.length > 0)
        .sort((a, b) => a.epochs[0]! - b.epochs[0]!);
      expect(held.length, `partition ${partition} checkpointed`).toBeGreaterThan(0);
      for (let i = 1; i < held.length; i++) {
        expect(held[i]!.epochs[0], `partition ${partition}: sessions interleave`).toBeGreaterThan(
          held[i - 1]!.epochs.at(-1)!,
        );
      }
    }
    // What the killed process held when it died was taken over by the others, from its checkpoints.
    const victimHeld = partitions.filter((partition) => {
      const last = timelines[victim]!.filter((e) => e.event.partition === partition).at(-1);
      return last !== undefined && last.event.type !== "stream.partition.stopped";
    });
    expect(victimHeld.length, "the killed process held partitions").toBeGreaterThan(0);
    for (const partition of victimHeld) {
      const victimSession = sessions.filter((x) => x.proc === victim && x.partition === partition).at(-1)!;
      const lastByVictim = Math.max(victimSession.fromEpoch, ...victimSession.epochs);
      const takeovers = sessions.filter(
        (x) => x.proc !== victim && x.partition === partition && x.startedAt >= victimSession.startedAt,
      );
      expect(takeovers.length, `partition ${partition} taken over`).toBeGreaterThan(0);
      expect(Math.max(...takeovers.map((x) => x.fromEpoch))).toBeGreaterThanOrEqual(lastByVictim);
    }

    // Checkpoints: every partition committed, no pending epoch, counts as the reference's.
    const status = await runWeir(["stream", "status", JOB, "--json"], envs[survivors[0]!]!, started);
    expect(status.code, status.stderr).toBe(0);
    const rows = (JSON.parse(status.stdout) as StatusRow[]).filter((r) => r.job === JOB);
    expect(rows.map((r) => r.partition)).toEqual(["0", "1", "2", "3", "4", "5"]);
    for (const r of rows) {
      expect(r.pendingEpoch).toBeNull();
      expect(r.owner).toBeNull();
    }
    const refStatus = await runWeir(["stream", "status", REF_JOB, "--json"], { WEIR_HOME: refHome }, started);
    expect(refStatus.code, refStatus.stderr).toBe(0);
    const refRows = (JSON.parse(refStatus.stdout) as StatusRow[]).filter((r) => r.job === REF_JOB);
    const counts = sum(rows);
    expect(counts.in).toBe(EVENTS);
    expect(counts.deadLettered).toBe(malformed);
    const { windowsEmitted: _a, ...got } = counts;
    const { windowsEmitted: _b, ...want } = sum(refRows);
    expect(got).toEqual(want);
    for (const r of rows) {
      const { windowsEmitted: _c, ...p } = r.counts!;
      const { windowsEmitted: _d, ...q } = refRows.find((x) => x.partition === r.partition)!.counts!;
      expect(p, `partition ${r.partition}`).toEqual(q);
    }

    // The outputs: the same rows as the reference's.
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    try {
      const windows = await difference(
        client,
        REF_TABLE,
        TABLE,
        "window_start, window_end, user_id, event_count, unique_event_types, event_types::text",
      );
      expect(windows).toEqual({ rowsA: windows.rowsA, rowsB: windows.rowsA, onlyA: 0, onlyB: 0 });
      expect(windows.rowsA).toBeGreaterThan(0);
      const dead = await difference(
        client,
        `quarantine.${word(REF_JOB)}_dead_letters`,
        `quarantine.${word(JOB)}_dead_letters`,
        '"partition", position, kind, error, raw',
      );
      expect(dead).toEqual({ rowsA: malformed, rowsB: malformed, onlyA: 0, onlyB: 0 });
      const late = await difference(
        client,
        `quarantine.${word(REF_JOB)}_late_events`,
        `quarantine.${word(JOB)}_late_events`,
        '"partition", position, event_time, watermark, reason, event::text',
      );
      expect(late).toEqual({ rowsA: late.rowsA, rowsB: late.rowsA, onlyA: 0, onlyB: 0 });
      expect(late.rowsA).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
    const refEvents = await lakeEventsFingerprint(join(refHome, "lake"));
    expect(await lakeEventsFingerprint(sharedLake)).toEqual(refEvents);
    expect(refEvents.rows).toBe(refSummary.counts.kept);
  }, 900_000);
});
