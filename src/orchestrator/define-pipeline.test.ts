import { describe, expect, it } from "vitest";
import { definePipeline, defineTask } from "./define-pipeline.js";

const noop = async () => undefined;
const task = (id: string, extra: Record<string, unknown> = {}) => defineTask({ id, run: noop, ...extra });
const invalid = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as Error & { code: string };
  }
  throw new Error("expected it to throw");
};

describe("definePipeline", () => {
  it("resolves pipeline defaults and task overrides into each task's policy", () => {
    const p = definePipeline({
      id: "customers",
      schedule: "0 2 * * *",
      timezone: "Europe/Berlin",
      startDate: "2024-01-01",
      retries: 3,
      retryDelay: "5m",
      catchup: false,
      maxActiveRuns: 1,
      owner: "data",
      tags: ["crm"],
      pools: { crm_db: 2 },
      notifications: { failure: ["ops"], sla: "2h" },
      tasks: [
        task("extract", { pool: "crm_db", timeout: "30m" }),
        task("load", {
          dependsOn: ["extract"],
          retries: 0,
          triggerRule: "all_done",
          retryExponentialBackoff: true,
          timeoutGrace: "1m",
        }),
      ],
    });
    expect(p.policies.extract).toEqual({
      retries: 3,
      retry: { retryDelay: 300_000, exponential: false },
      timeoutMs: 1_800_000,
      timeoutGraceMs: 10_000,
      dependsOnPast: false,
      pool: "crm_db",
      poolSlots: 1,
      queue: "default",
      triggerRule: "all_success",
      owner: "data",
    });
    expect(p.policies.load).toMatchObject({
      retries: 0,
      triggerRule: "all_done",
      retry: { exponential: true },
      timeoutGraceMs: 60_000,
    });
    expect(p.schedule).toMatchObject({ kind: "cron", pattern: "0 2 * * *", timezone: "Europe/Berlin" });
    expect(p.schedule.next(new Date("2024-03-30T12:00:00Z"))?.toISOString()).toBe("2024-03-31T01:00:00.000Z");
    expect(p).toMatchObject({
      catchup: false,
      maxActiveRuns: 1,
      maxActiveTasks: 16,
      startDate: new Date("2024-01-01"),
      pools: { crm_db: 2 },
      notifications: { routes: { failure: ["ops"] }, slaMs: 7_200_000 },
    });
  });

  it("defaults to no schedule, no retries, all_success, catchup off", () => {
    const p = definePipeline({ id: "p", tasks: [task("a")] });
    expect(p.schedule.kind).toBe("none");
    expect(p.policies.a).toMatchObject({ retries: 0, triggerRule: "all_success", dependsOnPast: false });
    expect(p).toMatchObject({ catchup: false, maxActiveRuns: 16, timezone: "UTC" });
  });

  it("accepts a dataset schedule and partitions", () => {
    const p = definePipeline({
      id: "report",
      schedule: { datasets: { any: ["lake.raw.orders", "lake.raw.refunds"] } },
      partitions: "daily",
      tasks: [task("a", { datasets: { reads: ["lake.raw.orders"], writes: ["warehouse.report"] } })],
    });
    expect(p.datasetTrigger).toEqual({ any: ["lake.raw.orders", "lake.raw.refunds"] });
    expect(p.schedule.kind).toBe("none");
    expect(p.partitions?.keyOf(new Date("2024-03-10T05:00:00Z"))).toBe("2024-03-10");
    expect(p.tasks[0]?.datasets).toEqual({ reads: ["lake.raw.orders"], writes: ["warehouse.report"] });
  });

  it.each([
    [{ schedule: "0 25 * * *" }, /invalid pipeline "p" schedule "0 25 \* \* \*": .*hour/],
    [{ schedule: "@fortnightly" }, /unknown preset/],
    [{ schedule: "@daily", timezone: "Mars/Olympus" }, /Mars\/Olympus/],
    [{ retryDelay: "5x" }, /invalid duration "5x" for pipeline "p" retryDelay: unknown unit "x"/],
    [{ runTimeout: "soon" }, /invalid duration "soon" for pipeline "p" runTimeout/],
    [{ retries: -1 }, /pipeline "p" retries must be a whole number of at least 0, got -1/],
    [{ maxActiveRuns: 0 }, /pipeline "p" maxActiveRuns must be a whole number of at least 1, got 0/],
    [{ catchup: "no" }, /pipeline "p" catchup must be true or false/],
    [{ startDate: "someday" }, /pipeline "p" startDate must be a date/],
    [{ startDate: "2024-02-01", endDate: "2024-01-01" }, /endDate .* is before its startDate/],
    [{ pools: { db: 0 } }, /pool "db" size must be a whole number of at least 1/],
    [{ partitions: "weekly" }, /partition grain "weekly" is unknown/],
    [{ notifications: { failure: "ops" } }, /notifications.failure must be a list of channel names/],
    [
      { notifications: { onFailure: ["ops"] } },
      /pipeline "p" notifications has an unknown option "onFailure"/,
    ],
    [{ retry: 3 }, /pipeline "p" has an unknown option "retry" \(did you mean "retries"\?\)/],
    [{ schedule: { datasets: [] } }, /"all" needs at least one dataset/],
  ])("refuses %j with PIPELINE_INVALID", (extra, message) => {
    const error = invalid(() => definePipeline({ id: "p", tasks: [task("a")], ...(extra as object) }));
    expect(error.code).toBe("PIPELINE_INVALID");
    expect(error.message).toMatch(message);
  });

  it.each([
    [{ timeout: 0 }, /task "a" timeout must be more than 0/],
    [{ timeout: "1 fortnight" }, /invalid duration "1 fortnight" for task "a" timeout/],
    [{ timeoutGrace: "soon" }, /invalid duration "soon" for task "a" timeoutGrace/],
    [
      { triggerRule: "always" },
      /task "a" triggerRule "always" is unknown: expected one of all_success, all_failed/,
    ],
    [{ poolSlots: 0 }, /task "a" poolSlots must be a whole number of at least 1/],
    [{ retryJitter: 2 }, /task "a" retryJitter must be true, false or a fraction/],
    [{ concurrency: 2 }, /task "a" sets concurrency but has no map function/],
    [{ dependsOn: "b" }, /task "a" dependsOn must be a list of task ids/],
    [{ datasets: { writes: [""] } }, /task "a" datasets.writes must be a list of non-empty strings/],
    [{ depends_on: ["b"] }, /task "a" has an unknown option "depends_on"/],
  ])("refuses task option %j", (extra, message) => {
    const error = invalid(() => task("a", extra));
    expect(error.code).toBe("PIPELINE_INVALID");
    expect(error.message).toMatch(message);
  });

  it("refuses a mapped task's bad concurrency and a map that is not a function", () => {
    expect(() =>
      defineTask({ id: "m", map: () => [1], concurrency: 0, run: async (_c, n: number) => n }),
    ).toThrow(/task "m" concurrency must be a whole number of at least 1, got 0/);
    expect(() => defineTask({ id: "m", map: [1] as never, run: async () => 1 })).toThrow(
      /task "m" map must be a function/,
    );
  });

  it("still names cycles, unknown dependencies and duplicate ids", () => {
    expect(() =>
      definePipeline({ id: "p", tasks: [task("a", { dependsOn: ["b"] }), task("b", { dependsOn: ["a"] })] }),
    ).toThrow('pipeline "p" has a cycle: a → b → a');
    expect(() => definePipeline({ id: "p", tasks: [task("a", { dependsOn: ["x"] })] })).toThrow(
      /depends on unknown task "x"/,
    );
    expect(() => definePipeline({ id: "p", tasks: [task("a"), task("a")] })).toThrow(
      /declares task "a" twice/,
    );
  });
});
