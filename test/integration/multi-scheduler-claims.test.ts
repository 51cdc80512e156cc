import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataStore, NewRun } from "../../src/metadata/metadata-store.js";
import { openMetadataStore } from "../../src/metadata/open-metadata-store.js";
import type { ClaimRaceReport, ClaimRaceRequest, HeldClaim } from "../support/claim-race-worker.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { dropSchemas } from "../support/weir-process.js";

/**
 * Several schedulers share one metadata store: the claims that count before they write
 * (a pipeline's `maxActiveRuns`, a pool's slots, the next scheduled run) must hold across
 * processes. Separate processes (or connections) race for them on real PostgreSQL and on
 * one SQLite file; each claim records when it was held, and no instant may see more
 * claims than the limit.
 */
const WORKER = resolve(import.meta.dirname, "../support/claim-race-worker.ts");
const DAY = 86_400_000;
const BASE = Date.parse("2024-01-01T00:00:00.000Z");

/** Forks `of` racers with the request, starts them together, returns their reports. */
async function race(request: Omit<ClaimRaceRequest, "index" | "of">, of: number): Promise<ClaimRaceReport[]> {
  const racers = Array.from({ length: of }, (_, index) =>
    fork(WORKER, {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, WEIR_CLAIM_RACE: JSON.stringify({ ...request, index, of }) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  );
  try {
    await Promise.all(
      racers.map(
        (child) =>
          new Promise<void>((ready, failed) => {
            child.once("message", () => ready());
            child.once("exit", (code) => failed(new Error(`racer exited with ${code} before it was ready`)));
          }),
      ),
    );
    const reports = racers.map(
      (child) =>
        new Promise<ClaimRaceReport>((done, failed) => {
          child.once("message", (report: ClaimRaceReport) => done(report));
          child.once("exit", (code) => failed(new Error(`racer exited with ${code} without a report`)));
        }),
    );
    for (const child of racers) child.send("go");
    return await Promise.all(reports);
  } finally {
    for (const child of racers) if (child.exitCode === null) child.kill("SIGKILL");
  }
}

/** The most claims held at one instant (an end at the same instant as a start frees first). */
function mostAtOnce(held: readonly HeldClaim[]): number {
  const edges = held.flatMap((h) => [
    { at: h.from, d: 1 },
    { at: h.to, d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of edges) {
    now += e.d;
    most = Math.max(most, now);
  }
  return most;
}

function queuedRun(pipeline: string, day: number, extra: Partial<NewRun> = {}): NewRun {
  const start = new Date(BASE + day * DAY).toISOString();
  return {
    id: `${pipeline}_${day}`,
    pipeline,
    logicalDate: start.slice(0, 10),
    logicalTime: start,
    intervalStart: start,
    intervalEnd: new Date(BASE + (day + 1) * DAY).toISOString(),
    state: "queued",
    runType: "scheduled",
    startedAt: start,
    params: {},
    ...extra,
  };
}

interface Backend {
  name: string;
  /** A fresh store location for one test. */
  fresh: () => string;
  cleanup: () => Promise<void>;
}

const schemas: string[] = [];
let dir: string;
const BACKENDS: Backend[] = [
  {
    name: "SQLite",
    fresh: () => join(dir, `weir-${randomBytes(4).toString("hex")}.db`),
    cleanup: async () => undefined,
  },
  ...(postgresAvailable
    ? [
        {
          name: "PostgreSQL",
          fresh: () => {
            const schema = `weir_msc_${randomBytes(4).toString("hex")}`;
            schemas.push(schema);
            return `${POSTGRES_URL}?schema=${schema}`;
          },
          cleanup: () => dropSchemas(...schemas),
        },
      ]
    : []),
];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-msc-"));
});
afterAll(async () => {
  for (const b of BACKENDS) await b.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(BACKENDS)("claims across schedulers ($name metadata store)", (backend) => {
  async function withFreshStore<T>(fn: (store: MetadataStore, url: string) => Promise<T>): Promise<T> {
    const url = backend.fresh();
    const store = await openMetadataStore(url);
    try {
      return await fn(store, url);
    } finally {
      await store.close();
    }
  }

  it("claimWithinLimit: refuses past the limit, never takes a live run, resumes a dead one whatever the limit", async () => {
    await withFreshStore(async (store) => {
      for (const day of [0, 1, 2]) await store.runs.create(queuedRun("p", day), []);
      const at = "2024-02-01T00:00:00.000Z";
      const claim = { owner: "a", at, staleBefore: "2024-01-31T23:59:00.000Z", maxActive: 1 };
      expect(await store.runs.claimWithinLimit("p_0", claim)).toBe("claimed");
      expect(await store.runs.claimWithinLimit("p_1", { ...claim, owner: "b" })).toBe("limit");
      expect(await store.runs.claimWithinLimit("p_0", { ...claim, owner: "b" })).toBe("taken");
      expect(await store.runs.claimWithinLimit("p_1", { ...claim, owner: "b", maxActive: 2 })).toBe(
        "claimed",
      );
      expect(await store.runs.claimWithinLimit("nope", claim)).toBe("taken");
      // p_0's owner stops heartbeating: another executor takes it over although the pipeline is full.
      const later = { owner: "c", at: "2024-02-01T00:05:00.000Z", staleBefore: "2024-02-01T00:04:00.000Z" };
      expect(await store.runs.claimWithinLimit("p_0", { ...later, maxActive: 1 })).toBe("claimed");
      expect(await store.runs.get("p_0")).toMatchObject({ state: "running", owner: "c" });
      expect(await store.runs.claimWithinLimit("p_2", { ...later, maxActive: 2 })).toBe("limit");
      await store.runs.finish("p_1", { state: "succeeded", endedAt: at });
      expect(await store.runs.claimWithinLimit("p_1", { ...later, maxActive: 5 })).toBe("taken");
      expect(await store.runs.claimWithinLimit("p_2", { ...later, maxActive: 2 })).toBe("claimed");
    });
  });

  it.each([1, 2])(
    "4 processes claiming 40 runs with maxActiveRuns %i: never more running at once, each run once",
    async (limit) => {
      await withFreshStore(async (store, url) => {
        for (let day = 0; day < 40; day++) await store.runs.create(queuedRun("race", day), []);
        const reports = await race({ url, mode: "runs", pipeline: "race", maxActive: limit, holdMs: 10 }, 4);
        const held = reports.flatMap((r) => r.held);
        expect(held.map((h) => h.key).sort()).toEqual(
          Array.from({ length: 40 }, (_, d) => `race_${d}`).sort(),
        );
        expect(mostAtOnce(held)).toBeLessThanOrEqual(limit);
        expect(Math.max(...held.map((h) => h.counted))).toBeLessThanOrEqual(limit);
        // The racers did contend: some claims were refused for the limit.
        expect(reports.reduce((n, r) => n + r.refused, 0)).toBeGreaterThan(0);
        expect(await store.runs.count({ pipeline: "race", states: ["succeeded"] })).toBe(40);
      });
    },
    60_000,
  );

  it("4 processes starting 60 attempts in a pool of 2: never more than 2 slots taken", async () => {
    await withFreshStore(async (store, url) => {
      await store.pools.set("narrow", 2, { at: "2024-01-01T00:00:00.000Z" });
      const tasks = Array.from({ length: 60 }, (_, i) => ({
        taskId: `t${i}`,
        mapIndex: -1,
        retries: 0,
        pool: "narrow",
      }));
      await store.runs.create(queuedRun("pooled", 0, { state: "running", owner: "x" }), tasks);
      const reports = await race(
        { url, mode: "pool", pipeline: "pooled", runId: "pooled_0", pool: "narrow", holdMs: 10 },
        4,
      );
      const held = reports.flatMap((r) => r.held);
      expect(held).toHaveLength(60);
      expect(mostAtOnce(held)).toBeLessThanOrEqual(2);
      expect(Math.max(...held.map((h) => h.counted))).toBeLessThanOrEqual(2);
      expect(reports.reduce((n, r) => n + r.refused, 0)).toBeGreaterThan(0);
      const attempts = await store.tasks.attempts("pooled_0");
      expect(attempts.filter((a) => a.state === "success")).toHaveLength(60);
      expect((await store.pools.get("narrow"))!.running).toBe(0);
    });
  }, 60_000);

  it("createNext: of 4 connections proposing different next dates after the same run, exactly one queues", async () => {
    const url = backend.fresh();
    // Four connections on PostgreSQL. SQLite: one, shared (two connections of one process
    // would block each other synchronously); its transactions are serial in any case.
    const one = backend.name === "SQLite" ? await openMetadataStore(url) : undefined;
    const stores = await Promise.all([0, 1, 2, 3].map(async () => one ?? (await openMetadataStore(url))));
    try {
      let previous: string | undefined;
      for (let round = 0; round < 15; round++) {
        // Each racer's clock (or start time) puts the next date somewhere else.
        const proposals = stores.map((_, i) =>
          queuedRun("next", round * 10 + i, { id: `next_${round}_${i}` }),
        );
        const created = await Promise.all(
          stores.map((s, i) =>
            s.runs.createNext(proposals[i]!, [{ taskId: "t", mapIndex: -1, retries: 0 }], previous),
          ),
        );
        expect(created.filter(Boolean)).toHaveLength(1);
        const winner = proposals[created.indexOf(true)]!;
        expect((await stores[0]!.runs.latest("next", ["scheduled"]))?.id).toBe(winner.id);
        expect(await stores[0]!.tasks.list(winner.id)).toHaveLength(1);
        previous = winner.logicalTime;
      }
      expect(await stores[0]!.runs.count({ pipeline: "next" })).toBe(15);
      // A date held by a run of another type is not created, and the latest stays as it was.
      await stores[0]!.runs.create(queuedRun("next", 500, { id: "manual", runType: "manual" }), []);
      expect(await stores[1]!.runs.createNext(queuedRun("next", 500, { id: "sch" }), [], previous)).toBe(
        false,
      );
      expect(await stores[1]!.runs.get("sch")).toBeUndefined();
    } finally {
      await Promise.all([...new Set(stores)].map((s) => s.close()));
    }
  }, 60_000);
  it("a zombie reaper racing an attempt's end: each attempt is reaped or finished, never both (40 rounds)", async () => {
    const url = backend.fresh();
    // Two connections on PostgreSQL (the reaper reads the stale attempt, the end commits,
    // then the reaper's UPDATE must see it ended); SQLite: one, its transactions are serial.
    const one = backend.name === "SQLite" ? await openMetadataStore(url) : undefined;
    const [reaper, finisher] = await Promise.all(
      [0, 1].map(async () => one ?? (await openMetadataStore(url))),
    );
    try {
      let reapedRounds = 0;
      let finishedRounds = 0;
      for (let round = 0; round < 40; round++) {
        const run = queuedRun("reap", round);
        const key = { runId: run.id, taskId: "t", mapIndex: -1, attempt: 1 };
        await reaper!.runs.create(run, [{ taskId: "t", mapIndex: -1, retries: 1 }]);
        // Started long ago and never heartbeated since: stale by the time the reaper looks.
        expect(await reaper!.tasks.startAttempt({ ...key, owner: "worker", at: run.startedAt })).toBe(true);
        const now = new Date().toISOString();
        const [reaped, finished] = await Promise.all([
          reaper!.tasks.reapZombies(now, now, { runId: run.id }),
          finisher!.tasks.finishAttempt({
            ...key,
            attemptState: "success",
            at: now,
            instance: { state: "success" },
          }),
        ]);
        expect(reaped.length + (finished ? 1 : 0)).toBe(1);
        const [attempt] = await reaper!.tasks.attempts(run.id, "t");
        const [instance] = await reaper!.tasks.list(run.id);
        if (finished) {
          finishedRounds++;
          expect(attempt).toMatchObject({ state: "success" });
          expect(instance?.state).toBe("success");
        } else {
          reapedRounds++;
          expect(attempt).toMatchObject({ state: "failed", errorCode: "TASK_ZOMBIE" });
          expect(instance?.state).toBe("up_for_retry");
        }
      }
      expect(reapedRounds + finishedRounds).toBe(40);
    } finally {
      await Promise.all([...new Set([reaper, finisher])].map((s) => s!.close()));
    }
  }, 60_000);
});
