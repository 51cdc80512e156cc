import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamFingerprint } from "../support/stream-outputs.js";
import { generateUserEvents, prng } from "../support/user-events.js";
import { runWeir, spawnWeir } from "../support/weir-process.js";

/**
 * The user-events job over a replayed file, killed with SIGKILL at random points (while
 * reading, cutting an epoch, committing the lake, the warehouse or the checkpoint) and
 * restarted each time, must end with the outputs of a run that never crashed.
 */
const EVENTS = Number(process.env.WEIR_STREAM_CRASH_EVENTS ?? 2_000_000);
const KILLS = 20;

let dir: string;
let file: string;
let malformed: number;
const started: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-stream-crash-"));
  file = join(dir, "events.ndjson");
  ({ malformed } = generateUserEvents(file, EVENTS));
}, 120_000);

afterAll(() => {
  for (const child of started) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("stream job crash safety (file replay)", () => {
  it(`${KILLS} kill -9s over a ${EVENTS.toLocaleString("en-US")}-event replay give the clean run's tables and lake`, async () => {
    const cleanHome = join(dir, "clean");
    const cleanStarted = Date.now();
    const clean = await runWeir(
      ["stream", "run", "user-events", "--from-file", file, "--quiet", "--json"],
      { WEIR_HOME: cleanHome },
      started,
    );
    expect(clean.code, clean.stderr).toBe(0);
    // Lives short enough that 20 kills land before the replay ends, long enough to get past a checkpoint.
    const maxDelay = Math.min(2500, Math.max(400, (Date.now() - cleanStarted) / 8));

    const home = join(dir, "killed");
    const random = prng(7);
    let kills = 0;
    let finished = false;
    while (!finished) {
      const p = spawnWeir(
        ["stream", "run", "user-events", "--from-file", file, "--events"],
        { WEIR_HOME: home },
        started,
      );
      if (kills < KILLS) {
        // Kill at a random moment once the partition is being read (or committed).
        const running = await Promise.race([
          new Promise<boolean>((resolve) => {
            const check = () =>
              p.stdout().includes('"stream.partition.started"') ? resolve(true) : setTimeout(check, 20);
            check();
          }),
          p.exited.then(() => false),
        ]);
        if (running) {
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
    }
    expect(kills).toBe(KILLS);

    const expected = await streamFingerprint(cleanHome);
    const got = await streamFingerprint(home);
    expect(got).toEqual(expected);
    expect(got.deadLetters.rows).toBe(malformed);
    expect(got.metrics.rows).toBeGreaterThan(0);
    expect(got.events.rows).toBeGreaterThan(0);
    expect(got.late.rows).toBeGreaterThan(0);
  }, 1_200_000);
});
