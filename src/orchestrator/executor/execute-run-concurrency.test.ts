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
import type { TaskContext } from "../task-context.js";

let h: ExecutorHarness;
beforeAll(async () => {
  h = await openExecutorHarness();
});
afterAll(() => h.close());

const states = (runId: string) => taskStates(h.store, runId);

/** Counts how many of the calls it wraps run at once. */
function concurrencyMeter() {
  let now = 0;
  let max = 0;
  return {
    get max() {
      return max;
    },
    async around<T>(fn: () => Promise<T>): Promise<T> {
      now++;
      max = Math.max(max, now);
      try {
        return await fn();
      } finally {
        now--;
      }
    },
  };
}

describe("pools", () => {
  it("never runs more tasks of a pool at once than it has slots, across two pipelines", async () => {
    const meter = concurrencyMeter();
    const slow = (ctx: TaskContext) => meter.around(() => h.clock.sleep(1_000, ctx.signal));
    const pipeline = (id: string) =>
      definePipeline({
        id,
        pools: { source_db: 2 },
        tasks: ["a", "b", "c"].map((t) => defineTask({ id: t, pool: "source_db", run: slow })),
      });
    const first = h.start(pipeline("orders"), { runId: "run_pool_1" });
    const second = h.start(pipeline("customers"), { runId: "run_pool_2" });
    await until(async () => (await h.store.pools.get("source_db"))?.running === 2, "two slots taken");
    // The four others wait queued, holding no slot.
    const waiting = [
      ...Object.values(await states("run_pool_1")),
      ...Object.values(await states("run_pool_2")),
    ];
    expect(waiting.filter((s) => s === "running")).toHaveLength(2);
    expect(waiting.filter((s) => s === "queued")).toHaveLength(4);
    const results = await drive(h.clock, Promise.all([first, second]), 1_000);
    expect(results.map((r) => r.state)).toEqual(["succeeded", "succeeded"]);
    expect(meter.max).toBe(2);
    expect((await h.store.pools.get("source_db"))?.running).toBe(0);
  });

  it("fails a task whose pool does not exist, naming it", async () => {
    const result = await h.start(
      definePipeline({ id: "nopool", tasks: [defineTask({ id: "t", pool: "missing", run: async () => 1 })] }),
      { runId: "run_nopool" },
    );
    expect(result.state).toBe("failed");
    expect(result.error?.message).toMatch(/task "t" uses pool "missing", which does not exist/);
    expect(await states("run_nopool")).toEqual({ t: "failed" });
  });
});

describe("dynamic fan-out", () => {
  it("maps over items computed at run time, at most `concurrency` at once, each with its own retries", async () => {
    const meter = concurrencyMeter();
    let failedOnce = false;
    const list = defineTask({
      id: "list",
      run: async () => ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"],
    });
    const perDay = defineTask({
      id: "per_day",
      dependsOn: ["list"],
      concurrency: 2,
      retries: 1,
      retryDelay: "1s",
      map: (ctx) => ctx.outputOf<string[]>("list"),
      run: async (ctx, day: string) =>
        meter.around(async () => {
          await h.clock.sleep(1_000, ctx.signal);
          if (day === "2024-01-03" && !failedOnce) {
            failedOnce = true;
            throw new Error("flaky partition");
          }
          ctx.recordRows({ out: 10 });
          return `${day}#${ctx.mapIndex}`;
        }),
    });
    const total = defineTask({
      id: "total",
      dependsOn: ["per_day"],
      run: async (ctx) => ctx.outputOf(perDay).length,
    });
    const result = await drive(
      h.clock,
      h.start(definePipeline({ id: "fan", tasks: [list, perDay, total] }), { runId: "run_fan" }),
      1_000,
    );
    expect(result.state).toBe("succeeded");
    expect(meter.max).toBe(2);
    expect(result.outputs.per_day).toEqual([
      "2024-01-01#0",
      "2024-01-02#1",
      "2024-01-03#2",
      "2024-01-04#3",
      "2024-01-05#4",
    ]);
    expect(result.outputs.total).toBe(5);
    expect(await states("run_fan")).toMatchObject({
      per_day: "success",
      "per_day[0]": "success",
      "per_day[2]": "success",
      "per_day[4]": "success",
    });
    expect(
      (await h.store.tasks.attempts("run_fan", "per_day"))
        .filter((a) => a.mapIndex === 2)
        .map((a) => a.state),
    ).toEqual(["failed", "success"]);
    expect(result.summary.tasks.find((t) => t.id === "per_day")).toMatchObject({
      rows: { out: 50 },
      attempts: 6,
    });
  });

  it("fails the mapped task when an instance fails for good, and succeeds with [] for no items", async () => {
    const pipeline = definePipeline({
      id: "fan_fail",
      tasks: [
        defineTask({
          id: "each",
          map: () => [1, 2, 3],
          run: async (_ctx, n: number) => {
            if (n === 2) throw new Error("bad item");
            return n;
          },
        }),
        defineTask({ id: "after", dependsOn: ["each"], run: async () => 1 }),
        defineTask({ id: "none", map: async () => [], run: async () => 1 }),
      ],
    });
    const result = await h.start(pipeline, { runId: "run_fan_fail" });
    expect(await states("run_fan_fail")).toEqual({
      after: "upstream_failed",
      each: "failed",
      "each[0]": "success",
      "each[1]": "failed",
      "each[2]": "success",
      none: "success",
    });
    expect(result.error?.message).toBe(
      'task "each" failed: 1 of 3 mapped instances failed; each[1]: bad item',
    );
    expect(result.outputs.none).toEqual([]);
  });
});

describe("abort listeners", () => {
  it("maps 30 instances that all wait to retry without a MaxListenersExceededWarning", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const pipeline = definePipeline({
        id: "fan_retry_all",
        tasks: [
          defineTask({
            id: "each",
            retries: 1,
            retryDelay: "1s",
            map: () => Array.from({ length: 30 }, (_, i) => i),
            run: async (ctx, n: number) => {
              if (ctx.attempt === 1) throw new Error(`first try of ${n}`);
              return n;
            },
          }),
        ],
      });
      const result = await drive(h.clock, h.start(pipeline, { runId: "run_fan_retry_all" }), 1_000);
      expect(result.state).toBe("succeeded");
      expect(result.outputs.each).toHaveLength(30);
      // Node emits process warnings on a later tick.
      await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  });
});

describe("dependsOnPast", () => {
  const pipeline = (fail: () => boolean) =>
    definePipeline({
      id: "past",
      tasks: [
        defineTask({
          id: "load",
          dependsOnPast: true,
          run: async () => {
            if (fail()) throw new Error("load failed");
          },
        }),
      ],
    });
  const day = (d: number) => new Date(Date.UTC(2023, 5, d));

  it("runs when the previous run's instance succeeded, not when it failed", async () => {
    expect(
      (
        await h.start(
          pipeline(() => false),
          { logicalDate: day(1), runId: "past_1" },
        )
      ).state,
    ).toBe("succeeded");
    expect(
      (
        await h.start(
          pipeline(() => true),
          { logicalDate: day(2), runId: "past_2" },
        )
      ).state,
    ).toBe("failed");
    const third = await h.start(
      pipeline(() => false),
      { logicalDate: day(3), runId: "past_3" },
    );
    expect(third.state).toBe("failed");
    const [record] = await h.store.tasks.list("past_3");
    expect(record).toMatchObject({ state: "upstream_failed", tryNumber: 0 });
    expect(record?.error).toBe(
      'dependsOnPast: "load" ended failed in the previous run past_2 (2023-06-02T00:00:00.000Z)',
    );
  });

  it("waits while the previous run has not finished the task", async () => {
    const previous = gate();
    const ran: string[] = [];
    const waiting = definePipeline({
      id: "past_wait",
      tasks: [
        defineTask({
          id: "load",
          dependsOnPast: true,
          run: async (ctx) => {
            ran.push(ctx.runId);
            if (ctx.runId === "wait_1") await previous.promise;
          },
        }),
      ],
    });
    const first = h.start(waiting, { logicalDate: day(10), runId: "wait_1" });
    await until(() => ran.length === 1, "first run started");
    const second = h.start(waiting, { logicalDate: day(11), runId: "wait_2", pollMs: 500 });
    await until(async () => (await h.store.runs.get("wait_2"))?.state === "running", "second run claimed");
    await h.clock.advance(2_000);
    expect(ran).toEqual(["wait_1"]);
    expect((await h.store.tasks.list("wait_2"))[0]?.state).toBe("pending");
    previous.open();
    await first;
    await h.clock.advance(500);
    expect((await second).state).toBe("succeeded");
    expect(ran).toEqual(["wait_1", "wait_2"]);
  });
});
