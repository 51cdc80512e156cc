import type { ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/engines/engine.js";
import { openEngine } from "../../src/engines/open-engine.js";
import type { StreamCounts } from "../../src/streaming/contracts.js";
import { connectJetStream, type JetStreamHandles } from "../../src/streaming/sources/nats-connection.js";
import { ensureStream } from "../../src/streaming/sources/nats-stream.js";
import { NATS_URL, natsAvailable, POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { uniqueSuffix, writeUserEventsJob } from "../support/stream-nats.js";
import { generateUserEvents, prng } from "../support/user-events.js";
import { dropSchemas, runWeir } from "../support/weir-process.js";

/**
 * Bad input mixed among good events, over NATS (raw bytes) and over a replayed file: the
 * job finishes, every bad message is a dead letter with its raw bytes (binary equal), its
 * kind, an error naming the problem (the field, for schema errors) and its position (the
 * stream sequence, or the line number), and the counts reconcile in the run summary and
 * in `weir stream status`.
 */
const suffix = uniqueSuffix();
const SUBJECT = `weir.test.bad.${suffix}`;
const STREAM = `WEIR_T_BAD_${suffix}`;
/** The PostgreSQL run's window table lives here; its quarantine tables are its job's. */
const PG_SCHEMA = `weir_t_bad_${suffix}`;
const PG_JOB = `bad-file-pg-${suffix}`;
const GOOD = 3000;
/** The NATS job's message limit: NATS refuses payloads over its max_payload (1 MiB by default). */
const NATS_MAX_MESSAGE_BYTES = 64 * 1024;
const TEN_MB = 10 * 1024 * 1024;

interface BadCase {
  name: string;
  data: Uint8Array;
  kind: "parse" | "schema" | "too_large";
  error: RegExp;
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, "utf8"));

/** Random bytes with NULs and invalid UTF-8, never a newline or a carriage return (a file line holds them). */
function garbage(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    let b = Math.floor(random() * 256);
    if (b === 10 || b === 13) b = 0;
    bytes[i] = b;
  }
  // Always a NUL, a lone continuation byte and an overlong sequence up front.
  bytes.set([0x00, 0xff, 0x80, 0xc0, 0xaf, 0x00], 0);
  return bytes;
}

function event(
  n: number,
  overrides: Record<string, unknown> = {},
  omit: string[] = [],
): Record<string, unknown> {
  const e: Record<string, unknown> = {
    event_id: 900_000_000 + n,
    user_id: `bad-input-user-${n}`,
    event_type: "page_view",
    timestamp: "2024-06-01T00:01:00.000Z",
    session_id: null,
    page_url: "https://shop.example.com/home",
    referrer_url: null,
    properties: {},
    ...overrides,
  };
  for (const key of omit) delete e[key];
  return e;
}

/** The bad messages every run gets; `tooLarge` is the size of the one too large for the run's limit. */
function badCases(tooLarge: { bytes: number; limit: number }): BadCase[] {
  const random = prng(99);
  const big = event(100, { properties: { padding: "x".repeat(tooLarge.bytes) } });
  const bigBytes = utf8(JSON.stringify(big));
  return [
    { name: "binary garbage", data: garbage(random, 300), kind: "parse", error: /^not JSON: / },
    { name: "long binary garbage", data: garbage(random, 20_000), kind: "parse", error: /^not JSON: / },
    {
      name: "too large",
      data: bigBytes,
      kind: "too_large",
      error: new RegExp(`^message of ${bigBytes.length} bytes is larger than ${tooLarge.limit}$`),
    },
    {
      name: "user_id a number",
      data: utf8(JSON.stringify(event(1, { user_id: 12345 }))),
      kind: "schema",
      error: /^field "user_id": expected string, got number 12345$/,
    },
    {
      name: "event_id a string",
      data: utf8(JSON.stringify(event(2, { event_id: "abc" }))),
      kind: "schema",
      error: /^field "event_id": expected integer, got the string "abc"$/,
    },
    {
      name: "missing timestamp",
      data: utf8(JSON.stringify(event(3, {}, ["timestamp"]))),
      kind: "schema",
      error: /^field "timestamp": expected timestamp, missing$/,
    },
    {
      name: "timestamp in year 9999",
      data: utf8(JSON.stringify(event(4, { timestamp: "9999-12-31T23:59:59Z" }))),
      kind: "schema",
      error:
        /^field "timestamp": 9999-12-31T23:59:59\.000Z is further ahead of the clock than maxFuture allows$/,
    },
    {
      name: "timestamp not a time",
      data: utf8(JSON.stringify(event(5, { timestamp: "yesterday" }))),
      kind: "schema",
      error: /^field "timestamp": expected timestamp, got "yesterday"$/,
    },
    {
      name: "user_id null",
      data: utf8(JSON.stringify(event(6, { user_id: null }))),
      kind: "schema",
      error: /^field "user_id": expected string, got null$/,
    },
    {
      name: "properties an array",
      data: utf8(JSON.stringify(event(7, { properties: [1, 2] }))),
      kind: "schema",
      error: /^field "properties": expected object, got an array$/,
    },
    {
      name: "a JSON array",
      data: utf8(JSON.stringify([event(8)])),
      kind: "parse",
      error: /^expected a JSON object, got an array$/,
    },
    {
      name: "empty object",
      data: utf8("{}"),
      kind: "schema",
      error: /^field "timestamp": expected timestamp, missing$/,
    },
    { name: "JSON null", data: utf8("null"), kind: "parse", error: /^expected a JSON object, got null$/ },
    {
      name: "JSON string",
      data: utf8('"hello"'),
      kind: "parse",
      error: /^expected a JSON object, got string$/,
    },
    {
      name: "truncated JSON",
      data: utf8(JSON.stringify(event(9)).slice(0, 50)),
      kind: "parse",
      error: /^not JSON: /,
    },
  ];
}

/** Good events of the generator (its own malformed lines left out), as text lines. */
function goodLines(dir: string): string[] {
  const file = join(dir, "good.ndjson");
  generateUserEvents(file, GOOD + 50, { users: 50 });
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => {
      try {
        const e = JSON.parse(line) as Record<string, unknown>;
        return typeof e === "object" && e !== null && typeof e.user_id === "string";
      } catch {
        return false;
      }
    });
  rmSync(file);
  return lines.slice(0, GOOD);
}

/** Good lines with each bad case at a random place; returns the messages in order. */
function mix(good: string[], bad: BadCase[], seed: number): { data: Uint8Array; bad?: BadCase }[] {
  const random = prng(seed);
  const out: { data: Uint8Array; bad?: BadCase }[] = good.map((line) => ({ data: utf8(line) }));
  for (const c of bad) out.splice(1 + Math.floor(random() * (out.length - 1)), 0, { data: c.data, bad: c });
  return out;
}

type DeadLetterRow = {
  partition: string;
  position: bigint | number | string;
  kind: string;
  error: string;
  raw: Uint8Array;
};

/** The dead letters of `job` in the warehouse at `url` (a home's DuckDB file, or PostgreSQL). */
async function deadLetters(url: string, job: string): Promise<DeadLetterRow[]> {
  const engine: Engine = await openEngine(url);
  try {
    return await engine.query<DeadLetterRow>(
      `SELECT "partition", position, kind, error, raw FROM quarantine.${job.replace(/\W/g, "_")}_dead_letters ORDER BY position`,
    );
  } finally {
    await engine.close();
  }
}

/** Checks every dead letter against the bad case at its position, and that nothing else was dead-lettered. */
function expectDeadLetters(
  rows: DeadLetterRow[],
  expected: { position: number; bad: BadCase }[],
  partition: string,
): void {
  expect(rows.map((r) => Number(r.position))).toEqual(expected.map((e) => e.position));
  for (const [i, row] of rows.entries()) {
    const { bad } = expected[i]!;
    expect(row.partition, bad.name).toBe(partition);
    expect(row.kind, bad.name).toBe(bad.kind);
    expect(row.error, bad.name).toMatch(bad.error);
    expect(row.error, `${bad.name}: error text`).not.toContain("\u0000");
    expect(row.raw, bad.name).toBeInstanceOf(Uint8Array);
    expect(Buffer.compare(Buffer.from(row.raw), Buffer.from(bad.data)), `${bad.name}: raw bytes`).toBe(0);
  }
}

function expectReconciled(c: StreamCounts, total: number, bad: number): void {
  expect(c.in).toBe(total);
  expect(c.deadLettered).toBe(bad);
  expect(c.in).toBe(c.parsed + c.deadLettered);
  expect(c.parsed).toBe(c.kept + c.filteredOut + c.late);
  expect(c.kept).toBeGreaterThan(0);
  expect(c.filteredOut).toBeGreaterThan(0);
}

interface StatusRow {
  job: string;
  partition: string;
  position: number;
  counts: StreamCounts | null;
  pendingEpoch: number | null;
}

/** Summary and status of a finished run: both reconcile and agree. */
function expectCounts(
  summaryText: string,
  statusText: string,
  job: string,
  total: number,
  bad: number,
  lastPosition: number,
) {
  const summary = JSON.parse(summaryText) as { job: string; counts: StreamCounts };
  expect(summary.job).toBe(job);
  expectReconciled(summary.counts, total, bad);
  const status = (JSON.parse(statusText) as StatusRow[]).filter((r) => r.job === job);
  expect(status).toHaveLength(1);
  expect(status[0]!.pendingEpoch).toBeNull();
  expect(status[0]!.position).toBe(lastPosition);
  expect(status[0]!.counts).toEqual(summary.counts);
}

let dir: string;
let good: string[];
let nats: JetStreamHandles | undefined;
const started: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-stream-bad-input-"));
  good = goodLines(dir);
  expect(good).toHaveLength(GOOD);
});

afterAll(async () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (nats) {
    await nats.jsm.streams.delete(STREAM).catch(() => undefined);
    await nats.nc.close();
  }
  if (postgresAvailable) {
    await dropSchemas(PG_SCHEMA);
    const engine = await openEngine(POSTGRES_URL);
    try {
      const word = PG_JOB.replace(/\W/g, "_");
      await engine.run(`DROP TABLE IF EXISTS quarantine.${word}_dead_letters`);
      await engine.run(`DROP TABLE IF EXISTS quarantine.${word}_late_events`);
      await engine.run("DELETE FROM weir_stream.epochs WHERE job = $1", [PG_JOB]).catch(() => 0);
    } finally {
      await engine.close();
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("stream job over bad input", () => {
  /** The mixed file replayed into a home's DuckDB warehouse, or (`pg`) into PostgreSQL. */
  async function fileRun(job: string, name: string, pg: boolean): Promise<void> {
    const jobDir = join(dir, `${name}-job`);
    mkdirSync(jobDir);
    const file = join(dir, `${name}.ndjson`);
    const jobFile = writeUserEventsJob(jobDir, {
      id: job,
      source: { type: "file", path: file },
      ...(pg ? { table: `${PG_SCHEMA}.user_metrics_real_time` } : {}),
    });
    const bad = badCases({ bytes: TEN_MB, limit: 1024 * 1024 });
    const messages = mix(good, bad, 1);
    const fd = openSync(file, "w");
    for (const m of messages) {
      writeSync(fd, m.data);
      writeSync(fd, "\n");
    }
    closeSync(fd);
    const home = join(dir, `${name}-home`);
    const run = await runWeir(
      ["stream", "run", jobFile, "--json", ...(pg ? ["--warehouse-url", POSTGRES_URL] : [])],
      { WEIR_HOME: home },
      started,
    );
    expect(run.code, run.stderr).toBe(0);
    const status = await runWeir(["stream", "status", job, "--json"], { WEIR_HOME: home }, started);
    expect(status.code, status.stderr).toBe(0);
    expectCounts(run.stdout, status.stdout, job, messages.length, bad.length, messages.length);

    const expected = messages.flatMap((m, i) => (m.bad ? [{ position: i + 1, bad: m.bad }] : []));
    const warehouse = pg ? POSTGRES_URL : `duckdb:${join(home, "warehouse.duckdb")}`;
    expectDeadLetters(await deadLetters(warehouse, job), expected, "file");
  }

  it("a replayed file: garbage, a 10 MB line, wrong types, bad timestamps, arrays and empty objects are dead letters", async () => {
    await fileRun(`bad-file-${suffix}`, "file", false);
  }, 180_000);

  // PostgreSQL text cannot hold a NUL: the error of binary garbage quotes it (JSON.parse's message).
  it.skipIf(!postgresAvailable)(
    "the same file into a PostgreSQL warehouse",
    async () => {
      await fileRun(PG_JOB, "file-pg", true);
    },
    180_000,
  );

  it.skipIf(!natsAvailable)(
    "NATS: raw bytes, garbage, too large, wrong types, bad timestamps, arrays and empty objects are dead letters",
    async () => {
      nats = await connectJetStream(NATS_URL, "weir bad-input test");
      await ensureStream(nats.jsm, STREAM, SUBJECT);
      const maxPayload = nats.nc.info?.max_payload ?? 0;
      // A 10 MB message only when the server takes one (its max_payload is 1 MiB by default);
      // otherwise "too large" is a message over the job's maxMessageBytes.
      const serverTakesTenMb = maxPayload > TEN_MB + 4096;
      console.info(
        `stream-bad-input: NATS max_payload ${maxPayload} bytes: ${serverTakesTenMb ? "a 10 MB message" : `a message over the job's maxMessageBytes (${NATS_MAX_MESSAGE_BYTES})`} is the too-large case`,
      );
      const limit = serverTakesTenMb ? 1024 * 1024 : NATS_MAX_MESSAGE_BYTES;
      const bad = badCases({ bytes: serverTakesTenMb ? TEN_MB : 200_000, limit });
      if (!serverTakesTenMb) {
        // NATS itself refuses a 10 MB message before it reaches the stream.
        expect(() => nats!.nc.publish(SUBJECT, new Uint8Array(TEN_MB))).toThrow(/payload/i);
      }
      const messages = mix(good, bad, 2);
      const positions: number[] = [];
      for (const m of messages) positions.push((await nats.js.publish(SUBJECT, m.data)).seq);

      const job = `bad-nats-${suffix}`;
      const jobDir = join(dir, "nats-job");
      mkdirSync(jobDir);
      const jobFile = writeUserEventsJob(jobDir, {
        id: job,
        source: { type: "nats", subject: SUBJECT, stream: STREAM },
        ...(serverTakesTenMb ? {} : { maxMessageBytes: NATS_MAX_MESSAGE_BYTES }),
      });
      const home = join(dir, "nats-home");
      const run = await runWeir(
        ["stream", "run", jobFile, "--nats-url", NATS_URL, "--stop-when-idle", "3s", "--json"],
        { WEIR_HOME: home },
        started,
      );
      expect(run.code, run.stderr).toBe(0);
      const status = await runWeir(["stream", "status", job, "--json"], { WEIR_HOME: home }, started);
      expect(status.code, status.stderr).toBe(0);
      expectCounts(run.stdout, status.stdout, job, messages.length, bad.length, positions.at(-1)!);

      const expected = messages.flatMap((m, i) => (m.bad ? [{ position: positions[i]!, bad: m.bad }] : []));
      expectDeadLetters(await deadLetters(`duckdb:${join(home, "warehouse.duckdb")}`, job), expected, "0");
    },
    180_000,
  );
});
