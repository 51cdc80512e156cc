import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { weirPaths } from "../core/paths.js";
import { definePipeline, defineTask } from "../orchestrator/define-pipeline.js";
import type { TaskSummary } from "../orchestrator/run-events.js";
import { summarizeRun } from "../orchestrator/summarize-run.js";
import { renderSummary } from "./render-summary.js";

const noop = async () => undefined;
const pipeline = definePipeline({
  id: "customers",
  tasks: [
    defineTask({ id: "extract", run: noop }),
    defineTask({ id: "land_raw", dependsOn: ["extract"], run: noop }),
    defineTask({ id: "transform", dependsOn: ["extract"], run: noop }),
    defineTask({ id: "check", dependsOn: ["transform"], run: noop }),
    defineTask({ id: "load", dependsOn: ["check", "land_raw"], run: noop }),
  ],
});
const paths = weirPaths("/tmp/weir-render-home");

function task(id: string, over: Partial<TaskSummary> = {}): TaskSummary {
  return { id, state: "succeeded", durationMs: 1200, rows: {}, quarantined: {}, ...over };
}

function render(tasks: TaskSummary[], state?: "succeeded" | "failed" | "interrupted"): string {
  const summary = summarizeRun({
    runId: "run_1",
    pipeline,
    logicalDate: "2024-01-15",
    durationMs: 5_000,
    tasks,
    outputs: [],
    ...(state ? { state } : {}),
  });
  return stripVTControlCharacters(renderSummary(summary, paths));
}

describe("renderSummary", () => {
  it("does not call a pipeline that aggregates unreconciled (rows out of the last task < rows into the first)", () => {
    const text = render([
      task("extract", { rows: { in: 1000, out: 1000 } }),
      task("land_raw"),
      task("transform"),
      task("check"),
      task("load", { rows: { in: 1000, out: 5 } }),
    ]);
    expect(text).not.toMatch(/does not reconcile|✗/);
  });

  it("reconciles per dataset and says what it compared", () => {
    const text = render([
      task("extract", {
        rows: { in: 668, out: 664, rejected: 4 },
        quarantined: { "parse(age)": 4 },
        datasets: { customers: { extracted: 668, quarantined: 4, quarantinedByCheck: { "parse(age)": 4 } } },
      }),
      task("land_raw"),
      task("transform"),
      task("check", {
        rows: { rejected: 14 },
        quarantined: { valid_email: 14 },
        datasets: { customers: { quarantined: 14, quarantinedByCheck: { valid_email: 14 } } },
      }),
      task("load", { datasets: { customers: { loaded: 650, into: ["dim_customers"] } } }),
    ]);
    expect(text).toContain(
      "customers: 668 extracted = 650 loaded into dim_customers + 18 quarantined  ✓ reconciled",
    );
  });

  it("lists tasks in the order they finished, those that did not run last, and '-' for rows not counted", () => {
    const text = render(
      [
        task("extract", { endedAt: "2024-01-16T02:00:01.000Z", rows: { in: 10, out: 10 } }),
        task("land_raw", { endedAt: "2024-01-16T02:00:09.000Z" }),
        task("transform", { endedAt: "2024-01-16T02:00:03.000Z", state: "failed" }),
        task("check", { state: "upstream_failed" }),
        task("load", { state: "upstream_failed" }),
      ],
      "failed",
    );
    const order = text
      .split("\n")
      .map((l) => /^(extract|land_raw|transform|check|load)\s/.exec(l)?.[1])
      .filter(Boolean);
    expect(order).toEqual(["extract", "transform", "land_raw", "check", "load"]);
    expect(text).toMatch(/^land_raw\s+succeeded\s+1\.2 s\s+-\s+-\s+-$/m);
    expect(text).toMatch(/^extract\s+succeeded\s+1\.2 s\s+10\s+10\s+-$/m);
  });

  it("says an interrupted run is interrupted and how to continue it, not failed", () => {
    const text = render([task("extract"), task("land_raw", { state: "skipped" })], "interrupted");
    expect(text.split("\n")[0]).toBe(
      "customers for 2024-01-15 interrupted in 5.0 s (run run_1) (resumable: weir retry run_1)",
    );
    expect(text).not.toContain("failed");
  });
});
