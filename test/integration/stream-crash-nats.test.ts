import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectJetStream, type JetStreamHandles } from "../../src/streaming/sources/nats-connection.js";
import { ensureStream } from "../../src/streaming/sources/nats-stream.js";
import { NATS_URL, natsAvailable } from "../support/servers.js";
import {
  publishFileLines,
  runEvents,
  runTimeline,
  uniqueSuffix,
  whenPrinted,
  writeUserEventsJob,
} from "../support/stream-nats.js";
import { streamFingerprint } from "../support/stream-outputs.js";
import { generateUserEvents, prng } from "../support/user-events.js";
import { runWeir, spawnWeir } from "../support/weir-process.js";

/**
 * The user-events job over a NATS JetStream stream, killed with SIGKILL at random points
 * (while reading, cutting an epoch, committing the lake, the warehouse, the checkpoint or
 * the ack) and restarted each time, must end with the outputs of a run that never crashed:
 * the same window rows, lake events, dead letters and late events.
 *
 * Both runs use one job id (so one durable consumer name): they run one after the other,
 * and every start recreates the consumer at the checkpoint.
 */
const EVENTS = Number(process.env.WEIR_STREAM_CRASH_EVENTS ?? 2_000_000);
const KILLS = 20;

const suffix = uniqueSuffix();
const JOB = `crash-nats-${suffix}`;
const SUBJECT = `weir.test.crash.${suffix}`;
const STREAM = `WEIR_T_CRASH_${suffix}`;

let dir: string;
let jobFile: string;
let malformed: number;
let nats: JetStreamHandles | undefined;
const started: ChildProcess[] = [];

beforeAll(async () => {
  if (!natsAvailable) return;
  dir = mkdtempSync(join(tmpdir(), "weir-stream-crash-nats-"));
  const file = join(dir, "events.ndjson");
  const generatedAt = Date.now();
  const generated = generateUserEvents(file, EVENTS);
  malformed = generated.malformed;
  const generateMs = Date.now() - generatedAt;
  const jobDir = join(dir, "job");
  mkdirSync(jobDir);
  jobFile = writeUserEventsJob(jobDir, {
    id: JOB,
    source: { type: "nats", subject: SUBJECT, stream: STREAM },
  });
  nats = await connectJetStream(NATS_URL, "weir crash test");
  await ensureStream(nats.jsm, STREAM, SUBJECT);
  const published = await publishFileLines(nats.nc, file, () => SUBJECT);
  rmSync(file);
  expect(published.messages).toBe(generated.lines);
  console.info(
    `stream-crash-nats: ${generated.lines} events (${generated.source}, ${malformed} malformed) generated in ${(generateMs / 1000).toFixed(1)} s, ` +
      `published in ${(published.ms / 1000).toFixed(1)} s (${Math.round(published.messages / (published.ms / 1000)).toLocaleString("en-US")} messages/s)`,
  );
}, 600_000);

afterAll(async () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  if (nats) {
    await nats.jsm.streams.delete(STREAM).catch(() => undefined);
    await nats.nc.close();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!natsAvailable)("stream job crash safety (NATS JetStream)", () => {
  it(`${KILLS} kill -9s over ${EVENTS.toLocaleString("en-US")} JetStream events give the clean run's tables and lake`, async () => {
    const run = ["stream", "run", jobFile, "--nats-url", NATS_URL, "--stop-when-idle", "3s"];
    const cleanHome = join(dir, "clean");
    const cleanStarted = Date.now();
    const cleanRun = spawnWeir([...run, "--events"], { WEIR_HOME: cleanHome }, started);
    const cleanTimeline = runTimeline(cleanRun);
    expect(await cleanRun.exited, cleanRun.stderr()).toBe(0);
    const cleanMs = Date.now() - cleanStarted;
    const at = (type: string) => cleanTimeline.filter((e) => e.event.type === type).map((e) => e.at);
    const startedAt = at("stream.partition.started")[0]!;
    const checkpointsAt = at("stream.checkpoint");
    const cleanCounts = cleanTimeline.filter((e) => e.event.type === "stream.checkpoint").at(-1)?.event;
    expect(cleanCounts?.type).toBe("stream.checkpoint");
    if (cleanCounts?.type === "stream.checkpoint") {
      expect(cleanCounts.counts.in).toBe(EVENTS);
      expect(cleanCounts.counts.deadLettered).toBe(malformed);
    }
    // From the partition's start: to its first checkpoint, and to its last (the stream drained).
    const firstCheckpointMs = checkpointsAt[0]! - startedAt;
    const drainMs = checkpointsAt.at(-1)! - startedAt;
    const epochMs = (checkpointsAt.at(-1)! - checkpointsAt[0]!) / Math.max(1, checkpointsAt.length - 1);
    // A life is killed at a random moment of [0, maxDelay) after its partition started:
    // reading, cutting an epoch, committing the lake, the warehouse, the checkpoint or the
    // ack. Long enough that lives get past their first checkpoints (so kills land in later
    // epochs too and the killed lives make progress), short enough that 20 kills land
    // before the stream is drained.
    const maxDelay = Math.min(
      drainMs / 2,
      Math.max(firstCheckpointMs + 1.5 * epochMs, (2 * drainMs) / KILLS),
    );
    console.info(
      `stream-crash-nats: clean run ${(cleanMs / 1000).toFixed(1)} s: partition started after ${((startedAt - cleanStarted) / 1000).toFixed(1)} s, ` +
        `first checkpoint ${firstCheckpointMs} ms later, drained after ${(drainMs / 1000).toFixed(1)} s in ${checkpointsAt.length} epochs ` +
        `(${Math.round(EVENTS / (drainMs / 1000)).toLocaleString("en-US")} events/s); kills up to ${Math.round(maxDelay)} ms after a start`,
    );

    const home = join(dir, "killed");
    const random = prng(11);
    let kills = 0;
    let lives = 0;
    let finished = false;
    let livesWithCheckpoints = 0;
    /** Per life: the position it started from + the checkpoints it committed. */
    const progress: string[] = [];
    const crashStarted = Date.now();
    while (!finished) {
      lives++;
      const p = spawnWeir([...run, "--events"], { WEIR_HOME: home }, started);
      if (kills < KILLS) {
        // Kill at a random moment once the partition is being read (or committed).
        if (await whenPrinted(p.stdout, p.exited, '"stream.partition.started"')) {
          await new Promise((r) => setTimeout(r, Math.floor(random() * maxDelay)));
          if (p.child.exitCode === null) {
            p.child.kill("SIGKILL");
            kills++;
          }
        }
      }
      const code = await p.exited;
      if (code === 0) finished = true;
      else expect(code, p.stderr()).toBeNull(); // killed, never failed
      expect(lives).toBeLessThan(KILLS + 10);
      const events = runEvents(p.stdout());
      const checkpoints = events.filter((e) => e.type === "stream.checkpoint").length;
      const from = events.find((e) => e.type === "stream.partition.started");
      progress.push(`${from?.type === "stream.partition.started" ? from.fromPosition : "-"}+${checkpoints}`);
      if (checkpoints > 0 && !finished) livesWithCheckpoints++;
      if (finished) {
        const stops = events.filter((e) => e.type === "stream.partition.stopped");
        expect(stops.map((e) => e.type === "stream.partition.stopped" && e.reason)).toEqual(["stopped"]);
      }
    }
    const crashMs = Date.now() - crashStarted;
    expect(kills).toBe(KILLS);
    console.info(
      `stream-crash-nats: ${kills} kills; the crash run took ${(crashMs / 1000).toFixed(1)} s over ${lives} lives; ` +
        `${livesWithCheckpoints} killed lives committed checkpoints (start position+checkpoints per life: ${progress.join(" ")})`,
    );

    // With room for it (the default size), killed lives committed checkpoints, so kills landed in later epochs too.
    if (drainMs > 5 * maxDelay) expect(livesWithCheckpoints).toBeGreaterThan(0);

    // Both homes' checkpoints count every event once.
    const statuses = await Promise.all(
      [cleanHome, home].map((h) => runWeir(["stream", "status", JOB, "--json"], { WEIR_HOME: h }, started)),
    );
    const counts = statuses.map((st) => {
      expect(st.code, st.stderr).toBe(0);
      const rows = JSON.parse(st.stdout) as {
        counts: { in: number; windowsEmitted: number } | null;
        pendingEpoch: number | null;
      }[];
      expect(rows).toHaveLength(1);
      expect(rows[0]!.pendingEpoch).toBeNull();
      const { windowsEmitted: _, ...rest } = rows[0]!.counts!;
      return rest;
    });
    expect(counts[0]!.in).toBe(EVENTS);
    expect(counts[1]).toEqual(counts[0]);

    const expected = await streamFingerprint(cleanHome, JOB);
    const got = await streamFingerprint(home, JOB);
    expect(got).toEqual(expected);
    expect(got.deadLetters.rows).toBe(malformed);
    expect(got.metrics.rows).toBeGreaterThan(0);
    expect(got.events.rows).toBeGreaterThan(0);
    expect(got.late.rows).toBeGreaterThan(0);
  }, 1_800_000);
});
