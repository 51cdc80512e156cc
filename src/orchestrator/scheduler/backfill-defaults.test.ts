import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExecutorHarness, openExecutorHarness } from "../../../test/support/executor-harness.js";
import { definePipeline, defineTask } from "../define-pipeline.js";
import type { RunEvent } from "../run-events.js";
import { DEFAULT_BACKFILL_CONCURRENCY, runBackfill } from "./backfill.js";

let h: ExecutorHarness;
beforeAll(async () => {
  h = await openExecutorHarness();
});
afterAll(() => h.close());

const day = (d: string) => new Date(`${d}T00:00:00.000Z`);

/** A daily pipeline whose task notes how many runs execute at once; `maxActiveRuns` left at its default (16). */
function counted(id: string) {
  const seen = { running: 0, peak: 0 };
  const pipeline = definePipeline({
    id,
    schedule: "@daily",
    tasks: [
      defineTask({
        id: "work",
        run: async () => {
          seen.peak = Math.max(seen.peak, ++seen.running);
          // Long enough that runs started together would overlap.
          await new Promise<void>((resolve) => setTimeout(resolve, 20));
          seen.running--;
        },
      }),
    ],
  });
  return { pipeline, seen };
}

describe("backfill defaults", () => {
  it("runs one date at a time unless asked for more, whatever the pipeline's maxActiveRuns", async () => {
    const { pipeline, seen } = counted("bf_default");
    expect(pipeline.maxActiveRuns).toBe(16);
    const report = await runBackfill({
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
      from: day("2024-01-01"),
      to: day("2024-01-06"),
    });
    expect(report.succeeded).toBe(6);
    expect(DEFAULT_BACKFILL_CONCURRENCY).toBe(1);
    expect(seen.peak).toBe(1);

    const faster = counted("bf_asked");
    await runBackfill({
      pipeline: faster.pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
      from: day("2024-01-01"),
      to: day("2024-01-06"),
      concurrency: 3,
    });
    expect(faster.seen.peak).toBe(3);
  });

  it("tells the plan before any run starts, then each run's start and end in date order", async () => {
    const { pipeline } = counted("bf_told");
    const said: string[] = [];
    const report = await runBackfill({
      pipeline,
      store: h.store,
      runtime: h.runtime,
      clock: h.clock,
      from: day("2024-02-01"),
      to: day("2024-02-03"),
      onPlan: (plan, concurrency) =>
        said.push(`plan ${plan.create.map((d) => d.toISOString().slice(5, 10)).join(",")} x${concurrency}`),
      listeners: [
        (e: RunEvent) => {
          if (e.type === "run.started") said.push(`start ${e.logicalDate.slice(5)}`);
        },
      ],
      onRunFinished: (result, date) => said.push(`end ${date.toISOString().slice(5, 10)} ${result.state}`),
    });
    expect(said).toEqual([
      "plan 02-01,02-02,02-03 x1",
      "start 02-01",
      "end 02-01 succeeded",
      "start 02-02",
      "end 02-02 succeeded",
      "start 02-03",
      "end 02-03 succeeded",
    ]);
    expect(report.runs.map((r) => [r.logicalDate.slice(0, 10), r.state, typeof r.durationMs])).toEqual([
      ["2024-02-01", "succeeded", "number"],
      ["2024-02-02", "succeeded", "number"],
      ["2024-02-03", "succeeded", "number"],
    ]);
  });
});
