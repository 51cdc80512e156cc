import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  drive,
  type ExecutorHarness,
  gate,
  openExecutorHarness,
  until,
} from "../../../test/support/executor-harness.js";
import type { Notification, NotificationChannel } from "../../notifications/notification.js";
import { Notifier } from "../../notifications/notifier.js";
import { definePipeline, defineTask, type PipelineDefinition } from "../define-pipeline.js";
import { executeRun } from "../executor/execute-run.js";
import { nextScheduledAt } from "./queue-due-runs.js";
import { Scheduler, type SchedulerOptions } from "./scheduler.js";

let h: ExecutorHarness;
beforeAll(async () => {
  h = await openExecutorHarness(); // FakeClock at 2024-01-16T00:00:00Z
});
afterAll(() => h.close());

const MINUTE = 60_000;

function scheduler(pipelines: PipelineDefinition[], options: Partial<SchedulerOptions> = {}): Scheduler {
  return new Scheduler({
    pipelines: pipelines.map((pipeline) => ({
      id: pipeline.id,
      file: `/virtual/${pipeline.id}.ts`,
      pipeline,
    })),
    store: h.store,
    runtime: h.runtime,
    clock: h.clock,
    heartbeatTimeoutMs: 10 * MINUTE,
    ...options,
  });
}

async function settled(s: Scheduler): Promise<void> {
  await until(() => s.running.length === 0, "runs to finish");
}

const runsOf = async (pipeline: string) =>
  (await h.store.runs.list({ pipeline, limit: 1_000 })).sort((a, b) =>
    a.logicalTime < b.logicalTime ? -1 : 1,
  );

describe("Scheduler: cron schedules", () => {
  it("queues only the latest ended interval without catchup, then the next one when it ends", async () => {
    const seen: string[] = [];
    const pipeline = definePipeline({
      id: "daily_two_am",
      schedule: "0 2 * * *",
      startDate: "2024-01-01",
      catchup: false,
      maxActiveRuns: 1,
      retries: 3,
      retryDelay: "5m",
      tasks: [
        defineTask({
          id: "extract",
          run: async (ctx) =>
            void seen.push(`${ctx.interval.start.toISOString()} → ${ctx.interval.end.toISOString()}`),
        }),
      ],
    });
    const s = scheduler([pipeline]);
    await s.register();
    const first = await s.tick();
    // Now is 01-16 00:00Z: the interval [01-14 02:00, 01-15 02:00) is the latest that has ended.
    expect(first.queued.map((r) => [r.runType, r.logicalTime, r.state])).toEqual([
      ["scheduled", "2024-01-14T02:00:00.000Z", "queued"],
    ]);
    expect(first.started).toEqual([first.queued[0]!.id]);
    await settled(s);
    expect(seen).toEqual(["2024-01-14T02:00:00.000Z → 2024-01-15T02:00:00.000Z"]);
    expect((await s.tick()).queued).toEqual([]);

    await h.clock.set("2024-01-16T02:00:00Z");
    const next = await s.tick();
    expect(next.queued.map((r) => r.logicalTime)).toEqual(["2024-01-15T02:00:00.000Z"]);
    await settled(s);
    expect((await runsOf("daily_two_am")).map((r) => [r.logicalDate, r.state])).toEqual([
      ["2024-01-14", "succeeded"],
      ["2024-01-15", "succeeded"],
    ]);
    expect((await h.store.pipelines.get("daily_two_am"))?.schedule).toBe("0 2 * * *");
  });

  it("catches up every missed interval, oldest first, never more than maxActiveRuns at once", async () => {
    let now = 0;
    let peak = 0;
    const order: string[] = [];
    const pipeline = definePipeline({
      id: "catchup_one_at_a_time",
      schedule: "@daily",
      startDate: "2024-01-10",
      catchup: true,
      maxActiveRuns: 1,
      tasks: [
        defineTask({
          id: "work",
          run: async (ctx) => {
            peak = Math.max(peak, ++now);
            order.push(ctx.logicalDate.toISOString().slice(0, 10));
            await new Promise<void>((resolve) => setImmediate(resolve));
            now--;
          },
        }),
      ],
    });
    const s = scheduler([pipeline], { maxConcurrentRuns: 4 });
    const first = await s.tick();
    // 01-10 … 01-15 have ended by 01-16 02:00Z (the clock the previous test left).
    expect(first.queued.map((r) => r.logicalDate)).toEqual([
      "2024-01-10",
      "2024-01-11",
      "2024-01-12",
      "2024-01-13",
      "2024-01-14",
      "2024-01-15",
    ]);
    expect(first.started).toHaveLength(1);
    for (let i = 0; i < 20 && order.length < 6; i++) {
      await settled(s);
      await s.tick();
    }
    await settled(s);
    expect(order).toEqual([
      "2024-01-10",
      "2024-01-11",
      "2024-01-12",
      "2024-01-13",
      "2024-01-14",
      "2024-01-15",
    ]);
    expect(peak).toBe(1);
    expect((await runsOf("catchup_one_at_a_time")).every((r) => r.state === "succeeded")).toBe(true);
  });

  it("counts a due date another run holds (a manual run, a backfill) as done: one run per date", async () => {
    const pipeline = definePipeline({
      id: "held_dates",
      schedule: "@daily",
      startDate: "2024-01-10",
      catchup: true,
      maxActiveRuns: 4,
      tasks: [defineTask({ id: "t", run: async () => 1 })],
    });
    // Now is 01-16 00:00Z: 01-10 … 01-15 are due; 01-12 and 01-15 have manual runs already.
    for (const d of ["2024-01-12", "2024-01-15"]) {
      expect((await h.start(pipeline, { logicalDate: new Date(`${d}T00:00:00Z`) })).state).toBe("succeeded");
    }
    const s = scheduler([pipeline]);
    await s.register();
    const first = await s.tick();
    expect(first.queued.map((r) => r.logicalDate)).toEqual([
      "2024-01-10",
      "2024-01-11",
      "2024-01-13",
      "2024-01-14",
    ]);
    await settled(s);
    // Nothing is due any more (the next interval ends 01-17), so nothing is queued, however often it looks.
    expect((await s.tick()).queued).toEqual([]);
    expect(
      await nextScheduledAt({ pipeline, store: h.store, clock: h.clock, defaultStartDate: h.clock.now() }),
    ).toEqual(new Date("2024-01-17T00:00:00.000Z"));
    expect((await runsOf("held_dates")).map((r) => [r.logicalDate, r.runType, r.state])).toEqual([
      ["2024-01-10", "scheduled", "succeeded"],
      ["2024-01-11", "scheduled", "succeeded"],
      ["2024-01-12", "manual", "succeeded"],
      ["2024-01-13", "scheduled", "succeeded"],
      ["2024-01-14", "scheduled", "succeeded"],
      ["2024-01-15", "manual", "succeeded"],
    ]);
  });

  it("queues nothing for a paused pipeline and leaves its queued runs waiting until unpaused", async () => {
    const pipeline = definePipeline({
      id: "pausable",
      schedule: "@hourly",
      startDate: "2024-01-16T00:00:00Z",
      tasks: [defineTask({ id: "t", run: async () => undefined })],
    });
    const s = scheduler([pipeline]);
    await s.register();
    await h.store.pipelines.setPaused("pausable", true, h.clock.now().toISOString());
    expect(await s.tick()).toMatchObject({ queued: [], started: [] });
    await h.store.pipelines.setPaused("pausable", false, h.clock.now().toISOString());
    const report = await s.tick();
    expect(report.queued.map((r) => r.logicalTime)).toEqual(["2024-01-16T01:00:00.000Z"]);
    await settled(s);
    expect((await runsOf("pausable")).map((r) => r.state)).toEqual(["succeeded"]);
  });
});

describe("Scheduler: dataset triggers", () => {
  it("runs a dataset-scheduled pipeline once per update of what it waits for", async () => {
    const producer = definePipeline({
      id: "orders_producer",
      tasks: [
        defineTask({ id: "load", datasets: { writes: ["lake.raw.orders"] }, run: async () => undefined }),
      ],
    });
    const intervals: string[] = [];
    const consumer = definePipeline({
      id: "orders_report",
      schedule: { datasets: ["lake.raw.orders"] },
      tasks: [
        defineTask({
          id: "report",
          datasets: { reads: ["lake.raw.orders"] },
          run: async (ctx) => void intervals.push(ctx.runType),
        }),
      ],
    });
    const s = scheduler([producer, consumer]);
    expect((await s.tick()).queued).toEqual([]);
    const produce = (day: number) =>
      executeRun({
        pipeline: producer,
        store: h.store,
        runtime: h.runtime,
        clock: h.clock,
        logicalDate: new Date(Date.UTC(2024, 0, day)),
      });
    expect((await produce(1)).state).toBe("succeeded");
    await h.clock.advance(MINUTE);
    const triggered = await s.tick();
    expect(triggered.queued.map((r) => [r.pipeline, r.runType])).toEqual([
      ["orders_report", "dataset_triggered"],
    ]);
    await settled(s);
    await h.clock.advance(MINUTE);
    expect((await s.tick()).queued).toEqual([]); // the same update does not trigger twice
    await produce(2);
    await h.clock.advance(MINUTE);
    expect((await s.tick()).queued).toHaveLength(1);
    await settled(s);
    expect(intervals).toEqual(["dataset_triggered", "dataset_triggered"]);
  });
});

describe("Scheduler: zombies, shutdown and notifications", () => {
  it("reaps an attempt whose process died, retries it per policy and finishes the run", async () => {
    const ran: string[] = [];
    const pipeline = definePipeline({
      id: "zombie_victim",
      retries: 1,
      retryDelay: "1m",
      tasks: [
        defineTask({ id: "a", run: async (ctx) => void ran.push(`a#${ctx.attempt}`) }),
        defineTask({ id: "b", dependsOn: ["a"], run: async (ctx) => void ran.push(`b#${ctx.attempt}`) }),
      ],
    });
    // What a killed scheduler leaves: a claimed run and a running attempt, heartbeats stopped.
    const at = h.clock.now().toISOString();
    await h.store.runs.create(
      {
        id: "run_zombie",
        pipeline: "zombie_victim",
        logicalDate: "2024-01-15",
        intervalStart: "2024-01-15T00:00:00.000Z",
        intervalEnd: "2024-01-16T00:00:00.000Z",
        state: "queued",
        startedAt: at,
        params: {},
      },
      [
        { taskId: "a", mapIndex: -1, retries: 1 },
        { taskId: "b", mapIndex: -1, retries: 1 },
      ],
    );
    expect(await h.store.runs.claim("run_zombie", { owner: "dead-host:1", at, staleBefore: at })).toBe(true);
    expect(
      await h.store.tasks.startAttempt({
        runId: "run_zombie",
        taskId: "a",
        mapIndex: -1,
        attempt: 1,
        owner: "dead-host:1",
        at,
      }),
    ).toBe(true);
    const s = scheduler([pipeline], { heartbeatTimeoutMs: 5 * MINUTE });
    expect((await s.tick()).reaped).toBe(0); // the heartbeat is still fresh
    await h.clock.advance(6 * MINUTE);
    const report = await s.tick();
    expect(report.reaped).toBe(1);
    expect(report.started).toEqual(["run_zombie"]);
    await drive(
      h.clock,
      until(() => s.running.length === 0, "resumed run"),
      30_000,
    );
    expect(ran).toEqual(["a#2", "b#1"]);
    expect((await h.store.runs.get("run_zombie"))?.state).toBe("succeeded");
    const attempts = await h.store.tasks.attempts("run_zombie", "a");
    expect(attempts.map((a) => [a.attempt, a.state])).toEqual([
      [1, "failed"],
      [2, "success"],
    ]);
  });

  it("on stop, lets a running attempt finish within the grace period", async () => {
    const g = gate();
    const pipeline = definePipeline({
      id: "graceful",
      schedule: "@daily",
      startDate: "2024-01-15",
      tasks: [defineTask({ id: "slow", run: async () => g.promise })],
    });
    const s = scheduler([pipeline], { shutdownGraceMs: 10 * MINUTE });
    const stop = new AbortController();
    const loop = s.run(stop.signal);
    await until(() => s.running.length === 1, "run started");
    stop.abort();
    await h.clock.advance(MINUTE);
    g.open();
    await loop;
    expect((await runsOf("graceful")).map((r) => r.state)).toEqual(["succeeded"]);
  });

  it("on stop, releases attempts still running after the grace period; the next scheduler resumes the run", async () => {
    const g = gate();
    let attempts = 0;
    const pipeline = definePipeline({
      id: "released",
      schedule: "@daily",
      startDate: "2024-01-15",
      retries: 0,
      tasks: [
        defineTask({
          id: "slow",
          run: async (ctx) => {
            attempts++;
            await Promise.race([
              g.promise,
              new Promise((_, reject) =>
                ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
              ),
            ]);
          },
        }),
      ],
    });
    const s = scheduler([pipeline], { shutdownGraceMs: 5 * MINUTE });
    const stop = new AbortController();
    const loop = s.run(stop.signal);
    await until(() => s.running.length === 1, "run started");
    const [runId] = s.running;
    stop.abort();
    await drive(h.clock, loop, MINUTE, 20);
    const stored = await h.store.runs.get(runId!);
    expect(stored?.state).toBe("queued"); // resumable, not failed
    expect(stored?.owner).toBeUndefined();
    const next = scheduler([pipeline]);
    const report = await next.tick();
    expect(report.started).toEqual([runId]);
    await until(() => attempts === 2, "second attempt");
    g.open();
    await settled(next);
    expect((await h.store.runs.get(runId!))?.state).toBe("succeeded");
    // Released, not failed: the interruption did not use up the task's (zero) retries.
    expect((await h.store.tasks.list(runId!)).map((t) => t.state)).toEqual(["success"]);
  });

  it("on stop, releases at once a run that is only waiting for a retry delay", async () => {
    const pipeline = definePipeline({
      id: "waiting",
      retries: 1,
      retryDelay: "1h",
      tasks: [
        defineTask({
          id: "t",
          run: async (ctx) => {
            if (ctx.attempt === 1) throw new Error("try later");
          },
        }),
      ],
    });
    await h.store.runs.create(
      {
        id: "run_waiting",
        pipeline: "waiting",
        logicalDate: "2024-01-15",
        intervalStart: "2024-01-15T00:00:00.000Z",
        intervalEnd: "2024-01-16T00:00:00.000Z",
        state: "queued",
        startedAt: h.clock.now().toISOString(),
        params: {},
      },
      [{ taskId: "t", mapIndex: -1, retries: 1 }],
    );
    const s = scheduler([pipeline], { shutdownGraceMs: 30 * MINUTE });
    await s.tick();
    await until(
      async () => (await h.store.tasks.list("run_waiting"))[0]?.state === "up_for_retry",
      "up_for_retry",
    );
    await s.stop(); // the fake clock never moves: no grace period was waited for
    expect(s.running).toEqual([]);
    const run = await h.store.runs.get("run_waiting");
    expect(run).toMatchObject({ state: "queued" });
    expect(run?.owner).toBeUndefined();
  });

  it("routes retry and failure notifications to the pipeline's channels and the project's defaults", async () => {
    const sent: [string, Notification][] = [];
    const channel = (name: string): NotificationChannel => ({
      name,
      type: "memory",
      send: async (n) => void sent.push([name, n]),
    });
    const pipeline = definePipeline({
      id: "noisy",
      owner: "data-team",
      retries: 1,
      retryDelay: "2m",
      notifications: { retry: ["chat"], failure: ["chat"] },
      tasks: [
        defineTask({
          id: "flaky",
          run: async () => {
            throw new Error("source said 503");
          },
        }),
      ],
    });
    const s = scheduler([pipeline], {
      notifier: new Notifier([channel("chat"), channel("pager"), channel("mail")]),
      defaultRoutes: { failure: ["pager"], success: ["mail"] },
    });
    await h.store.runs.create(
      {
        id: "run_noisy",
        pipeline: "noisy",
        logicalDate: "2024-01-15",
        intervalStart: "2024-01-15T00:00:00.000Z",
        intervalEnd: "2024-01-16T00:00:00.000Z",
        state: "queued",
        startedAt: h.clock.now().toISOString(),
        params: {},
      },
      [{ taskId: "flaky", mapIndex: -1, retries: 1 }],
    );
    expect((await s.tick()).started).toEqual(["run_noisy"]);
    await drive(
      h.clock,
      until(() => s.running.length === 0, "run to fail"),
      30_000,
    );
    await until(() => sent.length === 3, "notifications");
    expect(sent.map(([c, n]) => [c, n.kind, n.taskId ?? "-"])).toEqual([
      ["chat", "retry", "flaky"],
      ["pager", "failure", expect.any(String)],
      ["chat", "failure", expect.any(String)],
    ]);
    const retry = sent[0]![1];
    expect(retry).toMatchObject({ pipeline: "noisy", runId: "run_noisy", attempt: 1, owner: "data-team" });
    expect(retry.error).toContain("source said 503");
  });
});

describe("Scheduler: several schedulers on one store", () => {
  it("two schedulers catching up together run each date once and never more than maxActiveRuns at once", async () => {
    let now = 0;
    let peak = 0;
    const order: string[] = [];
    const pipeline = definePipeline({
      id: "two_schedulers",
      schedule: "@daily",
      // Six whole days before today (UTC), whatever time the earlier tests left on the clock.
      startDate: new Date((Math.floor(h.clock.now().getTime() / 86_400_000) - 6) * 86_400_000),
      catchup: true,
      maxActiveRuns: 1,
      tasks: [
        defineTask({
          id: "work",
          run: async (ctx) => {
            peak = Math.max(peak, ++now);
            order.push(ctx.logicalDate.toISOString());
            await new Promise<void>((resolve) => setImmediate(resolve));
            now--;
          },
        }),
      ],
    });
    const logs: string[] = [];
    const logger = { log: (e: { message: string }) => void logs.push(e.message) };
    const a = scheduler([pipeline], { owner: "scheduler-a", logger });
    const b = scheduler([pipeline], { owner: "scheduler-b", logger });
    for (let i = 0; i < 40 && order.length < 6; i++) {
      await Promise.all([a.tick(), b.tick()]);
      await Promise.all([settled(a), settled(b)]);
    }
    const runs = await runsOf("two_schedulers");
    expect(runs).toHaveLength(6);
    expect(order).toEqual(runs.map((r) => r.logicalTime));
    expect(peak).toBe(1);
    expect(runs.every((r) => r.state === "succeeded")).toBe(true);
    for (const run of runs) expect(await h.store.tasks.attempts(run.id)).toHaveLength(1);
    expect(logs.filter((l) => l.includes("did not execute here"))).toEqual([]);
  });
});
