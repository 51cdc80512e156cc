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

  it("two backfills of the same dates at once run each date exactly once (5 rounds)", async () => {
    let executions = 0;
    const pipeline = definePipeline({
      id: "bf_pair",
      schedule: "@daily",
      tasks: [
        defineTask({
          id: "t",
          run: async () => {
            executions++;
            for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
          },
        }),
      ],
    });
    for (let round = 0; round < 5; round++) {
      const from = new Date(Date.UTC(2023, round * 2, 1));
      const to = new Date(from.getTime() + 19 * 86_400_000);
      const all = Array.from({ length: 20 }, (_, i) =>
        new Date(from.getTime() + i * 86_400_000).toISOString(),
      );
      const opts = { pipeline, store: h.store, runtime: h.runtime, clock: h.clock, from, to, concurrency: 3 };
      const reports = await Promise.all([runBackfill(opts), runBackfill(opts)]);
      const ran = reports.map((r) => r.runs.map((x) => x.logicalDate));
      expect([...ran[0]!, ...ran[1]!].sort()).toEqual(all);
      expect(reports[0]!.skipped.map((d) => d.toISOString())).toEqual(ran[1]);
      expect(reports[1]!.skipped.map((d) => d.toISOString())).toEqual(ran[0]);
      expect(reports.every((r) => r.failed === 0)).toBe(true);
      expect(executions).toBe(20);
      executions = 0;
    }
    const runs = await h.store.runs.list({ pipeline: "bf_pair", limit: 1_000 });
    expect(runs).toHaveLength(100);
    expect(new Set(runs.map((r) => r.logicalTime)).size).toBe(100);
  });

  it("takes over runs left by dead processes, skips and names those a live process holds", async () => {
    const ran: string[] = [];
    const pipeline = definePipeline({
      id: "bf_takeover",
      schedule: "@daily",
      tasks: [
        defineTask({
          id: "t",
          run: async (ctx) => void ran.push(ctx.logicalDate.toISOString().slice(0, 10)),
        }),
      ],
    });
    const now = h.clock.now().getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    const seed = async (d: string, extra: Record<string, unknown>) => {
      await h.store.runs.create(
        {
          id: `run_bf_${d}`,
          pipeline: "bf_takeover",
          logicalDate: `2024-05-${d}`,
          intervalStart: `2024-05-${d}T00:00:00.000Z`,
          intervalEnd: `2024-05-${d}T23:59:59.999Z`,
          state: "running",
          startedAt: iso(now - 5 * 60_000),
          params: {},
          ...extra,
        },
        [{ taskId: "t", mapIndex: -1, retries: 0 }],
      );
    };
    await seed("01", { owner: "dead-host:1:a", heartbeatAt: iso(now - 2 * 60_000) });
    await seed("02", { owner: "live-host:2:b", heartbeatAt: iso(now - 1_000) });
    await seed("03", { state: "queued", runType: "scheduled" });
    await seed("04", {});
    await h.store.runs.finish("run_bf_04", { state: "succeeded", endedAt: iso(now) });
    const opts = {
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
      from: day("2024-05-01"),
      to: day("2024-05-05"),
    };

    const plan = await planBackfill(opts);
    expect(plan.create).toEqual([day("2024-05-05")]);
    expect(plan.resume.map((r) => r.id)).toEqual(["run_bf_01", "run_bf_03"]);
    expect(plan.held).toEqual([
      {
        logicalDate: "2024-05-02T00:00:00.000Z",
        runId: "run_bf_02",
        owner: "live-host:2:b",
        heartbeatAt: iso(now - 1_000),
      },
    ]);
    expect(plan.alreadySucceeded).toEqual([day("2024-05-04")]);
    expect(plan.skipped).toEqual([day("2024-05-02"), day("2024-05-04")]);

    const report = await runBackfill(opts);
    expect(
      report.runs.map((r) => [
        r.logicalDate.slice(0, 10),
        r.runId.startsWith("run_bf_") ? r.runId : "new",
        r.state,
      ]),
    ).toEqual([
      ["2024-05-01", "run_bf_01", "succeeded"],
      ["2024-05-03", "run_bf_03", "succeeded"],
      ["2024-05-05", "new", "succeeded"],
    ]);
    expect(report.reaped).toEqual([
      {
        runId: "run_bf_01",
        logicalDate: "2024-05-01T00:00:00.000Z",
        owner: "dead-host:1:a",
        lastHeartbeat: iso(now - 2 * 60_000),
      },
    ]);
    expect(report.held.map((x) => [x.runId, x.owner])).toEqual([["run_bf_02", "live-host:2:b"]]);
    expect(ran.sort()).toEqual(["2024-05-01", "2024-05-03", "2024-05-05"]);
    expect(await h.store.runs.get("run_bf_02")).toMatchObject({ state: "running", owner: "live-host:2:b" });
    expect(await h.store.runs.count({ pipeline: "bf_takeover" })).toBe(5);
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
