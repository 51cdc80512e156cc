import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamCounts } from "../../src/streaming/contracts.js";
import { partitionOf } from "../../src/streaming/ingest/partition-of.js";
import { connectJetStream, type JetStreamHandles } from "../../src/streaming/sources/nats-connection.js";
import { NATS_URL, natsAvailable } from "../support/servers.js";
import { generateUserEvents } from "../support/user-events.js";
import { runWeir, spawnWeir, waitFor, withStore } from "../support/weir-process.js";

/**
 * `weir stream ingest` in front of a job's NATS stream (a job file of its own, with a
 * unique subject and stream, passed by path): POSTed NDJSON is stored (202), `weir stream
 * status` counts it as lag without creating anything, and `weir stream run` consumes it.
 */
const id = randomBytes(4).toString("hex");
const jobId = `ingest-cli-${id}`;
const stream = `WEIR_T_INGEST_CLI_${id}`;
const subject = `weir.test.ingestcli.${id}`;
const table = `ingest_cli_${id}_metrics`;
const PARTITIONS = 2;

let dir: string;
let home: string;
let jobFile: string;
let lines: string[];
let malformed: number;
let nats: JetStreamHandles | undefined;
const started: ChildProcess[] = [];

const env = () => ({ WEIR_HOME: home, WEIR_NATS_URL: NATS_URL });
const weir = (...args: string[]) => runWeir(args, env(), started);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-stream-ingest-"));
  home = join(dir, "home");
  mkdirSync(join(dir, "job"));
  jobFile = join(dir, "job", "stream.ts");
  writeFileSync(
    jobFile,
    `import { count, countDistinct, defineStreamJob, tumbling } from "weir";

export default defineStreamJob({
  id: ${JSON.stringify(jobId)},
  source: { type: "nats", subject: ${JSON.stringify(subject)}, stream: ${JSON.stringify(stream)}, partitions: ${PARTITIONS} },
  schema: { event_id: "integer", user_id: "string", event_type: "string", timestamp: "timestamp",
            session_id: "string?", page_url: "string?", referrer_url: "string?", properties: "object?" },
  eventTime: { field: "timestamp", maxOutOfOrderness: "10s", allowedLateness: "1m" },
  filter: (e) => e.event_type !== "logout",
  windows: {
    window: tumbling("5m"),
    groupBy: ["user_id"],
    aggregates: { event_count: count(), unique_event_types: countDistinct("event_type") },
    mode: "update",
    table: ${JSON.stringify(table)},
  },
});
`,
  );
  const file = join(dir, "events.ndjson");
  ({ malformed } = generateUserEvents(file, 3_000, { users: 60 }));
  lines = readFileSync(file, "utf8").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
});

afterAll(async () => {
  for (const child of started) if (child.exitCode === null) child.kill("SIGKILL");
  if (nats) {
    await nats.jsm.streams.delete(stream).catch(() => undefined);
    await nats.nc.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The partition the ingest endpoint routes a line to: by user_id (the job's groupBy), else 0. */
function partitionOfLine(line: string): number {
  try {
    const event = JSON.parse(line) as { user_id?: unknown };
    return typeof event?.user_id === "string" ? partitionOf(event.user_id, PARTITIONS) : 0;
  } catch {
    return 0;
  }
}

interface StatusRow {
  partition: string;
  epoch: number;
  position: number;
  lag: number | null;
  watermark: string | null;
  inputEnded: boolean;
  counts: StreamCounts | null;
}

async function status(): Promise<StatusRow[]> {
  const r = await weir("stream", "status", jobFile, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusRow[];
}

async function streamExists(): Promise<boolean> {
  return nats!.jsm.streams.info(stream).then(
    () => true,
    (error: { code?: unknown }) => {
      if (error.code === 10059) return false;
      throw error;
    },
  );
}

describe.skipIf(!natsAvailable)("weir stream ingest → weir stream run (NATS)", () => {
  beforeAll(async () => {
    nats = await connectJetStream(NATS_URL);
  });

  it("status computes lag without creating the job's stream: unknown (null) while it does not exist", async () => {
    // Partitions known to the store (as `weir stream reset` leaves them), their stream not made yet.
    await withStore(join(home, "weir.db"), async (store) => {
      for (let p = 0; p < PARTITIONS; p++) await store.streams.reset(jobId, String(p), 0);
    });
    const rows = await status();
    expect(rows.map((r) => [r.partition, r.position, r.lag])).toEqual([
      ["0", 0, null],
      ["1", 0, null],
    ]);
    expect(await streamExists()).toBe(false);
    const text = await weir("stream", "status", jobFile);
    expect(text.stdout).toMatch(new RegExp(`${jobId}\\s+0\\s+\\d+\\s+0\\s+\\?`));
    expect(await streamExists()).toBe(false);
  }, 60_000);

  it("a file job has nothing to ingest into: STREAM_JOB_INVALID, exit 2", async () => {
    const fileJob = join(dir, "file.stream.ts");
    writeFileSync(
      fileJob,
      `import { defineStreamJob } from "weir";
export default defineStreamJob({ id: "file-only-${id}", source: { type: "file", path: "x.ndjson" },
  schema: { t: "timestamp" }, eventTime: { field: "t", maxOutOfOrderness: "1s" } });
`,
    );
    const r = await weir("stream", "ingest", fileJob, "--port", "0");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/STREAM_JOB_INVALID.*reads a file, not NATS/);
  }, 60_000);

  it("POSTed NDJSON is stored before the 202, counted as lag, and consumed by weir stream run --stop-when-idle", async () => {
    const ingest = spawnWeir(["stream", "ingest", jobFile, "--port", "0"], env(), started);
    await waitFor(
      "the ingest endpoint's URL",
      () => /http:\/\/\S+\/ingest/.test(ingest.stdout()) || ingest.child.exitCode !== null,
    );
    const endpoint = /(http:\/\/\S+\/ingest)/.exec(ingest.stdout())?.[1];
    expect(endpoint, ingest.stderr()).toBeDefined();
    expect(ingest.stdout()).toMatch(new RegExp(`nats:${stream}/${subject} \\(2 partitions by user_id\\)`));

    // Two bodies; a blank line is skipped, malformed lines are stored as they are.
    const bodies = [lines.slice(0, 1200), lines.slice(1200)];
    const seqs: number[] = [];
    for (const body of bodies) {
      const res = await fetch(endpoint!, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: `${body.join("\n")}\n\n`,
      });
      expect(res.status).toBe(202);
      const reply = (await res.json()) as {
        accepted: number;
        firstSeq: number;
        lastSeq: number;
        duplicates: number;
      };
      expect(reply).toMatchObject({ accepted: body.length, duplicates: 0 });
      expect(reply.lastSeq - reply.firstSeq).toBe(body.length - 1);
      for (let s = reply.firstSeq; s <= reply.lastSeq; s++) seqs.push(s);
    }
    // A 202 means stored: the stream holds every line now.
    expect((await nats!.jsm.streams.info(stream)).state.messages).toBe(lines.length);

    ingest.child.kill("SIGINT");
    expect(await ingest.exited, ingest.stderr()).toBe(0);
    expect(ingest.stdout()).toMatch(/stopping the ingest endpoint/);

    const perPartition = [0, 0];
    const lastSeq = [0, 0];
    lines.forEach((line, i) => {
      const p = partitionOfLine(line);
      perPartition[p]!++;
      lastSeq[p] = seqs[i]!;
    });
    expect(perPartition.every((n) => n > 0)).toBe(true);
    expect((await status()).map((r) => r.lag)).toEqual(perPartition);

    const run = await weir("stream", "run", jobFile, "--stop-when-idle", "2s", "--json");
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as { counts: StreamCounts; partitions: { partition: string }[] };
    const c = summary.counts;
    expect(c.in).toBe(lines.length);
    expect(c.in).toBe(c.parsed + c.deadLettered);
    expect(c.parsed).toBe(c.kept + c.filteredOut + c.late);
    expect(c.deadLettered).toBe(malformed);
    expect(summary.partitions.map((p) => p.partition).sort()).toEqual(["0", "1"]);

    const rows = await status();
    expect(rows.map((r) => [r.partition, r.position, r.lag])).toEqual([
      ["0", lastSeq[0], 0],
      ["1", lastSeq[1], 0],
    ]);
    for (const [p, r] of rows.entries()) {
      expect(r.epoch).toBeGreaterThanOrEqual(1);
      expect(r.inputEnded).toBe(false);
      expect(r.watermark).toMatch(/^2\d{3}-/);
      expect(r.counts?.in).toBe(perPartition[p]);
    }

    // Every kept event is in exactly one window row (one user's events share a partition).
    const sql = await weir("sql", `SELECT sum(event_count) AS n FROM ${table}`, "--json");
    expect(sql.code, sql.stderr).toBe(0);
    expect(Number((JSON.parse(sql.stdout) as { n: unknown }[])[0]!.n)).toBe(c.kept);
  }, 180_000);
});
