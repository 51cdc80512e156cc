import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ExecutorHarness,
  gate,
  openExecutorHarness,
  taskStates,
  until,
} from "../../../test/support/executor-harness.js";
import { systemClock } from "../../core/clock.js";
import { definePipeline, defineTask } from "../define-pipeline.js";

/**
 * A timed-out attempt whose task ignores its signal must not overlap its retry: tasks run
 * in this process and cannot be killed, so the executor waits for the attempt to end, up
 * to its grace, and fails it without retry when it does not.
 */
let h: ExecutorHarness;
beforeAll(async () => {
  h = await openExecutorHarness();
});
afterAll(() => h.close());

/** What each attempt did, in the order it happened (start and end of the task's code). */
type Mark = `start ${number}` | `end ${number}`;

describe("a timed-out task that ignores its signal", () => {
  it("is waited for before its retry starts: the attempts do not overlap", async () => {
    const marks: Mark[] = [];
    const release = gate();
    const intervals: NodeJS.Timeout[] = [];
    const pipeline = definePipeline({
      id: "ignores_signal",
      timeout: "30s",
      timeoutGrace: "1m",
      retries: 1,
      retryDelay: 0,
      tasks: [
        defineTask({
          id: "stubborn",
          run: async (ctx) => {
            marks.push(`start ${ctx.attempt}`);
            if (ctx.attempt === 1) {
              // Holds a timer and ignores ctx.signal, as careless user code does.
              intervals.push(setInterval(() => undefined, 1_000));
              await release.promise;
              clearInterval(intervals.pop());
            }
            marks.push(`end ${ctx.attempt}`);
            return ctx.attempt;
          },
        }),
      ],
    });
    try {
      const running = h.start(pipeline, { runId: "run_ignores" });
      await until(() => marks.length === 1, "first attempt");
      await h.clock.advance(30_000);
      // Timed out and told to stop, but still running: no retry yet.
      await h.clock.advance(20_000);
      for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
      expect(marks).toEqual(["start 1"]);
      expect(await taskStates(h.store, "run_ignores")).toEqual({ stubborn: "running" });
      release.open();
      const result = await running;
      expect(marks).toEqual(["start 1", "end 1", "start 2", "end 2"]);
      expect(result.state).toBe("succeeded");
      expect(result.outputs).toEqual({ stubborn: 2 });
      expect(
        (await h.store.tasks.attempts("run_ignores", "stubborn")).map((a) => [a.state, a.errorCode]),
      ).toEqual([
        ["failed", "TASK_TIMEOUT"],
        ["success", undefined],
      ]);
    } finally {
      for (const interval of intervals) clearInterval(interval);
    }
  });

  it("fails without a retry when it is still running after its grace, and the run finishes", async () => {
    const marks: Mark[] = [];
    const intervals: NodeJS.Timeout[] = [];
    const pipeline = definePipeline({
      id: "never_stops",
      timeout: "30s",
      timeoutGrace: "10s",
      retries: 2,
      retryDelay: 0,
      tasks: [
        defineTask({
          id: "forever",
          run: async (ctx) => {
            marks.push(`start ${ctx.attempt}`);
            intervals.push(setInterval(() => undefined, 1_000));
            return new Promise(() => {});
          },
        }),
        defineTask({ id: "after", dependsOn: ["forever"], run: async () => 1 }),
      ],
    });
    try {
      const running = h.start(pipeline, { runId: "run_forever" });
      await until(() => marks.length === 1, "first attempt");
      await h.clock.advance(30_000);
      await h.clock.advance(9_999);
      expect(await taskStates(h.store, "run_forever")).toMatchObject({ forever: "running" });
      await h.clock.advance(1);
      const result = await running;
      expect(marks).toEqual(["start 1"]);
      expect(result.state).toBe("failed");
      expect(result.error).toMatchObject({ code: "TASK_FAILED" });
      const message =
        "timed out after 30s, and the task was still running 10s after its signal was aborted; not retried, so that no retry runs beside it (make the task stop on ctx.signal)";
      expect(result.error?.message).toBe(`task "forever" failed: ${message}`);
      expect(await taskStates(h.store, "run_forever")).toEqual({
        forever: "failed",
        after: "upstream_failed",
      });
      expect(await h.store.tasks.attempts("run_forever", "forever")).toEqual([
        expect.objectContaining({ state: "failed", errorCode: "TASK_TIMEOUT", error: message }),
      ]);
      expect(h.clock.pending).toBe(0);
    } finally {
      for (const interval of intervals) clearInterval(interval);
    }
  });

  it("never overlaps its retry, however its end and the timeout fall (repeated on the real clock)", async () => {
    const intervals = new Set<NodeJS.Timeout>();
    let overlaps = 0;
    let active = 0;
    for (let round = 0; round < 25; round++) {
      const pipeline = definePipeline({
        id: `race_${round}`,
        timeout: 15,
        timeoutGrace: "5s",
        retries: 1,
        retryDelay: 0,
        tasks: [
          defineTask({
            id: "racy",
            run: async (ctx) => {
              active++;
              if (active > 1) overlaps++;
              const interval = setInterval(() => undefined, 5);
              intervals.add(interval);
              // The first attempt ignores its signal and ends anywhere from before its timeout to well after.
              const ms = ctx.attempt === 1 ? Math.floor(Math.random() * 60) : 1;
              await new Promise((resolve) => setTimeout(resolve, ms));
              clearInterval(interval);
              intervals.delete(interval);
              active--;
              return ms;
            },
          }),
        ],
      });
      const result = await h.start(pipeline, { runId: `run_race_${round}`, clock: systemClock });
      expect(result.state).toBe("succeeded");
    }
    for (const interval of intervals) clearInterval(interval);
    expect(overlaps).toBe(0);
    expect(active).toBe(0);
  });
});
