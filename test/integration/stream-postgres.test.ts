import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import reference from "../../examples/user-events/stream.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../../src/engines/engine.js";
import { openEngine } from "../../src/engines/open-engine.js";
import { Lake } from "../../src/lake/lake.js";
import { SqliteMetadataStore } from "../../src/metadata/sqlite-metadata-store.js";
import type { StreamCounts } from "../../src/streaming/contracts.js";
import { defineStreamJob, type StreamJobDefinition } from "../../src/streaming/define-stream-job.js";
import { createStreamSinks } from "../../src/streaming/open-stream-parts.js";
import { runStreamJob, type StreamRunResult } from "../../src/streaming/run-stream-job.js";
import { FileReplaySource } from "../../src/streaming/sources/file-source.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { type OracleResult, streamOracle } from "../support/stream-oracle.js";
import { generateUserEvents } from "../support/user-events.js";
import { runWeir } from "../support/weir-process.js";

/**
 * The reference job (examples/user-events) with its window table on PostgreSQL: every
 * window, dead letter and late event as a brute-force oracle computes them; a second run
 * over the same checkpoints writes nothing; and `weir stream run --warehouse-url` writes
 * the same windows.
 */
const EVENTS = 60_000;
const id = randomBytes(4).toString("hex");
const schema = `weir_t_stream_pg_${id}`;
const table = `${schema}.user_metrics_real_time`;
const jobId = `pg-ref-${id}`;
const prefix = jobId.replace(/\W/g, "_");
/**
 * The CLI runs the job as it is (`user_metrics_real_time`, `quarantine.user_events_*`,
 * unqualified), and a warehouse URL cannot pick a schema: it gets a database of its own.
 */
const cliDatabase = `weir_t_stream_pg_cli_${id}`;

let dir: string;
let file: string;
let lines: string[];
let malformed: number;
let expected: OracleResult;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-stream-pg-"));
  file = join(dir, "events.ndjson");
  malformed = generateUserEvents(file, EVENTS, { users: 400 }).malformed;
  lines = readFileSync(file, "utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  expected = streamOracle(lines, {
    boundMs: 10_000,
    latenessMs: 60_000,
    keep: new Set(["page_view", "click", "purchase"]),
    window: { kind: "tumbling", sizeMs: 300_000 },
  });
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!postgresAvailable) return;
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.query(
      `DROP TABLE IF EXISTS quarantine."${prefix}_dead_letters", quarantine."${prefix}_late_events"`,
    );
    await client.query(`DELETE FROM weir_stream.epochs WHERE job = $1`, [jobId]).catch(() => undefined);
    await client.query(`DROP DATABASE IF EXISTS "${cliDatabase}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
});

/** The window rows, dead letters, late events and sink epochs a job left in a PostgreSQL warehouse. */
interface Written {
  windows: Map<string, { end: number; count: number; types: string[] }>;
  /** md5 of every window row in key order: equal when the rows are. */
  windowsHash: string;
  dead: { position: number; raw: string; kind: string }[];
  late: number[];
  epochs: { sink: string; epoch: number; committed_at: string }[];
}

async function written(engine: Engine, job: string, windowTable: string): Promise<Written> {
  const q = (quarantine: string) => `quarantine.${job.replace(/\W/g, "_")}_${quarantine}`;
  const rows = await engine.query<Record<string, unknown>>(
    `SELECT (extract(epoch FROM window_start) * 1000)::bigint AS s, (extract(epoch FROM window_end) * 1000)::bigint AS e,
            user_id, event_count, unique_event_types, event_types::text AS types
       FROM ${windowTable} ORDER BY 1, user_id`,
  );
  const windows = new Map<string, { end: number; count: number; types: string[] }>();
  for (const r of rows) {
    const key = `${Number(r.s)}|${r.user_id}`;
    expect(windows.has(key), `one row per window and user: ${key}`).toBe(false);
    const types = JSON.parse(String(r.types)) as string[];
    expect(Number(r.unique_event_types)).toBe(types.length);
    windows.set(key, { end: Number(r.e), count: Number(r.event_count), types });
  }
  const [hash] = await engine.query<{ h: string | null }>(
    `SELECT md5(string_agg(concat_ws('|', window_start, window_end, user_id, event_count, unique_event_types, event_types::text), E'\\n'
              ORDER BY window_start, user_id)) AS h FROM ${windowTable}`,
  );
  const dead = (
    await engine.query<{ position: unknown; raw: Buffer; kind: string }>(
      `SELECT position, raw, kind FROM ${q("dead_letters")} ORDER BY position`,
    )
  ).map((r) => ({ position: Number(r.position), raw: Buffer.from(r.raw).toString("utf8"), kind: r.kind }));
  const late = (
    await engine.query<{ position: unknown }>(`SELECT position FROM ${q("late_events")} ORDER BY position`)
  ).map((r) => Number(r.position));
  const epochs = (
    await engine.query<{ sink: string; epoch: unknown; committed_at: string }>(
      `SELECT sink, epoch, committed_at::text AS committed_at FROM weir_stream.epochs WHERE job = $1 ORDER BY sink`,
      [job],
    )
  ).map((r) => ({ sink: r.sink, epoch: Number(r.epoch), committed_at: r.committed_at }));
  return { windows, windowsHash: String(hash?.h), dead, late, epochs };
}

/** Every window, dead letter and late event as the oracle has them. */
function expectOracle(got: Written) {
  expect(got.windows.size).toBe(expected.windows.size);
  for (const [key, w] of expected.windows) {
    const row = got.windows.get(key);
    expect(row, key).toBeDefined();
    expect(row!.end).toBe(w.end);
    expect(row!.count).toBe(w.count);
    expect(row!.types).toEqual(w.types);
  }
  expect(got.dead.map((d) => d.position)).toEqual(expected.dead);
  // Dead letters keep the input as received.
  for (const d of got.dead) expect(d.raw).toBe(lines[d.position - 1]);
  expect(got.late).toEqual(expected.late);
}

function expectReconciled(c: StreamCounts) {
  expect(c.in).toBe(lines.length);
  expect(c.in).toBe(c.parsed + c.deadLettered);
  expect(c.parsed).toBe(c.kept + c.filteredOut + c.late);
  expect(c.deadLettered).toBe(expected.dead.length);
  expect(c.late).toBe(expected.late.length);
  expect(c.kept).toBe(expected.kept);
  expect(c.filteredOut).toBe(expected.filtered);
}

describe.skipIf(!postgresAvailable)("the user-events job on a PostgreSQL warehouse", () => {
  let job: StreamJobDefinition;
  let first: Written;

  /** Runs the job over the file with the store, lake and PostgreSQL warehouse of `home`. */
  async function run(
    home: string,
  ): Promise<{ result: StreamRunResult; counts?: StreamCounts; checkpoints: number }> {
    const store = await SqliteMetadataStore.open({ path: join(home, "weir.db") });
    const duck = await DuckDBEngine.create({ path: join(home, "lake.duckdb") });
    const warehouse = await openEngine(POSTGRES_URL);
    const source = new FileReplaySource({ path: file });
    try {
      const lake = await Lake.open({ root: join(home, "lake"), engine: duck });
      let counts: StreamCounts | undefined;
      let checkpoints = 0;
      const result = await runStreamJob(job, {
        source,
        store: store.streams,
        sinks: createStreamSinks(job, { lake, warehouse }),
        onEvent: (e) => {
          if (e.type !== "stream.checkpoint") return;
          counts = e.counts;
          checkpoints++;
        },
      });
      return { result, ...(counts ? { counts } : {}), checkpoints };
    } finally {
      await source.close();
      await warehouse.close();
      await duck.close();
      await store.close();
    }
  }

  async function withWarehouse<T>(fn: (engine: Engine) => Promise<T>, url = POSTGRES_URL): Promise<T> {
    const engine = await openEngine(url);
    try {
      return await fn(engine);
    } finally {
      await engine.close();
    }
  }

  it("writes every window, dead letter and late event the oracle computes (60k events, several epochs)", async () => {
    // The reference definition as it is, but for a unique id (quarantine tables, epochs), the
    // file, a table in this file's schema and epochs small enough that windows are upserted again.
    job = defineStreamJob({
      ...reference,
      id: jobId,
      source: { type: "file", path: file },
      windows: { ...reference.windows!, table },
      checkpoint: { everyMessages: 7_000 },
    });
    await withWarehouse((engine) => engine.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`));
    const home = join(dir, "in-process");
    const { result, counts, checkpoints } = await run(home);
    expect(result.partitions).toEqual([{ partition: "file", result: "end" }]);
    expect(checkpoints).toBeGreaterThanOrEqual(Math.floor(EVENTS / 7_000));
    expectReconciled(counts!);
    expect(expected.dead.length).toBe(malformed);
    expect(expected.late.length).toBeGreaterThan(0);

    first = await withWarehouse((engine) => written(engine, jobId, table));
    expectOracle(first);
    expect(first.epochs).toEqual([
      { sink: `warehouse:${table}`, epoch: checkpoints, committed_at: expect.any(String) },
    ]);
    const [column] = await withWarehouse((engine) =>
      engine.query<{ data_type: string }>(
        `SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'user_metrics_real_time' AND column_name = 'window_start'`,
        [schema],
      ),
    );
    expect(column?.data_type).toBe("timestamp with time zone");

    // The kept events went to the lake (DuckDB files) alongside.
    const duck = await DuckDBEngine.create({ path: join(home, "lake.duckdb") });
    try {
      const scan = await (await Lake.open({ root: join(home, "lake"), engine: duck }))
        .dataset("lake.raw.events")
        .scanSql();
      const [n] = await duck.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${scan}`);
      expect(Number(n!.n)).toBe(expected.kept);
    } finally {
      await duck.close();
    }
  }, 120_000);

  it("a second run over the same checkpoints reads nothing and changes nothing", async () => {
    expect(first, "the first test ran").toBeDefined();
    const { result, checkpoints } = await run(join(dir, "in-process"));
    expect(result.partitions).toEqual([{ partition: "file", result: "end" }]);
    expect(checkpoints).toBe(0);
    const again = await withWarehouse((engine) => written(engine, jobId, table));
    expect(again.windowsHash).toBe(first.windowsHash);
    expect(again.dead).toEqual(first.dead);
    expect(again.late).toEqual(first.late);
    expect(again.epochs).toEqual(first.epochs);
  }, 60_000);

  it("`weir stream run user-events --from-file F --warehouse-url postgres://…` writes the same windows", async () => {
    expect(first, "the first test ran").toBeDefined();
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${cliDatabase}"`);
    } finally {
      await admin.end();
    }
    const url = new URL(POSTGRES_URL);
    url.pathname = `/${cliDatabase}`;
    const home = join(dir, "cli-home");
    const cli = await runWeir(
      ["stream", "run", "user-events", "--from-file", file, "--warehouse-url", url.href, "--json"],
      { WEIR_HOME: home },
    );
    expect(cli.code, cli.stderr).toBe(0);
    const summary = JSON.parse(cli.stdout) as { job: string; counts: StreamCounts; partitions: unknown[] };
    expect(summary.job).toBe("user-events");
    expect(summary.partitions).toEqual([{ partition: "file", result: "end" }]);
    expectReconciled(summary.counts);

    const got = await withWarehouse(
      (engine) => written(engine, "user-events", "user_metrics_real_time"),
      url.href,
    );
    // Where an unqualified table lands on PostgreSQL: the search path's first schema.
    const [where] = await withWarehouse(
      (engine) =>
        engine.query<{ s: string }>(
          `SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'user_metrics_real_time'`,
        ),
      url.href,
    );
    expect(where?.s).toBe("public");
    expect(got.windows.size).toBeGreaterThan(0);
    expect(got.windowsHash).toBe(first.windowsHash);
    expect(got.dead).toEqual(first.dead);
    expect(got.late).toEqual(first.late);
    expect(got.epochs.map((e) => e.sink)).toEqual(["warehouse:user_metrics_real_time"]);
  }, 120_000);
});
