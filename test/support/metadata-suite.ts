import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { MetadataStore, NewRun, NewTaskInstance } from "../../src/metadata/metadata-store.js";
import { MIGRATIONS } from "../../src/metadata/migrations.js";

/**
 * One repository suite for every metadata store (Hono-style shared suite): the SQLite
 * store runs it in `src/metadata/sqlite-metadata-store.test.ts`, the PostgreSQL store in
 * `test/integration/metadata-postgres.test.ts`. `open` returns a store on an empty schema.
 */
export function metadataStoreSuite(name: string, open: () => Promise<MetadataStore>): void {
  describe(`metadata store: ${name}`, () => {
    let store: MetadataStore;
    let n = 0;
    // Each test uses its own run ids and pipeline names, so they share one store.
    const uid = (prefix: string) => `${prefix}_${++n}_${Math.random().toString(36).slice(2, 8)}`;

    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    const run = (id: string, pipeline: string, extra: Partial<NewRun> = {}): NewRun => ({
      id,
      pipeline,
      logicalDate: "2024-01-15",
      logicalTime: "2024-01-15T00:00:00.000Z",
      intervalStart: "2024-01-15T00:00:00.000Z",
      intervalEnd: "2024-01-16T00:00:00.000Z",
      state: "queued",
      runType: "scheduled",
      startedAt: "2024-01-16T00:00:00.000Z",
      params: { region: "eu" },
      ...extra,
    });
    const tasks = (...ids: string[]): NewTaskInstance[] =>
      ids.map((taskId) => ({ taskId, mapIndex: -1, retries: 1 }));

    it("is at the latest schema version", async () => {
      expect(await store.schemaVersion()).toBe(MIGRATIONS.length);
    });

    describe("pipelines", () => {
      it("upsert keeps the paused flag; setPaused records an unknown pipeline", async () => {
        const id = uid("p");
        await store.pipelines.upsert({
          id,
          schedule: "0 2 * * *",
          timezone: "UTC",
          tags: ["a"],
          updatedAt: "t1",
        });
        await store.pipelines.setPaused(id, true, "t2");
        await store.pipelines.upsert({ id, schedule: "@hourly", tags: ["b"], owner: "ops", updatedAt: "t3" });
        expect(await store.pipelines.get(id)).toEqual({
          id,
          paused: true,
          schedule: "@hourly",
          owner: "ops",
          tags: ["b"],
          updatedAt: "t3",
        });
        const other = uid("p");
        await store.pipelines.setPaused(other, false, "t4");
        expect(await store.pipelines.get(other)).toMatchObject({ paused: false, tags: [] });
        const ids = (await store.pipelines.list()).map((p) => p.id);
        expect(ids).toEqual([...ids].sort());
        expect(ids).toEqual(expect.arrayContaining([id, other]));
      });
    });

    describe("runs", () => {
      it("creates a run with its task instances, reads and filters it", async () => {
        const pipeline = uid("p");
        const id = uid("r");
        await store.runs.create(run(id, pipeline), tasks("extract", "load"));
        expect(await store.runs.get(id)).toMatchObject({
          id,
          pipeline,
          state: "queued",
          runType: "scheduled",
          logicalTime: "2024-01-15T00:00:00.000Z",
          queuedAt: "2024-01-16T00:00:00.000Z",
          params: { region: "eu" },
        });
        const instances = await store.tasks.list(id);
        expect(instances.map((t) => [t.taskId, t.mapIndex, t.state, t.tryNumber, t.maxTries])).toEqual([
          ["extract", -1, "pending", 0, 2],
          ["load", -1, "pending", 0, 2],
        ]);
        await store.runs.create(
          run(uid("r"), pipeline, {
            runType: "backfill",
            logicalDate: "2024-01-16",
            logicalTime: "2024-01-16T00:00:00.000Z",
            startedAt: "2024-01-17T00:00:00.000Z",
          }),
          [],
        );
        expect(await store.runs.count({ pipeline })).toBe(2);
        expect(await store.runs.count({ pipeline, runTypes: ["backfill"] })).toBe(1);
        expect(await store.runs.count({ pipeline, states: ["running", "failed"] })).toBe(0);
        const listed = await store.runs.list({ pipeline });
        expect(listed.map((r) => r.runType)).toEqual(["backfill", "scheduled"]);
        expect(await store.runs.list({ pipeline, limit: 1 })).toHaveLength(1);
      });

      it("refuses a duplicate run id with METADATA_FAILED and writes nothing", async () => {
        const pipeline = uid("p");
        const id = uid("r");
        await store.runs.create(run(id, pipeline), tasks("a"));
        await expect(store.runs.create(run(id, pipeline), tasks("b"))).rejects.toMatchObject({
          code: "METADATA_FAILED",
        });
        expect((await store.tasks.list(id)).map((t) => t.taskId)).toEqual(["a"]);
      });

      it("keeps one run per pipeline and logical time: create refuses a second, createOrGet returns the holder", async () => {
        const pipeline = uid("p");
        const first = uid("r");
        await store.runs.create(run(first, pipeline), tasks("a"));
        await expect(store.runs.create(run(uid("r"), pipeline), tasks("a"))).rejects.toMatchObject({
          code: "METADATA_FAILED",
        });
        const other = uid("r");
        const got = await store.runs.createOrGet(run(other, pipeline, { runType: "backfill" }), tasks("b"));
        expect(got).toMatchObject({
          created: false,
          run: { id: first, runType: "scheduled", state: "queued" },
        });
        expect(await store.runs.get(other)).toBeUndefined();
        expect((await store.tasks.list(first)).map((t) => t.taskId)).toEqual(["a"]);
        expect(await store.tasks.list(other)).toEqual([]);
        expect((await store.runs.atLogicalTime(pipeline, "2024-01-15T00:00:00.000Z"))?.id).toBe(first);
        expect(await store.runs.atLogicalTime(pipeline, "2024-01-16T00:00:00.000Z")).toBeUndefined();
        // Another date, or another pipeline on the same date, is a run of its own.
        const next = await store.runs.createOrGet(
          run(uid("r"), pipeline, { logicalDate: "2024-01-16", logicalTime: "2024-01-16T00:00:00.000Z" }),
          tasks("a"),
        );
        expect(next.created).toBe(true);
        expect((await store.runs.createOrGet(run(uid("r"), uid("p")), [])).created).toBe(true);
        // A run created claimed is running and owned from the start.
        const claimed = await store.runs.createOrGet(
          run(uid("r"), pipeline, {
            logicalDate: "2024-01-17",
            logicalTime: "2024-01-17T00:00:00.000Z",
            state: "running",
            owner: "host:1:x",
            heartbeatAt: "2024-01-16T00:00:00.000Z",
          }),
          [],
        );
        expect(claimed).toMatchObject({ created: true, run: { state: "running", owner: "host:1:x" } });
      });

      it("creates one run when many callers create the same date at once (insert-or-get), repeatedly", async () => {
        for (let round = 0; round < 10; round++) {
          const pipeline = uid("p");
          const ids = Array.from({ length: 8 }, () => uid("r"));
          const results = await Promise.all(
            ids.map((id) => store.runs.createOrGet(run(id, pipeline), tasks("a", "b"))),
          );
          expect(results.filter((r) => r.created)).toHaveLength(1);
          const holder = results.find((r) => r.created)!.run.id;
          expect(new Set(results.map((r) => r.run.id))).toEqual(new Set([holder]));
          expect(await store.runs.count({ pipeline })).toBe(1);
          expect((await store.tasks.list(holder)).map((t) => t.taskId)).toEqual(["a", "b"]);
        }
      });

      it("finds the previous and the latest run by logical time", async () => {
        const pipeline = uid("p");
        for (const day of ["10", "12", "11"]) {
          await store.runs.create(
            run(`${pipeline}_${day}`, pipeline, {
              logicalDate: `2024-01-${day}`,
              logicalTime: `2024-01-${day}T00:00:00.000Z`,
              runType: day === "12" ? "manual" : "scheduled",
            }),
            [],
          );
        }
        expect((await store.runs.previous(pipeline, "2024-01-12T00:00:00.000Z"))?.id).toBe(`${pipeline}_11`);
        expect(await store.runs.previous(pipeline, "2024-01-10T00:00:00.000Z")).toBeUndefined();
        expect((await store.runs.latest(pipeline))?.id).toBe(`${pipeline}_12`);
        expect((await store.runs.latest(pipeline, ["scheduled"]))?.id).toBe(`${pipeline}_11`);
      });

      it("lets one owner claim a run; another only after the heartbeat went stale", async () => {
        const id = uid("r");
        await store.runs.create(run(id, uid("p")), []);
        const at = "2024-02-01T00:00:00.000Z";
        expect(await store.runs.claim(id, { owner: "a", at, staleBefore: "2024-01-31T23:59:00.000Z" })).toBe(
          true,
        );
        expect(await store.runs.get(id)).toMatchObject({
          state: "running",
          owner: "a",
          heartbeatAt: at,
          startedAt: at,
        });
        expect(await store.runs.claim(id, { owner: "b", at, staleBefore: "2024-01-31T23:59:00.000Z" })).toBe(
          false,
        );
        await store.runs.heartbeat("a", "2024-02-01T00:05:00.000Z");
        expect((await store.runs.get(id))?.heartbeatAt).toBe("2024-02-01T00:05:00.000Z");
        expect(await store.runs.orphaned("2024-02-01T00:05:00.000Z")).not.toContainEqual(
          expect.objectContaining({ id }),
        );
        expect((await store.runs.orphaned("2024-02-01T00:06:00.000Z")).map((r) => r.id)).toContain(id);
        // a's heartbeat stopped: b takes over; the start time stays the first one.
        const later = "2024-02-01T00:10:00.000Z";
        expect(
          await store.runs.claim(id, { owner: "b", at: later, staleBefore: "2024-02-01T00:06:00.000Z" }),
        ).toBe(true);
        expect(await store.runs.get(id)).toMatchObject({ owner: "b", startedAt: at });
        await store.runs.release(id, "b");
        expect((await store.runs.get(id))?.owner).toBeUndefined();
        expect(
          await store.runs.claim(id, { owner: "c", at: later, staleBefore: "2000-01-01T00:00:00.000Z" }),
        ).toBe(true);
        await store.runs.finish(id, { state: "failed", endedAt: later, summary: { x: 1 }, error: "boom" });
        expect(await store.runs.get(id)).toMatchObject({ state: "failed", error: "boom", summary: { x: 1 } });
        expect((await store.runs.get(id))?.owner).toBeUndefined();
        expect(await store.runs.claim(id, { owner: "d", at: later, staleBefore: later })).toBe(false);
      });

      it("keeps the shortcuts existing callers use", async () => {
        const id = uid("r");
        const pipeline = uid("p");
        await store.startRun(run(id, pipeline, { state: "running" }));
        await store.finishRun(id, { state: "succeeded", endedAt: "t3", summary: { loaded: 8 } });
        expect(await store.getRun(id)).toMatchObject({
          state: "succeeded",
          endedAt: "t3",
          summary: { loaded: 8 },
        });
        expect(await store.listRuns({ pipeline })).toHaveLength(1);
      });
    });

    describe("task instances and attempts", () => {
      let runId: string;
      beforeEach(async () => {
        runId = uid("r");
        await store.runs.create(
          run(runId, uid("p"), { state: "running", owner: "o" }),
          tasks("a", "b", "fan"),
        );
      });

      it("records an attempt with output, logs, dataset events and materialised ranges in one go", async () => {
        expect(
          await store.tasks.startAttempt({
            runId,
            taskId: "a",
            mapIndex: -1,
            attempt: 1,
            owner: "o",
            at: "t1",
          }),
        ).toBe(true);
        expect((await store.tasks.list(runId))[0]).toMatchObject({
          taskId: "a",
          state: "running",
          tryNumber: 1,
        });
        await store.tasks.appendLogs({ runId, taskId: "a", mapIndex: -1, attempt: 1 }, [
          { seq: 1, at: "t1", level: "info", message: "reading" },
        ]);
        const done = await store.tasks.finishAttempt({
          runId,
          taskId: "a",
          mapIndex: -1,
          attempt: 1,
          attemptState: "success",
          at: "t2",
          instance: {
            state: "success",
            durationMs: 12,
            rows: { in: 5, out: 4, rejected: 1 },
            summary: { q: 1 },
          },
          output: JSON.stringify({ rows: 5 }),
          logs: [{ seq: 2, at: "t2", level: "warn", message: "slow", fields: { ms: 900 } }],
          datasetEvents: [{ id: `${runId}_e`, dataset: "lake.raw.x", at: "t2", runId, taskId: "a" }],
          materialised: [{ dataset: `${runId}.x`, start: "2024-01-15", end: "2024-01-16" }],
        });
        expect(done).toBe(true);
        expect((await store.tasks.list(runId))[0]).toMatchObject({
          state: "success",
          durationMs: 12,
          rows: { in: 5, out: 4, rejected: 1 },
          summary: { q: 1 },
          endedAt: "t2",
        });
        expect(await store.tasks.outputs(runId)).toEqual([
          { taskId: "a", mapIndex: -1, value: '{"rows":5}' },
        ]);
        expect(
          (await store.tasks.logs(runId, { taskId: "a" })).map((l) => [
            l.attempt,
            l.seq,
            l.level,
            l.message,
            l.fields,
          ]),
        ).toEqual([
          [1, 1, "info", "reading", undefined],
          [1, 2, "warn", "slow", { ms: 900 }],
        ]);
        expect(await store.tasks.attempts(runId, "a")).toEqual([
          expect.objectContaining({
            attempt: 1,
            state: "success",
            owner: "o",
            startedAt: "t1",
            endedAt: "t2",
          }),
        ]);
        expect((await store.datasets.events({ datasets: ["lake.raw.x"] })).map((e) => e.id)).toContain(
          `${runId}_e`,
        );
        expect(await store.datasets.materialised(`${runId}.x`)).toEqual([
          { start: "2024-01-15", end: "2024-01-16" },
        ]);
        // Finishing it again is refused: the attempt is no longer running.
        expect(
          await store.tasks.finishAttempt({
            runId,
            taskId: "a",
            mapIndex: -1,
            attempt: 1,
            attemptState: "failed",
            at: "t3",
            instance: { state: "failed" },
          }),
        ).toBe(false);
        expect((await store.tasks.list(runId))[0]?.state).toBe("success");
      });

      it("applies batched transitions and expands a mapped task", async () => {
        await store.tasks.transition(runId, [
          { taskId: "a", mapIndex: -1, state: "queued" },
          { taskId: "b", mapIndex: -1, state: "upstream_failed", endedAt: "t9", error: "upstream failed: x" },
        ]);
        await store.tasks.expand(runId, { taskId: "fan", retries: 2 }, 3);
        await store.tasks.expand(runId, { taskId: "fan", retries: 2 }, 3);
        const list = await store.tasks.list(runId);
        expect(list.map((t) => [t.taskId, t.mapIndex, t.state])).toEqual([
          ["a", -1, "queued"],
          ["b", -1, "upstream_failed"],
          ["fan", -1, "pending"],
          ["fan", 0, "pending"],
          ["fan", 1, "pending"],
          ["fan", 2, "pending"],
        ]);
        expect(list.find((t) => t.taskId === "b")).toMatchObject({
          error: "upstream failed: x",
          endedAt: "t9",
        });
        expect(list.find((t) => t.mapIndex === 2)?.maxTries).toBe(3);
      });

      it("reaps attempts whose heartbeat stopped: up_for_retry while tries remain, then failed", async () => {
        const start = (attempt: number, at: string) =>
          store.tasks.startAttempt({ runId, taskId: "a", mapIndex: -1, attempt, owner: "dead", at });
        await start(1, "2024-01-01T00:00:00.000Z");
        expect(await store.tasks.reapZombies("2024-01-01T00:00:00.000Z", "2024-01-01T00:10:00.000Z")).toEqual(
          [],
        );
        const reaped = await store.tasks.reapZombies("2024-01-01T00:05:00.000Z", "2024-01-01T00:10:00.000Z");
        expect(reaped).toEqual([
          expect.objectContaining({ runId, taskId: "a", attempt: 1, instanceState: "up_for_retry" }),
        ]);
        expect((await store.tasks.attempts(runId, "a"))[0]).toMatchObject({
          state: "failed",
          errorCode: "TASK_ZOMBIE",
        });
        expect((await store.tasks.list(runId))[0]).toMatchObject({
          state: "up_for_retry",
          error: expect.stringMatching(/zombie/),
        });
        // The late process can no longer finish the reaped attempt.
        expect(
          await store.tasks.finishAttempt({
            runId,
            taskId: "a",
            mapIndex: -1,
            attempt: 1,
            attemptState: "success",
            at: "t",
            instance: { state: "success" },
          }),
        ).toBe(false);
        await start(2, "2024-01-01T00:11:00.000Z");
        const last = await store.tasks.reapZombies("2024-01-01T00:20:00.000Z", "2024-01-01T00:21:00.000Z");
        expect(last.filter((r) => r.runId === runId)).toEqual([
          expect.objectContaining({ attempt: 2, instanceState: "failed" }),
        ]);
        expect((await store.tasks.list(runId))[0]?.state).toBe("failed");
      });

      it("clear refuses a run an executor is running, and changes nothing", async () => {
        await store.tasks.transition(runId, [{ taskId: "a", mapIndex: -1, state: "failed" }]);
        expect(await store.tasks.clear(runId, [{ taskId: "a", mapIndex: -1 }])).toBe(false);
        expect((await store.tasks.list(runId))[0]?.state).toBe("failed");
        expect((await store.runs.get(runId))?.state).toBe("running");
      });

      it("clear resets instances with fresh retries, drops outputs and expansions, and requeues the run", async () => {
        await store.tasks.startAttempt({
          runId,
          taskId: "a",
          mapIndex: -1,
          attempt: 1,
          owner: "o",
          at: "t1",
        });
        await store.tasks.finishAttempt({
          runId,
          taskId: "a",
          mapIndex: -1,
          attempt: 1,
          attemptState: "failed",
          at: "t2",
          error: { code: "TASK_FAILED", message: "x" },
          instance: { state: "failed", error: "x" },
          output: "1",
        });
        await store.tasks.expand(runId, { taskId: "fan", retries: 0 }, 2);
        await store.runs.finish(runId, { state: "failed", endedAt: "t3" });
        await store.tasks.clear(runId, [
          { taskId: "a", mapIndex: -1 },
          { taskId: "fan", mapIndex: -1 },
        ]);
        const list = await store.tasks.list(runId);
        expect(list.map((t) => [t.taskId, t.mapIndex, t.state, t.tryNumber, t.maxTries])).toEqual([
          ["a", -1, "pending", 1, 3],
          ["b", -1, "pending", 0, 2],
          ["fan", -1, "pending", 0, 2],
        ]);
        expect(await store.tasks.outputs(runId)).toEqual([]);
        expect((await store.runs.get(runId))?.state).toBe("queued");
        expect(await store.tasks.attempts(runId, "a")).toHaveLength(1);
      });
    });

    describe("pools", () => {
      it("never lets running attempts take more slots than the pool has, even when claimed at once", async () => {
        const pool = uid("pool");
        await store.pools.set(pool, 2, { description: "source db" });
        const runId = uid("r");
        const ids = ["t0", "t1", "t2", "t3", "t4"];
        await store.runs.create(run(runId, uid("p"), { state: "running" }), tasks(...ids));
        const started = await Promise.all(
          ids.map((taskId) =>
            store.tasks.startAttempt({ runId, taskId, mapIndex: -1, attempt: 1, owner: "o", at: "t", pool }),
          ),
        );
        expect(started.filter(Boolean)).toHaveLength(2);
        expect(await store.pools.get(pool)).toEqual({
          name: pool,
          slots: 2,
          description: "source db",
          running: 2,
        });
        const winner = ids[started.indexOf(true)]!;
        await store.tasks.finishAttempt({
          runId,
          taskId: winner,
          mapIndex: -1,
          attempt: 1,
          attemptState: "success",
          at: "t",
          instance: { state: "success" },
        });
        expect((await store.pools.get(pool))?.running).toBe(1);
        const loser = ids[started.indexOf(false)]!;
        expect(
          await store.tasks.startAttempt({
            runId,
            taskId: loser,
            mapIndex: -1,
            attempt: 1,
            owner: "o",
            at: "t",
            pool,
          }),
        ).toBe(true);
        await store.pools.set(pool, 3);
        expect(await store.pools.get(pool)).toMatchObject({ slots: 3, description: "source db" });
        expect((await store.pools.list()).map((p) => p.name)).toContain(pool);
        await store.pools.delete(pool);
        expect(await store.pools.get(pool)).toBeUndefined();
      });

      it("reaps dead attempts holding a full pool's slots when a waiter passes staleBefore", async () => {
        const pool = uid("pool");
        await store.pools.set(pool, 1);
        const dead = uid("r");
        await store.runs.create(run(dead, uid("p"), { state: "running", owner: "dead:1" }), tasks("hold"));
        const live = uid("r");
        await store.runs.create(run(live, uid("p"), { state: "running", owner: "live:2" }), tasks("wait"));
        const start = (runId: string, taskId: string, at: string, staleBefore?: string) =>
          store.tasks.startAttempt({
            runId,
            taskId,
            mapIndex: -1,
            attempt: 1,
            owner: "o",
            at,
            pool,
            ...(staleBefore ? { staleBefore } : {}),
          });
        expect(await start(dead, "hold", "2024-01-01T00:00:00.000Z")).toBe(true);
        // Full, and the holder's heartbeat is not stale yet: the waiter waits.
        expect(await start(live, "wait", "2024-01-01T00:00:30.000Z", "2023-12-31T23:59:00.000Z")).toBe(false);
        expect(await start(live, "wait", "2024-01-01T00:00:30.000Z")).toBe(false);
        // Stale: the waiter reaps the holder (its attempt fails as a zombie, retries left) and takes the slot.
        expect(await start(live, "wait", "2024-01-01T00:02:00.000Z", "2024-01-01T00:01:00.000Z")).toBe(true);
        expect((await store.tasks.attempts(dead, "hold"))[0]).toMatchObject({
          state: "failed",
          errorCode: "TASK_ZOMBIE",
          endedAt: "2024-01-01T00:02:00.000Z",
        });
        expect((await store.tasks.list(dead))[0]?.state).toBe("up_for_retry");
        expect(await store.pools.get(pool)).toMatchObject({ slots: 1, running: 1 });
      });

      it("refuses a missing pool, a pool too small for the task, and a bad size", async () => {
        const runId = uid("r");
        await store.runs.create(run(runId, uid("p"), { state: "running" }), tasks("a"));
        const start = (pool: string, poolSlots = 1) =>
          store.tasks.startAttempt({
            runId,
            taskId: "a",
            mapIndex: -1,
            attempt: 1,
            owner: "o",
            at: "t",
            pool,
            poolSlots,
          });
        await expect(start("nope")).rejects.toThrow(/task "a" uses pool "nope", which does not exist/);
        const pool = uid("pool");
        await store.pools.set(pool, 1);
        await expect(start(pool, 2)).rejects.toThrow(/needs 2 slots of pool .* which has only 1/);
        await expect(store.pools.set(pool, 0)).rejects.toMatchObject({ code: "CONFIG_INVALID" });
      });
    });

    describe("datasets", () => {
      it("lists dataset events by dataset and time", async () => {
        const ds = uid("ds");
        await store.datasets.record([
          {
            id: `${ds}_1`,
            dataset: ds,
            at: "2024-01-01T00:00:00.000Z",
            pipeline: "p",
            rangeStart: "a",
            rangeEnd: "b",
          },
          { id: `${ds}_2`, dataset: ds, at: "2024-01-02T00:00:00.000Z" },
          { id: `${ds}_3`, dataset: `${ds}_other`, at: "2024-01-03T00:00:00.000Z" },
        ]);
        expect((await store.datasets.events({ datasets: [ds] })).map((e) => e.id)).toEqual([
          `${ds}_1`,
          `${ds}_2`,
        ]);
        expect(
          (await store.datasets.events({ datasets: [ds], after: "2024-01-01T00:00:00.000Z" })).map(
            (e) => e.id,
          ),
        ).toEqual([`${ds}_2`]);
        expect((await store.datasets.events({ datasets: [ds] }))[0]).toMatchObject({
          pipeline: "p",
          rangeStart: "a",
        });
        expect(await store.datasets.events({ datasets: [] })).toEqual([]);
      });

      it("merges materialised partitions into ranges: 1,000 days in order are one row", async () => {
        const ds = uid("ds");
        const day = (i: number) => new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString();
        for (let i = 0; i < 1000; i++) await store.datasets.addMaterialised(ds, day(i), day(i + 1));
        expect(await store.datasets.materialised(ds)).toEqual([{ start: day(0), end: day(1000) }]);
        // A gap, then filling it merges three ranges into one; an overlap changes nothing.
        await store.datasets.addMaterialised(ds, day(1002), day(1003));
        expect(await store.datasets.materialised(ds)).toHaveLength(2);
        await store.datasets.addMaterialised(ds, day(1000), day(1002));
        await store.datasets.addMaterialised(ds, day(10), day(20));
        expect(await store.datasets.materialised(ds)).toEqual([{ start: day(0), end: day(1003) }]);
      });
    });

    describe("cursors and quality", () => {
      it("keeps one cursor per pipeline and source", async () => {
        const p = uid("p");
        expect(await store.cursors.get(p, "s")).toBeUndefined();
        await store.cursors.commit(p, "s", "2024-01-15 10:00:00");
        await store.cursors.commit(p, "s", "2024-01-15 23:00:00");
        expect(await store.cursors.get(p, "s")).toBe("2024-01-15 23:00:00");
      });

      it("stores quality checks with results and metrics", async () => {
        const dataset = uid("ds");
        await store.quality.record({
          id: uid("c"),
          dataset,
          suite: "s",
          checkedAt: "2024-01-15T00:00:00.000Z",
          success: false,
          rowCount: 10,
          score: { checks: 0.5, rows: 0.9 },
          columns: [{ name: "id", type: "bigint" }],
          results: [
            { name: "not_null(id)", type: "not_null", severity: "error", success: false, unexpectedCount: 1 },
          ],
          metrics: { row_count: 10 },
        });
        const [check] = await store.quality.checks({ dataset });
        expect(check).toMatchObject({
          dataset,
          success: false,
          rowCount: 10,
          score: { checks: 0.5, rows: 0.9 },
        });
        expect(check?.results).toEqual([
          expect.objectContaining({ name: "not_null(id)", success: false, unexpectedCount: 1 }),
        ]);
        expect((await store.quality.metricHistory(dataset, "row_count")).map((p) => p.value)).toEqual([10]);
        expect(await store.quality.latestColumns(dataset)).toEqual([{ name: "id", type: "bigint" }]);
      });
    });
  });
}
