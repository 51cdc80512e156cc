import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamCounts } from "../../src/streaming/contracts.js";
import { type OracleResult, streamOracle } from "../support/stream-oracle.js";
import { type StreamFingerprint, streamFingerprint } from "../support/stream-outputs.js";
import { generateUserEvents } from "../support/user-events.js";
import { runWeir } from "../support/weir-process.js";

/**
 * `weir stream list|run|status|reset` as a user runs them (spawned, a temporary home), on
 * the user-events example replayed from a file.
 */
const EVENTS = 20_000;

let dir: string;
let home: string;
let file: string;
let lineCount: number;
let expected: OracleResult;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-stream-cli-"));
  home = join(dir, "home");
  file = join(dir, "events.ndjson");
  generateUserEvents(file, EVENTS, { users: 300 });
  const lines = readFileSync(file, "utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  lineCount = lines.length;
  expected = streamOracle(lines, {
    boundMs: 10_000,
    latenessMs: 60_000,
    keep: new Set(["page_view", "click", "purchase"]),
    window: { kind: "tumbling", sizeMs: 300_000 },
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const weir = (...args: string[]) => runWeir(args, { WEIR_HOME: home });

interface StatusRow {
  job: string;
  partition: string;
  epoch: number;
  position: number;
  watermark: string | null;
  watermarkLagMs: number | null;
  inputEnded: boolean;
  lag: number | null;
  counts: StreamCounts | null;
  pendingEpoch: number | null;
  owner: string | null;
}

async function status(): Promise<StatusRow[]> {
  const r = await weir("stream", "status", "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusRow[];
}

async function sqlCounts(): Promise<{ windows: number; events: number; distinctEvents: number }> {
  const r = await weir(
    "sql",
    `SELECT (SELECT count(*) FROM user_metrics_real_time) AS windows,
            (SELECT count(*) FROM lake_raw.events) AS events,
            (SELECT count(DISTINCT event_id) FROM lake_raw.events) AS distinct_events`,
    "--json",
  );
  expect(r.code, r.stderr).toBe(0);
  const [row] = JSON.parse(r.stdout) as Record<string, unknown>[];
  return {
    windows: Number(row!.windows),
    events: Number(row!.events),
    distinctEvents: Number(row!.distinct_events),
  };
}

function expectReconciled(c: StreamCounts) {
  expect(c.in).toBe(lineCount);
  expect(c.in).toBe(c.parsed + c.deadLettered);
  expect(c.parsed).toBe(c.kept + c.filteredOut + c.late);
  expect(c.kept).toBe(expected.kept);
  expect(c.late).toBe(expected.late.length);
  expect(c.deadLettered).toBe(expected.dead.length);
}

describe("weir stream (CLI)", () => {
  it("list shows user-events with its source and outputs, as a table and as JSON", async () => {
    const [table, json] = await Promise.all([weir("stream", "list"), weir("stream", "list", "--json")]);
    expect(table.code, table.stderr).toBe(0);
    const line = table.stdout.split("\n").find((l) => l.startsWith("user-events"));
    expect(line).toMatch(/nats:user-events/);
    expect(line).toMatch(/lake\.raw\.events, user_metrics_real_time \(update\)/);
    expect(json.code, json.stderr).toBe(0);
    const jobs = JSON.parse(json.stdout) as { id: string; source: string; outputs: string; file: string }[];
    expect(jobs.find((j) => j.id === "user-events")).toMatchObject({
      source: "nats:user-events",
      outputs: "lake.raw.events, user_metrics_real_time (update)",
      file: expect.stringMatching(/examples\/user-events\/stream\.ts$/),
    });
  });

  it("status before any run says so (and creates no home); an unknown job fails with STREAM_JOB_INVALID, exit 2", async () => {
    const [text, json, nope] = await Promise.all([
      weir("stream", "status"),
      weir("stream", "status", "--json"),
      weir("stream", "run", "nope"),
    ]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/no stream has run yet/);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(nope.code).toBe(2);
    expect(nope.stderr).toMatch(/STREAM_JOB_INVALID/);
    expect(nope.stderr).toMatch(/no stream job "nope"/);
    expect(existsSync(home)).toBe(false);
  });

  let firstRun: { status: StatusRow; fingerprint: StreamFingerprint } | undefined;

  it("run --from-file --json: the summary reconciles, and weir sql sees the window table and the lake view", async () => {
    const run = await weir("stream", "run", "user-events", "--from-file", file, "--json");
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { job: string; counts: StreamCounts; partitions: unknown[] };
    expect(summary.job).toBe("user-events");
    expect(summary.partitions).toEqual([{ partition: "file", result: "end" }]);
    expectReconciled(summary.counts);

    const seen = await sqlCounts();
    expect(seen.windows).toBe(expected.windows.size);
    expect(seen.events).toBe(expected.kept);
    expect(seen.distinctEvents).toBe(expected.kept);

    const [row, ...others] = await status();
    expect(others).toEqual([]);
    expect(row).toMatchObject({
      job: "user-events",
      partition: "file",
      position: lineCount,
      // A replay read to its end: every window closed, the watermark past all time.
      watermark: null,
      watermarkLagMs: null,
      inputEnded: true,
      pendingEpoch: null,
      owner: null,
    });
    expect(row!.epoch).toBeGreaterThanOrEqual(1);
    expect(row!.counts).toEqual(summary.counts);
    const text = await weir("stream", "status");
    expect(text.stdout).toMatch(/user-events\s+file\s+\d+\s+20000\s+\?\s+end of input/);
    firstRun = { status: row!, fingerprint: await streamFingerprint(home) };
  }, 120_000);

  it("reset --to earliest reprocesses the file: positions from 0, epochs keep counting up, the windows converge to the same rows, and the lake gets the events a second time", async () => {
    expect(firstRun, "the run test ran").toBeDefined();
    const before = firstRun!;
    const reset = await weir("stream", "reset", "user-events", "--to", "earliest", "--from-file", file);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toMatch(/user-events\/file: reads after position 0/);

    const [afterReset] = await status();
    expect(afterReset).toMatchObject({
      position: 0,
      epoch: before.status.epoch,
      inputEnded: false,
      watermark: null,
    });
    expect(afterReset!.counts?.in ?? 0).toBe(0);

    const again = await weir("stream", "run", "user-events", "--from-file", file, "--json");
    expect(again.code, again.stderr).toBe(0);
    expectReconciled((JSON.parse(again.stdout) as { counts: StreamCounts }).counts);

    const [after] = await status();
    expect(after!.position).toBe(lineCount);
    expect(after!.epoch).toBeGreaterThan(before.status.epoch);
    expect(after!.inputEnded).toBe(true);

    const fingerprint = await streamFingerprint(home);
    // The warehouse: windows upserted by (window_start, user_id) end as they were; dead
    // letters and late events are keyed by position, so not doubled.
    expect(fingerprint.metrics).toEqual(before.fingerprint.metrics);
    expect(fingerprint.deadLetters).toEqual(before.fingerprint.deadLetters);
    expect(fingerprint.late).toEqual(before.fingerprint.late);
    // The lake is an append log: a reset replays on purpose, so every kept event is there twice.
    expect(fingerprint.events.rows).toBe(2 * before.fingerprint.events.rows);
    expect(BigInt(fingerprint.events.hash)).toBe(2n * BigInt(before.fingerprint.events.hash));
    const seen = await sqlCounts();
    expect(seen).toEqual({
      windows: expected.windows.size,
      events: 2 * expected.kept,
      distinctEvents: expected.kept,
    });
  }, 180_000);
});
