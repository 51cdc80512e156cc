/**
 * A child process that races others for a pipeline's runs (`runs.claimWithinLimit`) or a
 * pool's slots (`tasks.startAttempt`) on one metadata store, so tests can check the limits
 * hold across processes. Started with `fork` (IPC) and the request in WEIR_CLAIM_RACE
 * (JSON); answers "ready", waits for "go" (so all racers start together), works until
 * nothing is left to claim, then sends a {@link ClaimRaceReport} and exits.
 */
import { openMetadataStore } from "../../src/metadata/open-metadata-store.js";

export interface ClaimRaceRequest {
  /** A SQLite path or a postgres URL (with `?schema=`). */
  url: string;
  mode: "runs" | "pool";
  /** runs: the pipeline whose queued runs to claim. pool: the run whose instances to start. */
  pipeline: string;
  runId?: string;
  pool?: string;
  maxActive?: number;
  /** How long each claim is held before it is released (ms). */
  holdMs: number;
  /** pool: this racer starts the instances whose index modulo `of` is `index`. */
  index: number;
  of: number;
}

/** One claim this racer held: monotonic instants (µs) and what the store counted meanwhile. */
export interface HeldClaim {
  key: string;
  from: number;
  to: number;
  /** Running runs of the pipeline / slots taken in the pool, read while holding it. */
  counted: number;
}

export interface ClaimRaceReport {
  held: HeldClaim[];
  /** Claims refused because the pipeline or pool was full. */
  refused: number;
}

const request = JSON.parse(process.env.WEIR_CLAIM_RACE!) as ClaimRaceRequest;
const store = await openMetadataStore(request.url);
const owner = `racer-${request.index}-${process.pid}`;
// The system's monotonic clock (CLOCK_MONOTONIC on Linux), in µs: one clock for every
// process of the machine, unlike performance.timeOrigin, which each process fixes itself.
const now = () => Number(process.hrtime.bigint() / 1000n);
const iso = () => new Date().toISOString();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function raceForRuns(): Promise<ClaimRaceReport> {
  const report: ClaimRaceReport = { held: [], refused: 0 };
  for (;;) {
    const queued = await store.runs.list({ pipeline: request.pipeline, states: ["queued"], limit: 10_000 });
    if (queued.length === 0) return report;
    queued.sort((a, b) => (a.logicalTime < b.logicalTime ? -1 : 1));
    // Each racer goes for a different run first: racing for one row, the row lock alone
    // would keep them apart; the limit must hold between different runs.
    const shift = request.index % queued.length;
    for (const run of [...queued.slice(shift), ...queued.slice(0, shift)]) {
      // Refused for the limit: ask again at once, so every waiting racer asks the moment a
      // slot frees and their claims overlap as much as they can.
      let claim = await claimRun(run.id);
      while (claim === "limit") {
        report.refused++;
        claim = await claimRun(run.id);
      }
      if (claim === "taken") continue;
      const from = now();
      const counted = await store.runs.count({ pipeline: request.pipeline, states: ["running"] });
      await pause(request.holdMs);
      const to = now();
      await store.runs.finish(run.id, { state: "succeeded", endedAt: iso() });
      report.held.push({ key: run.id, from, to, counted });
      break;
    }
  }
}

function claimRun(id: string) {
  return store.runs.claimWithinLimit(id, {
    owner,
    at: iso(),
    staleBefore: new Date(Date.now() - 60_000).toISOString(),
    maxActive: request.maxActive!,
  });
}

async function raceForPoolSlots(): Promise<ClaimRaceReport> {
  const report: ClaimRaceReport = { held: [], refused: 0 };
  const runId = request.runId!;
  const mine = (await store.tasks.list(runId)).filter((_, i) => i % request.of === request.index);
  for (const instance of mine) {
    const key = { runId, taskId: instance.taskId, mapIndex: instance.mapIndex, attempt: 1 };
    while (!(await store.tasks.startAttempt({ ...key, owner, at: iso(), pool: request.pool! }))) {
      report.refused++;
      await pause(1);
    }
    const from = now();
    const counted = (await store.pools.get(request.pool!))!.running;
    await pause(request.holdMs);
    const to = now();
    await store.tasks.finishAttempt({
      ...key,
      attemptState: "success",
      at: iso(),
      instance: { state: "success" },
    });
    report.held.push({ key: instance.taskId, from, to, counted });
  }
  return report;
}

process.once("message", (message: string) => {
  if (message !== "go") return;
  (request.mode === "runs" ? raceForRuns() : raceForPoolSlots())
    .then(async (report) => {
      await store.close();
      process.send!(report, () => process.exit(0));
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
});
process.send!("ready");
