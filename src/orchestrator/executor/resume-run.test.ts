import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  drive,
  type ExecutorHarness,
  gate,
  openExecutorHarness,
  taskStates,
  until,
} from "../../../test/support/executor-harness.js";
import { definePipeline, defineTask } from "../define-pipeline.js";
import { executeRun } from "./execute-run.js";
import { reapZombies } from "./reap-zombies.js";
import { clearTasks, resumeRun } from "./resume-run.js";

let h: ExecutorHarness;
beforeAll(async () => {
  h = await openExecutorHarness();
});
afterAll(() => h.close());

const MINUTE = 60_000;
const states = (runId: string) => taskStates(h.store, runId);

/** extract → load → report, counting calls; load reads extract's output. */
function etl(id: string, retries: number) {
  const calls = { extract: 0, load: 0, report: 0 };
  const seen: unknown[] = [];
  const pipeline = definePipeline({
    id,
    retries,
    retryDelay: "1m",
    tasks: [
      defineTask({ id: "extract", run: async () => ++calls.extract && { rows: 7 } }),
      defineTask({
        id: "load",
        dependsOn: ["extract"],
        run: async (ctx) => {
          calls.load++;
          seen.push(ctx.outputOf("extract"));
          return "loaded";
        },
      }),
      defineTask({ id: "report", dependsOn: ["load"], run: async () => ++calls.report }),
    ],
  });
  return { pipeline, calls, seen };
}

/** A queued run of `taskIds`, claimed by a (soon dead) executor at the clock's time. */
async function claimedRun(
  runId: string,
  pipelineId: string,
  taskIds: string[],
  retries: number,
  owner: string,
): Promise<string> {
  const t0 = h.clock.now().toISOString();
  await h.store.runs.create(
    {
      id: runId,
      pipeline: pipelineId,
      logicalDate: "2024-01-15",
      intervalStart: "2024-01-15T00:00:00.000Z",
      intervalEnd: "2024-01-16T00:00:00.000Z",
      state: "queued",
      runType: "scheduled",
      startedAt: t0,
      params: {},
    },
    taskIds.map((taskId) => ({ taskId, mapIndex: -1, retries })),
  );
  await h.store.runs.claim(runId, { owner, at: t0, staleBefore: t0 });
  return t0;
}

/** What an executor killed with SIGKILL while `load` ran leaves in the store. */
async function crashedRun(runId: string, pipelineId: string, retries: number): Promise<void> {
  const t0 = await claimedRun(runId, pipelineId, ["extract", "load", "report"], retries, "dead-host:4242");
  const key = (taskId: string) => ({ runId, taskId, mapIndex: -1, attempt: 1 });
  await h.store.tasks.startAttempt({ ...key("extract"), owner: "dead-host:4242", at: t0 });
  await h.store.tasks.finishAttempt({
    ...key("extract"),
    attemptState: "success",
    at: t0,
    instance: { state: "success" },
    output: JSON.stringify({ rows: 7 }),
  });
  await h.store.tasks.startAttempt({ ...key("load"), owner: "dead-host:4242", at: t0 });
}

describe("zombies and resume after a crash", () => {
  it("reaps the attempt whose heartbeat stopped, then resuming retries it and skips what succeeded", async () => {
    const { pipeline, calls, seen } = etl("crashy", 1);
    await crashedRun("run_crashed", "crashy", 1);
    await h.clock.advance(2 * MINUTE);
    const reaped = await reapZombies(h.store, h.clock, MINUTE);
    expect(reaped.attempts).toEqual([
      expect.objectContaining({
        runId: "run_crashed",
        taskId: "load",
        attempt: 1,
        instanceState: "up_for_retry",
      }),
    ]);
    expect(reaped.orphanedRuns.map((r) => r.id)).toContain("run_crashed");
    expect(await states("run_crashed")).toEqual({
      extract: "success",
      load: "up_for_retry",
      report: "pending",
    });
    expect((await h.store.tasks.attempts("run_crashed", "load"))[0]).toMatchObject({
      state: "failed",
      errorCode: "TASK_ZOMBIE",
    });
    // Reaping again finds nothing: no attempt is left running.
    expect((await reapZombies(h.store, h.clock, MINUTE)).attempts).toEqual([]);

    const resumed = resumeRun("run_crashed", {
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
      listeners: [(e) => void h.events.push(e)],
    });
    await until(() => h.events.some((e) => e.runId === "run_crashed" && e.type === "run.started"), "resumed");
    // The retry waits its delay (1m) on the clock.
    await h.clock.advance(MINUTE - 1_000);
    expect(calls.load).toBe(0);
    const result = await drive(h.clock, resumed, MINUTE);
    expect(result.state).toBe("succeeded");
    expect(calls).toEqual({ extract: 0, load: 1, report: 1 });
    expect(seen).toEqual([{ rows: 7 }]);
    expect(result.outputs).toMatchObject({ extract: { rows: 7 }, load: "loaded" });
    expect((await h.store.tasks.attempts("run_crashed", "load")).map((a) => [a.attempt, a.state])).toEqual([
      [1, "failed"],
      [2, "success"],
    ]);
    expect(h.events.find((e) => e.runId === "run_crashed" && e.type === "run.started")).toMatchObject({
      resumed: true,
    });
  });

  it("reaps an attempt that started after its run's last heartbeat, once the run's heartbeat is stale", async () => {
    await claimedRun("run_late_start", "late", ["t"], 1, "dead-host:1");
    // The process beat at t0, started the attempt 50 s later and was killed before its next beat.
    await h.clock.advance(50_000);
    const key = { runId: "run_late_start", taskId: "t", mapIndex: -1, attempt: 1 };
    await h.store.tasks.startAttempt({ ...key, owner: "dead-host:1", at: h.clock.now().toISOString() });
    await h.clock.advance(20_000);
    // 70 s after the run's beat, 20 s after the attempt started: the run is orphaned, so is the attempt.
    const reaped = await reapZombies(h.store, h.clock, MINUTE);
    expect(reaped.orphanedRuns.map((r) => r.id)).toContain("run_late_start");
    expect(reaped.attempts.filter((a) => a.runId === "run_late_start")).toEqual([
      expect.objectContaining({ taskId: "t", attempt: 1, instanceState: "up_for_retry" }),
    ]);
  });

  it("resuming a run whose executor died reaps its interrupted attempt first; no retries left → failed", async () => {
    const { pipeline, calls } = etl("crashy0", 0);
    await crashedRun("run_crashed0", "crashy0", 0);
    await h.clock.advance(2 * MINUTE);
    const result = await resumeRun("run_crashed0", {
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
    });
    expect(result.state).toBe("failed");
    expect(await states("run_crashed0")).toEqual({
      extract: "success",
      load: "failed",
      report: "upstream_failed",
    });
    // Reaped as any zombie is (no reaper ran before): the run's error names it, and the task.
    expect(result.error?.message).toMatch(
      /task "load" failed: \[TASK_ZOMBIE\] zombie: attempt 1 stopped heartbeating/,
    );
    expect((await h.store.tasks.attempts("run_crashed0", "load"))[0]).toMatchObject({
      state: "failed",
      errorCode: "TASK_ZOMBIE",
    });
    expect(calls).toEqual({ extract: 0, load: 0, report: 0 });
  });

  it("reaps a live executor's attempt that stopped heartbeating; its late result is dropped and it retries", async () => {
    const hang = gate();
    let attempts = 0;
    const pipeline = definePipeline({
      id: "hung",
      retries: 1,
      retryDelay: "1m",
      tasks: [
        defineTask({
          id: "t",
          run: async () => {
            attempts++;
            if (attempts === 1) await hang.promise;
            return attempts;
          },
        }),
      ],
    });
    // Heartbeats every hour: the attempt looks dead after 10 minutes.
    const running = h.start(pipeline, { runId: "run_hung", heartbeatMs: 3_600_000 });
    await until(() => attempts === 1, "first attempt");
    await h.clock.advance(10 * MINUTE);
    const reaped = await reapZombies(h.store, h.clock, 5 * MINUTE);
    expect(reaped.attempts.map((a) => [a.runId, a.instanceState])).toEqual([["run_hung", "up_for_retry"]]);
    hang.open();
    const result = await drive(h.clock, running, MINUTE);
    expect(result.state).toBe("succeeded");
    expect(result.outputs.t).toBe(2);
    expect((await h.store.tasks.attempts("run_hung", "t")).map((a) => [a.state, a.errorCode])).toEqual([
      ["failed", "TASK_ZOMBIE"],
      ["success", undefined],
    ]);
  });

  it("does not reap attempts that keep heartbeating, and refuses a second executor for a live run", async () => {
    const wait = gate();
    const pipeline = definePipeline({
      id: "alive",
      tasks: [defineTask({ id: "t", run: async () => wait.promise })],
    });
    const running = h.start(pipeline, { runId: "run_alive", heartbeatMs: 1_000 });
    await until(async () => (await states("run_alive")).t === "running", "running");
    for (let i = 0; i < 30; i++) await h.clock.advance(1_000);
    expect((await reapZombies(h.store, h.clock, 5_000)).attempts).toEqual([]);
    await expect(
      executeRun({
        pipeline,
        store: h.store,
        runtime: h.runtime,
        clock: h.clock,
        runId: "run_alive",
        heartbeatTimeoutMs: 5_000,
      }),
    ).rejects.toMatchObject({
      code: "RUN_CONFLICT",
      message: expect.stringMatching(/run run_alive of pipeline "alive" is being executed by/),
    });
    wait.open();
    expect((await running).state).toBe("succeeded");
  });
});

describe("shutdown, clearing and re-running", () => {
  it("a shutdown releases running attempts without using a retry, and the run resumes", async () => {
    const stop = new AbortController();
    let calls = 0;
    const pipeline = definePipeline({
      id: "stoppable",
      tasks: [
        defineTask({
          id: "t",
          run: async (ctx) => {
            calls++;
            if (calls === 1) await h.clock.sleep(MINUTE, ctx.signal);
            return calls;
          },
        }),
        defineTask({ id: "after", dependsOn: ["t"], run: async () => "after" }),
      ],
    });
    const running = h.start(pipeline, { runId: "run_stop", signal: stop.signal });
    await until(() => calls === 1, "running");
    stop.abort(new Error("SIGTERM"));
    const first = await running;
    expect(first.interrupted).toBe(true);
    // What the caller is told and what the store holds agree: interrupted, queued again.
    expect(first.state).toBe("interrupted");
    expect(first.summary.state).toBe("interrupted");
    expect(await h.store.runs.get("run_stop")).toMatchObject({ state: "queued" });
    expect((await h.store.runs.get("run_stop"))?.owner).toBeUndefined();
    expect(await states("run_stop")).toEqual({ t: "queued", after: "pending" });
    expect((await h.store.tasks.attempts("run_stop", "t"))[0]).toMatchObject({
      state: "failed",
      errorCode: "TASK_INTERRUPTED",
      error: "interrupted: SIGTERM",
    });
    // retries: 0, yet the task runs again: an interruption is not a failure of the task.
    const second = await resumeRun("run_stop", {
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
    });
    expect(second.state).toBe("succeeded");
    expect(second.outputs).toEqual({ t: 2, after: "after" });
  });

  it("a mapped task resumed after a shutdown runs only the instances that had not finished", async () => {
    const stop = new AbortController();
    const ran: number[] = [];
    const pipeline = definePipeline({
      id: "fan_stop",
      tasks: [
        defineTask({
          id: "each",
          concurrency: 1,
          map: () => [0, 1, 2, 3],
          run: async (ctx, n: number) => {
            ran.push(n);
            await h.clock.sleep(1_000, ctx.signal);
            return n * 10;
          },
        }),
      ],
    });
    const running = h.start(pipeline, { runId: "run_fan_stop", signal: stop.signal });
    await until(() => ran.length === 1, "first item");
    await h.clock.advance(1_000);
    await until(() => ran.length === 2, "second item");
    await h.clock.advance(1_000);
    await until(() => ran.length === 3, "third item");
    stop.abort(new Error("SIGTERM"));
    expect((await running).interrupted).toBe(true);
    ran.length = 0;
    const result = await drive(
      h.clock,
      resumeRun("run_fan_stop", { pipeline, store: h.store, runtime: h.runtime, clock: h.clock }),
      1_000,
    );
    expect(result.state).toBe("succeeded");
    expect(ran).toEqual([2, 3]);
    expect(result.outputs.each).toEqual([0, 10, 20, 30]);
  });

  it("clearTasks re-runs a failed task and what follows it; a finished run is returned as it is", async () => {
    let fail = true;
    const ran: string[] = [];
    const task = (id: string, dependsOn: string[]) =>
      defineTask({
        id,
        dependsOn,
        run: async () => {
          ran.push(id);
          if (id === "b" && fail) throw new Error("bad data");
        },
      });
    const pipeline = definePipeline({
      id: "clearing",
      tasks: [task("a", []), task("b", ["a"]), task("c", ["b"])],
    });
    const first = await h.start(pipeline, { runId: "run_clear" });
    expect(first.state).toBe("failed");
    const again = await executeRun({
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
      runId: "run_clear",
    });
    expect(again.summary.runId).toBe("run_clear");
    expect(again.state).toBe("failed");
    expect(ran).toEqual(["a", "b"]);

    fail = false;
    expect(await clearTasks(h.store, pipeline, "run_clear", { tasks: ["b"], downstream: true })).toEqual([
      "b",
      "c",
    ]);
    expect((await h.store.runs.get("run_clear"))?.state).toBe("queued");
    expect(await states("run_clear")).toEqual({ a: "success", b: "pending", c: "pending" });
    const retried = await resumeRun("run_clear", {
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
    });
    expect(retried.state).toBe("succeeded");
    expect(ran).toEqual(["a", "b", "b", "c"]);
    await expect(clearTasks(h.store, pipeline, "run_clear", { tasks: ["nope"] })).rejects.toThrow(
      'pipeline "clearing" has no task "nope" (tasks: a, b, c)',
    );
  });
});
