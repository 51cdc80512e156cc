import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ExecutorHarness,
  gate,
  openExecutorHarness,
  taskStates,
  until,
} from "../../../test/support/executor-harness.js";
import type { RunRecord } from "../../metadata/metadata-store.js";
import { definePipeline, defineTask } from "../define-pipeline.js";
import type { ExistingRunAction } from "./claim-existing-run.js";

/**
 * One run per pipeline and logical date (issue 9, item 3): executing a date that has a run
 * already executes that run — never a second one — as its state says.
 */
let h: ExecutorHarness;
beforeAll(async () => {
  h = await openExecutorHarness();
});
afterAll(() => h.close());

const MINUTE = 60_000;
const day = (d: string) => new Date(`${d}T00:00:00.000Z`);

/** a → b, counting calls; b fails while `failing.b` is set. */
function twoTasks(id: string) {
  const calls = { a: 0, b: 0 };
  const failing = { b: false };
  const pipeline = definePipeline({
    id,
    retryDelay: "10m",
    tasks: [
      defineTask({ id: "a", run: async () => ++calls.a }),
      defineTask({
        id: "b",
        dependsOn: ["a"],
        run: async () => {
          calls.b++;
          if (failing.b) throw new Error("b broke");
          return "ok";
        },
      }),
    ],
  });
  return { pipeline, calls, failing };
}

describe("executeRun of a logical date that has a run already", () => {
  it("runs a succeeded run again, all its tasks, in the same run (attempts kept)", async () => {
    const { pipeline, calls } = twoTasks("again_ok");
    const seen: [string, ExistingRunAction][] = [];
    const first = await h.start(pipeline, { logicalDate: day("2024-03-01") });
    const second = await h.start(pipeline, {
      logicalDate: day("2024-03-01"),
      onExistingRun: (run: RunRecord, action: ExistingRunAction) => void seen.push([run.id, action]),
    });
    expect(second).toMatchObject({ runId: first.runId, state: "succeeded" });
    expect(seen).toEqual([[first.runId, "rerun"]]);
    expect(calls).toEqual({ a: 2, b: 2 });
    expect(await h.store.runs.count({ pipeline: "again_ok" })).toBe(1);
    expect((await h.store.tasks.attempts(first.runId, "a")).map((a) => [a.attempt, a.state])).toEqual([
      [1, "success"],
      [2, "success"],
    ]);
  });

  it("runs a failed run's unfinished tasks again, as weir retry does", async () => {
    const { pipeline, calls, failing } = twoTasks("again_failed");
    failing.b = true;
    const first = await h.start(pipeline, { logicalDate: day("2024-03-01") });
    expect(first.state).toBe("failed");
    failing.b = false;
    const actions: ExistingRunAction[] = [];
    const second = await h.start(pipeline, {
      logicalDate: day("2024-03-01"),
      onExistingRun: (_run: RunRecord, action: ExistingRunAction) => void actions.push(action),
    });
    expect(second).toMatchObject({ runId: first.runId, state: "succeeded" });
    expect(actions).toEqual(["retry"]);
    expect(calls).toEqual({ a: 1, b: 2 });
    expect(await h.store.runs.count({ pipeline: "again_failed" })).toBe(1);
  });

  it("refuses a date a live executor runs with RUN_CONFLICT naming it", async () => {
    const hold = gate();
    const pipeline = definePipeline({
      id: "again_live",
      tasks: [defineTask({ id: "t", run: async () => hold.promise })],
    });
    const running = h.start(pipeline, { logicalDate: day("2024-03-01"), owner: "host-a:101:x" });
    await until(async () => (await h.store.runs.list({ pipeline: "again_live" }))[0]?.state === "running");
    await expect(h.start(pipeline, { logicalDate: day("2024-03-01") })).rejects.toMatchObject({
      code: "RUN_CONFLICT",
      message: expect.stringMatching(
        /is being executed by host-a:101:x \(last heartbeat .*\), for logical date 2024-03-01/,
      ),
    });
    hold.open();
    expect((await running).state).toBe("succeeded");
    expect(await h.store.runs.count({ pipeline: "again_live" })).toBe(1);
  });

  it("reaps a run a dead executor left running and runs its unfinished tasks now, not after the retry delay", async () => {
    const { pipeline, calls } = twoTasks("again_dead");
    const at = h.clock.now().toISOString();
    const { run } = await h.store.runs.createOrGet(
      {
        id: "run_again_dead",
        pipeline: "again_dead",
        logicalDate: "2024-03-01",
        intervalStart: "2024-03-01T00:00:00.000Z",
        intervalEnd: "2024-03-02T00:00:00.000Z",
        state: "running",
        owner: "gone-host:4242:y",
        heartbeatAt: at,
        startedAt: at,
        params: {},
      },
      [
        { taskId: "a", mapIndex: -1, retries: 0 },
        { taskId: "b", mapIndex: -1, retries: 0 },
      ],
    );
    await h.store.tasks.startAttempt({
      runId: run.id,
      taskId: "a",
      mapIndex: -1,
      attempt: 1,
      owner: "gone-host:4242:y",
      at,
    });
    await h.clock.advance(2 * MINUTE);
    const actions: ExistingRunAction[] = [];
    const result = await h.start(pipeline, {
      logicalDate: day("2024-03-01"),
      onExistingRun: (_run: RunRecord, action: ExistingRunAction) => void actions.push(action),
    });
    expect(result).toMatchObject({ runId: "run_again_dead", state: "succeeded" });
    expect(actions).toEqual(["retry"]);
    expect(calls).toEqual({ a: 1, b: 1 });
    expect((await h.store.tasks.attempts(run.id, "a")).map((a) => [a.attempt, a.state, a.errorCode])).toEqual(
      [
        [1, "failed", "TASK_ZOMBIE"],
        [2, "success", undefined],
      ],
    );
    expect(await taskStates(h.store, run.id)).toEqual({ a: "success", b: "success" });
  });

  it("executes a date once when many executors ask for it at once (20 rounds of 6)", async () => {
    let executions = 0;
    const pipeline = definePipeline({
      id: "again_race",
      tasks: [
        defineTask({
          id: "t",
          run: async () => {
            executions++;
            await new Promise<void>((resolve) => setImmediate(resolve));
          },
        }),
      ],
    });
    for (let round = 0; round < 20; round++) {
      const date = new Date(Date.UTC(2025, 0, 1 + round));
      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, () => h.start(pipeline, { logicalDate: date })),
      );
      const ran = outcomes.filter((o) => o.status === "fulfilled");
      const refused = outcomes.filter((o) => o.status === "rejected");
      // The first to create it runs it; the others find it running (a conflict) or done (a re-run).
      expect(ran.length).toBeGreaterThanOrEqual(1);
      for (const r of refused)
        expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "RUN_CONFLICT" });
      expect(new Set(ran.map((r) => (r as PromiseFulfilledResult<{ runId: string }>).value.runId)).size).toBe(
        1,
      );
      expect(executions).toBe(ran.length);
      executions = 0;
    }
    expect(await h.store.runs.count({ pipeline: "again_race" })).toBe(20);
  });
});
