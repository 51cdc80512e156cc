import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../../src/lake/lake.js";
import { SqliteMetadataStore } from "../../src/metadata/sqlite-metadata-store.js";
import {
  approxCountDistinct,
  approxQuantile,
  avg,
  collectSet,
  count,
  countDistinct,
  max,
  min,
  sum,
} from "../../src/streaming/aggregates/index.js";
import type { StreamCounts } from "../../src/streaming/contracts.js";
import { defineStreamJob, type StreamJobInput } from "../../src/streaming/define-stream-job.js";
import { eventDate, eventHour } from "../../src/streaming/derive-time.js";
import { createStreamSinks } from "../../src/streaming/open-stream-parts.js";
import { runStreamJob } from "../../src/streaming/run-stream-job.js";
import { FileReplaySource } from "../../src/streaming/sources/file-source.js";
import { hop, session, tumbling } from "../../src/streaming/windows/index.js";
import { type OracleOptions, streamOracle } from "../support/stream-oracle.js";
import { generateUserEvents } from "../support/user-events.js";

const EVENTS = 60_000;
const KEEP = new Set(["page_view", "click", "purchase"]);
const SCHEMA: StreamJobInput["schema"] = {
  event_id: "integer",
  user_id: "string",
  event_type: "string",
  timestamp: "timestamp",
  session_id: "string?",
  page_url: "string?",
  referrer_url: "string?",
  properties: "object?",
};

let dir: string;
let file: string;
let lines: string[];
let malformed: number;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-stream-oracle-"));
  file = join(dir, "events.ndjson");
  const generated = generateUserEvents(file, EVENTS, { users: 400 });
  malformed = generated.malformed;
  lines = readFileSync(file, "utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  console.info(`stream oracle: ${generated.lines} events from ${generated.source}, ${malformed} malformed`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  rows: Record<string, unknown>[];
  late: number[];
  dead: number[];
  lakeRows: number;
  counts: StreamCounts;
}

/** Runs `input` over the file into a fresh warehouse, lake and store, and reads back every output. */
async function runJob(name: string, input: Omit<StreamJobInput, "schema" | "source" | "id">): Promise<Run> {
  const home = join(dir, name);
  const job = defineStreamJob({ id: name, source: { type: "file", path: file }, schema: SCHEMA, ...input });
  const store = await SqliteMetadataStore.open({ path: join(home, "weir.db") });
  const engine = await DuckDBEngine.create({ path: join(home, "warehouse.duckdb") });
  try {
    const lake = await Lake.open({ root: join(home, "lake"), engine });
    const source = new FileReplaySource({ path: file });
    let counts: StreamCounts | undefined;
    await runStreamJob(job, {
      source,
      store: store.streams,
      sinks: createStreamSinks(job, { lake, warehouse: engine }),
      onEvent: (e) => {
        if (e.type === "stream.checkpoint") counts = e.counts;
      },
    });
    await source.close();
    const table = job.windows!.table;
    const rows = await engine.query(
      `SELECT epoch_ms(window_start) AS s, epoch_ms(window_end) AS e, * FROM ${table} ORDER BY 1, user_id`,
    );
    const prefix = name.replace(/\W/g, "_");
    const late = (
      await engine.query<{ position: number }>(
        `SELECT position FROM quarantine.${prefix}_late_events ORDER BY position`,
      )
    ).map((r) => Number(r.position));
    const dead = (
      await engine.query<{ position: number }>(
        `SELECT position FROM quarantine.${prefix}_dead_letters ORDER BY position`,
      )
    ).map((r) => Number(r.position));
    let lakeRows = 0;
    if (job.events) {
      const scan = await lake.dataset(`lake.${job.events.lake}`).scanSql();
      lakeRows = scan
        ? Number((await engine.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${scan}`))[0]!.n)
        : 0;
    }
    return { rows, late, dead, lakeRows, counts: counts! };
  } finally {
    await engine.close();
    await store.close();
  }
}

function oracle(window: OracleOptions["window"]) {
  return streamOracle(lines, { boundMs: 10_000, latenessMs: 60_000, keep: KEEP, window });
}

const eventTime = { field: "timestamp", maxOutOfOrderness: "10s", allowedLateness: "1m" };
const amount = {
  type: "double" as const,
  value: (e: Record<string, unknown>) => (e.properties as { amount?: number } | null)?.amount ?? null,
};

function expectAccounting(run: Run, expected: ReturnType<typeof oracle>) {
  const c = run.counts;
  expect(c.in).toBe(lines.filter((l) => l.trim() !== "").length);
  expect(c.in).toBe(c.parsed + c.deadLettered);
  expect(c.parsed).toBe(c.kept + c.filteredOut + c.late);
  expect(run.dead).toEqual(expected.dead);
  expect(run.late).toEqual(expected.late);
  expect(c.filteredOut).toBe(expected.filtered);
  expect(c.kept).toBe(expected.kept);
}

describe("stream windows against a brute-force oracle", () => {
  it("refuses update mode on session windows (a merge would leave the merged session's row behind)", () => {
    expect(() =>
      defineStreamJob({
        id: "s",
        source: { type: "file", path: file },
        schema: SCHEMA,
        eventTime,
        windows: {
          window: session("30s"),
          groupBy: ["user_id"],
          aggregates: { n: count() },
          mode: "update",
          table: "t",
        },
      }),
    ).toThrow(/session windows.*append/);
  });

  it("the reference job: 5-minute tumbling windows per user, count, distinct types and the set, update mode", async () => {
    const expected = oracle({ kind: "tumbling", sizeMs: 300_000 });
    const run = await runJob("ref", {
      eventTime,
      filter: (e) => KEEP.has(e.event_type as string),
      derive: { date: eventDate(), hour: eventHour() },
      events: { lake: "raw.events", partitionBy: ["date", "hour"] },
      windows: {
        window: tumbling("5m"),
        groupBy: ["user_id"],
        aggregates: {
          event_count: count(),
          unique_event_types: countDistinct("event_type"),
          event_types: collectSet("event_type"),
        },
        mode: "update",
        table: "user_metrics_real_time",
      },
      checkpoint: { everyMessages: 7_000 },
    });
    expectAccounting(run, expected);
    expect(run.dead.length).toBe(malformed);
    expect(expected.late.length).toBeGreaterThan(0);
    expect(run.lakeRows).toBe(expected.kept);
    const got = new Map(run.rows.map((r) => [`${Number(r.s)}|${r.user_id}`, r]));
    expect(got.size).toBe(expected.windows.size);
    for (const [key, w] of expected.windows) {
      const row = got.get(key);
      expect(row, key).toBeDefined();
      expect(Number(row!.e)).toBe(w.end);
      expect(Number(row!.event_count)).toBe(w.count);
      expect(Number(row!.unique_event_types)).toBe(w.types.length);
      expect(JSON.parse(String(row!.event_types))).toEqual(w.types);
    }
  });

  it("hop windows (10 min every 5 min) with sum, min, max, avg, approximate distinct count and quantiles, append mode", async () => {
    const expected = oracle({ kind: "hop", sizeMs: 600_000, slideMs: 300_000 });
    const run = await runJob("hop", {
      eventTime,
      filter: (e) => KEEP.has(e.event_type as string),
      derive: { amount },
      windows: {
        window: hop("10m", "5m"),
        groupBy: ["user_id"],
        aggregates: {
          n: count(),
          total: sum("amount"),
          low: min("amount"),
          high: max("amount"),
          mean: avg("amount"),
          types_approx: approxCountDistinct("event_type"),
          amount_q: approxQuantile("amount", [0.5, 0.9]),
        },
        mode: "append",
        table: "hop_metrics",
      },
      checkpoint: { everyMessages: 5_000 },
    });
    expectAccounting(run, expected);
    expect(run.rows.length).toBe(expected.windows.size);
    for (const row of run.rows) {
      const w = expected.windows.get(`${Number(row.s)}|${row.user_id}`)!;
      expect(w).toBeDefined();
      expect(Number(row.n)).toBe(w.count);
      const amounts = w.amounts;
      if (amounts.length === 0) {
        expect(row.total ?? 0).toBe(0);
        expect(row.low).toBeNull();
        expect(row.high).toBeNull();
        expect(row.mean).toBeNull();
      } else {
        expect(Number(row.total)).toBeCloseTo(
          amounts.reduce((a, b) => a + b, 0),
          6,
        );
        expect(Number(row.low)).toBe(Math.min(...amounts));
        expect(Number(row.high)).toBe(Math.max(...amounts));
        expect(Number(row.mean)).toBeCloseTo(amounts.reduce((a, b) => a + b, 0) / amounts.length, 6);
        const sorted = [...amounts].sort((a, b) => a - b);
        const q = JSON.parse(String(row.amount_q)) as number[];
        // DDSketch at 1% relative accuracy: within 1% of a value at the quantile's rank (±1 rank for ties at the edges).
        for (const [i, p] of [0.5, 0.9].entries()) {
          const rank = p * (sorted.length - 1);
          const lo = sorted[Math.floor(rank)]! * 0.99 - 1e-9;
          const hi = sorted[Math.ceil(rank)]! * 1.01 + 1e-9;
          expect(q[i]!).toBeGreaterThanOrEqual(lo);
          expect(q[i]!).toBeLessThanOrEqual(hi);
        }
      }
      // Few distinct values: HyperLogLog's small-range estimate is exact or nearly.
      expect(Math.abs(Number(row.types_approx) - w.types.length)).toBeLessThanOrEqual(1);
    }
  });

  it("session windows (30 s gap) per user, append mode", async () => {
    const expected = oracle({ kind: "session", gapMs: 30_000 });
    const run = await runJob("sess", {
      eventTime,
      filter: (e) => KEEP.has(e.event_type as string),
      windows: {
        window: session("30s"),
        groupBy: ["user_id"],
        aggregates: { n: count(), types: collectSet("event_type") },
        mode: "append",
        table: "sessions",
      },
      checkpoint: { everyMessages: 3_000 },
    });
    expectAccounting(run, expected);
    const got = new Map(run.rows.map((r) => [`${Number(r.s)}|${r.user_id}`, r]));
    expect(run.rows.length).toBe(expected.windows.size);
    expect(got.size).toBe(expected.windows.size);
    for (const [key, w] of expected.windows) {
      const row = got.get(key);
      expect(row, key).toBeDefined();
      expect(Number(row!.e)).toBe(w.end);
      expect(Number(row!.n)).toBe(w.count);
      expect(JSON.parse(String(row!.types))).toEqual(w.types);
    }
  });
});
