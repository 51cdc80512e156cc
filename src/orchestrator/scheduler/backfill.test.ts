import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExecutorHarness, openExecutorHarness } from "../../../test/support/executor-harness.js";
import { definePipeline, defineTask } from "../define-pipeline.js";
import { planBackfill, runBackfill } from "./backfill.js";

let h: ExecutorHarness;
beforeAll(async () => {
  h = await openExecutorHarness();
});
afterAll(() => h.close());

const day = (d: string) => new Date(`${d}T00:00:00.000Z`);

describe("runBackfill", () => {
  it("runs every logical date of the schedule in the range, at most `concurrency` at once, and only once", async () => {
    let running = 0;
    let peak = 0;
    const intervals: string[] = [];
    const pipeline = definePipeline({
      id: "bf_daily",
      schedule: "0 2 * * *",
      tasks: [
        defineTask({
          id: "work",
          run: async (ctx) => {
            peak = Math.max(peak, ++running);
            intervals.push(`${ctx.runType} ${ctx.interval.start.toISOString()}`);
            await new Promise<void>((resolve) => setImmediate(resolve));
            running--;
          },
        }),
      ],
    });
    const report = await runBackfill({
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
      from: day("2024-01-01"),
      to: day("2024-01-06"), // fire times 01-01 02:00 … 01-05 02:00
      concurrency: 2,
    });
    expect(report.runs.map((r) => [r.logicalDate, r.state])).toEqual(
      ["01", "02", "03", "04", "05"].map((d) => [`2024-01-${d}T02:00:00.000Z`, "succeeded"]),
    );
    expect(report).toMatchObject({ succeeded: 5, failed: 0, interrupted: 0, skipped: [] });
    expect(peak).toBe(2);
    expect(intervals.sort()[0]).toBe("backfill 2024-01-01T02:00:00.000Z");
    expect(await h.store.runs.count({ pipeline: "bf_daily", runTypes: ["backfill"] })).toBe(5);

    const again = await runBackfill({
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
      from: day("2024-01-01"),
      to: day("2024-01-06"),
    });
    expect(again.runs).toEqual([]);
    expect(again.skipped).toHaveLength(5);
  });

  it("runs a failed run of the range again, its failed tasks only", async () => {
    let fail = true;
    const calls: string[] = [];
    const pipeline = definePipeline({
      id: "bf_rerun",
      schedule: "@daily",
      tasks: [
        defineTask({
          id: "a",
          run: async (ctx) => void calls.push(`a ${ctx.logicalDate.toISOString().slice(0, 10)}`),
        }),
        defineTask({
          id: "b",
          dependsOn: ["a"],
          run: async (ctx) => {
            calls.push(`b ${ctx.logicalDate.toISOString().slice(0, 10)}`);
            if (fail && ctx.logicalDate.getUTCDate() === 2) throw new Error("boom");
          },
        }),
      ],
    });
    const opts = {
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
      from: day("2024-01-01"),
      to: day("2024-01-02"),
    };
    const first = await runBackfill(opts);
    expect(first).toMatchObject({ succeeded: 1, failed: 1 });
    fail = false;
    calls.length = 0;
    expect((await planBackfill(opts)).rerun.map((r) => r.logicalDate)).toEqual(["2024-01-02"]);
    const second = await runBackfill(opts);
    expect(second).toMatchObject({ succeeded: 1, failed: 0, create: [] });
    expect(second.runs[0]!.runId).toBe(first.runs[1]!.runId); // the same run, continued
    expect(calls).toEqual(["b 2024-01-02"]);
  });

  it("plans the missing partitions of a partitioned pipeline and stores what was done as merged ranges", async () => {
    const pipeline = definePipeline({
      id: "bf_parts",
      partitions: "daily",
      tasks: [
        defineTask({
          id: "land",
          datasets: { writes: ["lake.raw.bf_parts"] },
          run: async (ctx) => ctx.partition?.key,
        }),
      ],
    });
    const base = { pipeline, store: h.store, runtime: h.runtime, clock: h.clock };
    // Days 3 and 4 first, then the whole first week: only the other five are planned.
    await runBackfill({ ...base, from: day("2024-01-03"), to: day("2024-01-04") });
    const plan = await planBackfill({ ...base, from: day("2024-01-01"), to: day("2024-01-07") });
    expect(plan.create.map((d) => d.toISOString().slice(0, 10))).toEqual([
      "2024-01-01",
      "2024-01-02",
      "2024-01-05",
      "2024-01-06",
      "2024-01-07",
    ]);
    const report = await runBackfill({
      ...base,
      from: day("2024-01-01"),
      to: day("2024-01-07"),
      concurrency: 3,
    });
    expect(report.succeeded).toBe(5);
    expect(await h.store.datasets.materialised("lake.raw.bf_parts")).toEqual([
      { start: "2024-01-01T00:00:00.000Z", end: "2024-01-08T00:00:00.000Z" },
    ]);
    expect((await planBackfill({ ...base, from: day("2024-01-01"), to: day("2024-01-07") })).create).toEqual(
      [],
    );
  });

  it("refuses a backwards range, and a pipeline with neither a cron schedule nor partitions", async () => {
    const manual = definePipeline({ id: "bf_manual", tasks: [defineTask({ id: "t", run: async () => 0 })] });
    await expect(
      planBackfill({ pipeline: manual, store: h.store, from: day("2024-01-02"), to: day("2024-01-01") }),
    ).rejects.toThrow(/backfill range is backwards/);
    await expect(
      planBackfill({ pipeline: manual, store: h.store, from: day("2024-01-01"), to: day("2024-01-02") }),
    ).rejects.toThrow(
      'pipeline "bf_manual" has neither a cron schedule nor time partitions: a backfill has no dates to plan (use weir run --date)',
    );
  });
});
