import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ExecutorHarness,
  gate,
  openExecutorHarness,
  taskStates,
  until,
} from "../../../test/support/executor-harness.js";
import { TaskError } from "../../core/errors.js";
import type { Notification } from "../../notifications/notification.js";
import { definePipeline, defineTask } from "../define-pipeline.js";
import type { RunEvent } from "../run-events.js";

let h: ExecutorHarness;
beforeAll(async () => {
  h = await openExecutorHarness();
});
afterAll(() => h.close());

const instances = (runId: string) => taskStates(h.store, runId);
const eventsOf = (runId: string, type?: RunEvent["type"]) =>
  h.events.filter((e) => e.runId === runId && (type === undefined || e.type === type));
const MINUTE = 60_000;

describe("executeRun: states", () => {
  it("moves pending → queued → running → success, writing each state as it happens", async () => {
    const a = gate();
    const pipeline = definePipeline({
      id: "states",
      tasks: [
        defineTask({ id: "a", run: async () => a.promise.then(() => "A") }),
        defineTask({ id: "b", dependsOn: ["a"], run: async (ctx) => `${ctx.outputOf<string>("a")}B` }),
      ],
    });
    const running = h.start(pipeline, { runId: "run_states" });
    await until(async () => (await instances("run_states")).a === "running", "a running");
    expect(await instances("run_states")).toEqual({ a: "running", b: "pending" });
    expect((await h.store.runs.get("run_states"))?.state).toBe("running");
    a.open();
    const result = await running;
    expect(result.state).toBe("succeeded");
    expect(result.outputs).toEqual({ a: "A", b: "AB" });
    expect(await instances("run_states")).toEqual({ a: "success", b: "success" });
    expect((await h.store.runs.get("run_states"))?.state).toBe("succeeded");
    expect(eventsOf("run_states").map((e) => e.type)).toEqual([
      "run.started",
      "task.started",
      "task.succeeded",
      "task.started",
      "task.succeeded",
      "run.finished",
    ]);
  });

  it("retries with the policy's delay on the clock: up_for_retry → queued → running → success", async () => {
    let calls = 0;
    const pipeline = definePipeline({
      id: "retrying",
      retries: 3,
      retryDelay: "10m",
      tasks: [
        defineTask({
          id: "flaky",
          run: async (ctx) => {
            calls++;
            ctx.logger.info(`attempt ${ctx.attempt}`);
            if (ctx.attempt < 3) throw new Error(`503 on attempt ${ctx.attempt}`);
            return ctx.attempt;
          },
        }),
      ],
    });
    const started = h.clock.now().getTime();
    const running = h.start(pipeline, { runId: "run_retry" });
    await until(async () => (await instances("run_retry")).flaky === "up_for_retry", "first failure");
    const [record] = await h.store.tasks.list("run_retry");
    expect(record).toMatchObject({ tryNumber: 1, nextTryAt: new Date(started + 10 * MINUTE).toISOString() });
    await h.clock.advance(10 * MINUTE - 1);
    expect(calls).toBe(1);
    await h.clock.advance(1);
    await until(() => calls === 2, "second attempt");
    await until(async () => (await instances("run_retry")).flaky === "up_for_retry", "second failure");
    await h.clock.advance(10 * MINUTE);
    const result = await running;
    expect(result.state).toBe("succeeded");
    expect(result.outputs.flaky).toBe(3);
    const attempts = await h.store.tasks.attempts("run_retry", "flaky");
    expect(attempts.map((a) => [a.attempt, a.state, a.error])).toEqual([
      [1, "failed", "503 on attempt 1"],
      [2, "failed", "503 on attempt 2"],
      [3, "success", undefined],
    ]);
    // Each attempt's log lines are stored with that attempt.
    const logs = await h.store.tasks.logs("run_retry", { taskId: "flaky" });
    expect(logs.map((l) => [l.attempt, l.message])).toEqual([
      [1, "attempt 1"],
      [2, "attempt 2"],
      [3, "attempt 3"],
    ]);
    const retrying = eventsOf("run_retry", "task.retrying");
    expect(retrying.map((e) => (e as { delayMs: number }).delayMs)).toEqual([10 * MINUTE, 10 * MINUTE]);
  });

  it("backs off exponentially up to the max delay, with jitter from the injected random", async () => {
    const pipeline = definePipeline({
      id: "backoff",
      retries: 4,
      retryDelay: "1m",
      retryExponentialBackoff: true,
      maxRetryDelay: "3m",
      tasks: [defineTask({ id: "down", run: async () => Promise.reject(new Error("down")) })],
    });
    const running = h.start(pipeline, { runId: "run_backoff", random: () => 0.5, concurrency: 1 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await until(() => eventsOf("run_backoff", "task.retrying").length > i, `retry ${i + 1}`);
      const delay = (eventsOf("run_backoff", "task.retrying")[i] as { delayMs: number }).delayMs;
      delays.push(delay);
      await h.clock.advance(delay);
    }
    const result = await running;
    expect(delays).toEqual([60_000, 120_000, 180_000, 180_000]);
    expect(result.state).toBe("failed");

    const jittered = definePipeline({
      id: "jitter",
      retries: 1,
      retryDelay: "10m",
      retryJitter: true,
      tasks: [defineTask({ id: "down", run: async () => Promise.reject(new Error("down")) })],
    });
    const second = h.start(jittered, { runId: "run_jitter", random: () => 0 });
    await until(() => eventsOf("run_jitter", "task.retrying").length === 1, "jittered retry");
    expect((eventsOf("run_jitter", "task.retrying")[0] as { delayMs: number }).delayMs).toBe(5 * MINUTE);
    await h.clock.advance(5 * MINUTE);
    await second;
  });

  it("fails after the last retry: failed, downstream upstream_failed, the run failed with a TaskError", async () => {
    const boom = new Error("disk full");
    const pipeline = definePipeline({
      id: "failing",
      retries: 1,
      retryDelay: 0,
      tasks: [
        defineTask({ id: "a", run: async () => Promise.reject(boom) }),
        defineTask({ id: "b", dependsOn: ["a"], run: async () => 1 }),
        defineTask({ id: "c", dependsOn: ["b"], run: async () => 1 }),
        defineTask({ id: "side", run: async () => 1 }),
      ],
    });
    const result = await h.start(pipeline, { runId: "run_fail" });
    expect(result.state).toBe("failed");
    expect(result.error).toBeInstanceOf(TaskError);
    expect(result.error?.cause).toBe(boom);
    expect(await instances("run_fail")).toEqual({
      a: "failed",
      b: "upstream_failed",
      c: "upstream_failed",
      side: "success",
    });
    expect(result.summary.tasks.map((t) => [t.id, t.state, t.attempts])).toEqual([
      ["a", "failed", 2],
      ["b", "upstream_failed", 0],
      ["c", "upstream_failed", 0],
      ["side", "succeeded", 1],
    ]);
    const run = await h.store.runs.get("run_fail");
    expect(run).toMatchObject({ state: "failed", error: '[TASK_FAILED] task "a" failed: disk full' });
    const b = (await h.store.tasks.list("run_fail")).find((t) => t.taskId === "b");
    expect(b?.error).toBe("trigger rule all_success: upstream a failed");
  });

  it("lets a task skip itself; all_success downstream is skipped, none_failed downstream runs", async () => {
    const pipeline = definePipeline({
      id: "skipping",
      tasks: [
        defineTask({ id: "check", run: async (ctx) => ctx.skip("no new files") }),
        defineTask({ id: "load", dependsOn: ["check"], run: async () => 1 }),
        defineTask({ id: "report", dependsOn: ["check"], triggerRule: "none_failed", run: async () => 2 }),
      ],
    });
    const result = await h.start(pipeline, { runId: "run_skip" });
    expect(result.state).toBe("succeeded");
    expect(await instances("run_skip")).toEqual({ check: "skipped", load: "skipped", report: "success" });
    expect((await h.store.tasks.attempts("run_skip", "check"))[0]?.state).toBe("skipped");
    const skipped = eventsOf("run_skip", "task.skipped") as { taskId: string; reason: string }[];
    expect(skipped.map((e) => [e.taskId, e.reason])).toEqual([
      ["check", "no new files"],
      ["load", "trigger rule all_success: upstream check skipped"],
    ]);
  });

  it("runs cleanup and alerting tasks by trigger rule when an upstream fails", async () => {
    const ran: string[] = [];
    const task = (
      id: string,
      dependsOn: string[],
      triggerRule?: "one_failed" | "all_done" | "one_success" | "all_failed",
    ) =>
      defineTask({
        id,
        dependsOn,
        ...(triggerRule ? { triggerRule } : {}),
        run: async () => {
          ran.push(id);
          if (id === "bad") throw new Error("bad");
        },
      });
    const pipeline = definePipeline({
      id: "rules",
      tasks: [
        task("good", []),
        task("bad", []),
        task("alert", ["good", "bad"], "one_failed"),
        task("cleanup", ["good", "bad"], "all_done"),
        task("any", ["good", "bad"], "one_success"),
        task("only_failures", ["bad"], "all_failed"),
        task("normal", ["good", "bad"]),
      ],
    });
    const result = await h.start(pipeline, { runId: "run_rules" });
    expect(await instances("run_rules")).toEqual({
      good: "success",
      bad: "failed",
      alert: "success",
      cleanup: "success",
      any: "success",
      only_failures: "success",
      normal: "upstream_failed",
    });
    expect(ran.sort()).toEqual(["alert", "any", "bad", "cleanup", "good", "only_failures"]);
    expect(result.state).toBe("failed");
  });
});

describe("executeRun: timeouts", () => {
  it("aborts an attempt at its timeout through the signal, records it, and retries", async () => {
    const signals: AbortSignal[] = [];
    const pipeline = definePipeline({
      id: "slow",
      timeout: "30s",
      retries: 1,
      retryDelay: "1m",
      tasks: [
        defineTask({
          id: "slow",
          run: async (ctx) => {
            signals.push(ctx.signal);
            // The first attempt hangs until told to stop (a task ignoring its signal: attempt-timeout.test.ts).
            if (ctx.attempt === 1) {
              return new Promise((_, reject) =>
                ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)),
              );
            }
            return "done";
          },
        }),
      ],
    });
    const running = h.start(pipeline, { runId: "run_timeout" });
    await until(() => signals.length === 1, "first attempt");
    await h.clock.advance(30_000);
    await until(async () => (await instances("run_timeout")).slow === "up_for_retry", "timed out");
    expect(signals[0]?.aborted).toBe(true);
    expect((await h.store.tasks.attempts("run_timeout", "slow"))[0]).toMatchObject({
      state: "failed",
      errorCode: "TASK_TIMEOUT",
      error: "timed out after 30s",
    });
    await h.clock.advance(MINUTE);
    const result = await running;
    expect(result.state).toBe("succeeded");
    expect(signals[1]?.aborted).toBe(false);
  });

  it("ends a run at its runTimeout: running attempts fail without retry, the rest is skipped", async () => {
    const pipeline = definePipeline({
      id: "long",
      runTimeout: "1h",
      retries: 3,
      tasks: [
        defineTask({
          id: "stuck",
          run: async (ctx) =>
            new Promise((_, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))),
        }),
        defineTask({ id: "after", dependsOn: ["stuck"], run: async () => 1 }),
      ],
    });
    const running = h.start(pipeline, { runId: "run_long" });
    await until(async () => (await instances("run_long")).stuck === "running", "stuck running");
    await h.clock.advance(60 * MINUTE);
    const result = await running;
    expect(result.state).toBe("failed");
    expect(result.error).toMatchObject({
      code: "TASK_TIMEOUT",
      message: 'run of pipeline "long" timed out after 1h',
    });
    expect(await instances("run_long")).toEqual({ stuck: "failed", after: "skipped" });
    expect(await h.store.tasks.attempts("run_long", "stuck")).toEqual([
      expect.objectContaining({ errorCode: "RUN_TIMEOUT" }),
    ]);
    expect((await h.store.runs.get("run_long"))?.state).toBe("failed");
  });
});

describe("executeRun: heartbeats, logs, outputs, notifications", () => {
  it("heartbeats running attempts and flushes their log lines while they run", async () => {
    const wait = gate();
    const pipeline = definePipeline({
      id: "beating",
      tasks: [
        defineTask({
          id: "long",
          run: async (ctx) => {
            ctx.logger.info("started", { rows: 5 });
            await wait.promise;
            ctx.logger.warn("finishing");
          },
        }),
      ],
    });
    const running = h.start(pipeline, { runId: "run_beat", heartbeatMs: 1_000 });
    await until(async () => (await instances("run_beat")).long === "running", "running");
    for (let i = 0; i < 3; i++) await h.clock.advance(1_000);
    const now = h.clock.now().toISOString();
    await until(async () => (await h.store.tasks.attempts("run_beat"))[0]?.heartbeatAt === now, "heartbeat");
    expect((await h.store.runs.get("run_beat"))?.heartbeatAt).toBe(now);
    expect((await h.store.tasks.logs("run_beat")).map((l) => [l.level, l.message, l.fields])).toEqual([
      ["info", "started", { rows: 5 }],
    ]);
    wait.open();
    await running;
    expect((await h.store.tasks.logs("run_beat")).map((l) => l.message)).toEqual(["started", "finishing"]);
    expect(eventsOf("run_beat", "task.log").map((e) => (e as { message: string }).message)).toEqual([
      "started",
      "finishing",
    ]);
  });

  it("stores outputs for downstream tasks; an output too large to store is passed in memory with a warning", async () => {
    const big = "x".repeat(1_100_000);
    const pipeline = definePipeline({
      id: "outputs",
      tasks: [
        defineTask({ id: "small", run: async () => ({ n: 1, at: "2024-01-01" }) }),
        defineTask({ id: "big", run: async () => big }),
        defineTask({
          id: "use",
          dependsOn: ["small", "big"],
          run: async (ctx) =>
            `${ctx.outputOf<{ n: number }>("small").n}:${ctx.outputOf<string>("big").length}`,
        }),
      ],
    });
    const result = await h.start(pipeline, { runId: "run_out" });
    expect(result.outputs.use).toBe("1:1100000");
    const stored = Object.fromEntries(
      (await h.store.tasks.outputs("run_out")).map((o) => [o.taskId, o.value]),
    );
    expect(JSON.parse(stored.small!)).toEqual({ n: 1, at: "2024-01-01" });
    expect(stored.big).toContain("over the 1048576-byte limit");
    expect((await h.store.tasks.logs("run_out", { taskId: "big" }))[0]?.message).toMatch(
      /^output not stored: it is 1100002 bytes/,
    );
  });

  it("notifies retries, failure and success, and an SLA miss, without waiting on the channel", async () => {
    const sent: Notification[] = [];
    const notify = async (n: Notification) => void sent.push(n);
    const pipeline = definePipeline({
      id: "notifying",
      owner: "data-team",
      retries: 1,
      retryDelay: "1m",
      notifications: { failure: ["ops"], sla: "30s" },
      tasks: [defineTask({ id: "t", run: async () => Promise.reject(new Error("nope")) })],
    });
    const running = h.start(pipeline, { runId: "run_notify", notify });
    await until(() => sent.some((n) => n.kind === "retry"), "retry notification");
    await h.clock.advance(MINUTE);
    await running;
    expect(sent.map((n) => [n.kind, n.taskId, n.attempt])).toEqual([
      ["retry", "t", 1],
      ["sla_miss", undefined, undefined],
      ["failure", "t", undefined],
    ]);
    expect(sent[2]).toMatchObject({
      pipeline: "notifying",
      runId: "run_notify",
      owner: "data-team",
      error: 'task "t" failed: nope',
    });
    expect(eventsOf("run_notify", "run.sla_missed")).toHaveLength(1);
    const ok = await h.start(
      definePipeline({ id: "fine", tasks: [defineTask({ id: "t", run: async () => 1 })] }),
      {
        runId: "run_ok",
        notify,
      },
    );
    expect(ok.state).toBe("succeeded");
    expect(sent.at(-1)).toMatchObject({ kind: "success", runId: "run_ok" });
  });

  it("records dataset events and materialised partitions for the datasets a task writes", async () => {
    const pipeline = definePipeline({
      id: "writer",
      partitions: "daily",
      tasks: [
        defineTask({
          id: "land",
          datasets: { reads: ["crm.orders"], writes: ["lake.raw.orders"] },
          run: async (ctx) => ctx.partition?.key,
        }),
      ],
    });
    const day = (d: number) => new Date(Date.UTC(2024, 2, d));
    const first = await h.start(pipeline, { logicalDate: day(1) });
    await h.start(pipeline, { logicalDate: day(2) });
    expect(first.outputs.land).toBe("2024-03-01");
    const events = await h.store.datasets.events({ datasets: ["lake.raw.orders"] });
    expect(events.map((e) => [e.pipeline, e.taskId, e.rangeStart])).toEqual([
      ["writer", "land", day(1).toISOString()],
      ["writer", "land", day(2).toISOString()],
    ]);
    expect(await h.store.datasets.materialised("lake.raw.orders")).toEqual([
      { start: day(1).toISOString(), end: day(3).toISOString() },
    ]);
  });
});
