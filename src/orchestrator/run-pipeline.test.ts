import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TaskError } from "../core/errors.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "../lake/lake.js";
import { SqliteMetadataStore } from "../metadata/sqlite-metadata-store.js";
import { checkRows, notNull } from "../quality/row-checks.js";
import { definePipeline, defineTask } from "./define-pipeline.js";
import type { RunEvent } from "./run-events.js";
import { runPipeline } from "./run-pipeline.js";

let dir: string;
let engine: DuckDBEngine;
let lake: Lake;
let metadata: SqliteMetadataStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-run-"));
  engine = await DuckDBEngine.create();
  lake = await Lake.open({ root: join(dir, "lake"), engine });
  metadata = await SqliteMetadataStore.open({ path: join(dir, "weir.db") });
});
afterAll(async () => {
  await metadata.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function collect(): { events: RunEvent[]; listener: (e: RunEvent) => void } {
  const events: RunEvent[] = [];
  return { events, listener: (e) => void events.push(e) };
}

describe("runPipeline", () => {
  it("runs tasks in order, passes outputs downstream and emits typed events", async () => {
    const seen: string[] = [];
    const extract = defineTask({
      id: "extract",
      run: async (ctx) => {
        seen.push(`extract ${ctx.interval.start.toISOString()} ${ctx.params.region}`);
        ctx.recordRows({ in: 10 });
        await ctx.progress({ step: "read", done: 10, total: 10, unit: "rows" });
        return { rows: 10 };
      },
    });
    const load = defineTask({
      id: "load",
      dependsOn: ["extract"],
      run: async (ctx) => {
        const { rows } = ctx.outputOf(extract);
        seen.push(`load ${rows}`);
        ctx.recordRows({ out: rows });
        ctx.recordOutput({ kind: "warehouse", name: "t", location: ":memory:" });
        return rows * 2;
      },
    });
    const pipeline = definePipeline({ id: "demo", tasks: [load, extract] });
    const { events, listener } = collect();
    const result = await runPipeline(pipeline, {
      logicalDate: "2024-01-15",
      params: { region: "eu" },
      engine,
      lake,
      metadata,
      listeners: [listener],
    });
    expect(seen).toEqual(["extract 2024-01-15T00:00:00.000Z eu", "load 10"]);
    expect(result.error).toBeUndefined();
    expect(result.outputs).toEqual({ extract: { rows: 10 }, load: 20 });
    expect(
      events.map((e) =>
        e.type.startsWith("task") ? `${e.type}:${(e as { taskId: string }).taskId}` : e.type,
      ),
    ).toEqual([
      "run.started",
      "task.started:extract",
      "task.progress:extract",
      "task.succeeded:extract",
      "task.started:load",
      "task.succeeded:load",
      "run.finished",
    ]);
    expect(result.summary).toMatchObject({
      state: "succeeded",
      logicalDate: "2024-01-15",
      rows: { extracted: 10, loaded: 10, quarantined: 0 },
      datasets: [],
      outputs: [{ kind: "warehouse", name: "t" }],
    });
    // No dataset recorded: rows into the first task and out of the last are listed, not judged.
    expect(result.summary.reconciled).toBeUndefined();
    // The metadata store subscribed to the same events.
    const run = await metadata.getRun(result.summary.runId);
    expect(run).toMatchObject({
      state: "succeeded",
      pipeline: "demo",
      logicalDate: "2024-01-15",
      params: { region: "eu" },
    });
    const tasks = await metadata.tasks.list(result.summary.runId);
    // A count a task did not record is unknown, not 0.
    expect(tasks.map((t) => [t.taskId, t.state, t.rows])).toEqual([
      ["extract", "success", { in: 10 }],
      ["load", "success", { out: 10 }],
    ]);
    // Outputs are stored for a resumed run to read.
    expect(await metadata.tasks.outputs(result.summary.runId)).toEqual(
      expect.arrayContaining([{ taskId: "extract", mapIndex: -1, value: '{"rows":10}' }]),
    );
  });

  it("wraps a task's error in TaskError, fails downstream as upstream_failed, still runs independent branches", async () => {
    const boom = new Error("disk full");
    const ran: string[] = [];
    const t = (id: string, dependsOn: string[], fail = false) =>
      defineTask({
        id,
        dependsOn,
        run: async () => {
          ran.push(id);
          if (fail) throw boom;
        },
      });
    const pipeline = definePipeline({
      id: "failing",
      tasks: [t("a", []), t("b", ["a"], true), t("c", ["b"]), t("d", ["c"]), t("side", ["a"])],
    });
    const { events, listener } = collect();
    const result = await runPipeline(pipeline, {
      logicalDate: "2024-01-15",
      engine,
      lake,
      metadata,
      listeners: [listener],
    });
    expect(ran).toEqual(["a", "b", "side"]);
    expect(result.error).toBeInstanceOf(TaskError);
    expect(result.error?.cause).toBe(boom);
    expect(result.error?.message).toBe('task "b" failed: disk full');
    expect(result.summary.state).toBe("failed");
    expect(result.summary.tasks.map((x) => [x.id, x.state])).toEqual([
      ["a", "succeeded"],
      ["b", "failed"],
      ["c", "upstream_failed"],
      ["d", "upstream_failed"],
      ["side", "succeeded"],
    ]);
    const skipped = events.filter((e) => e.type === "task.skipped");
    expect(skipped.map((e) => [e.taskId, e.blockedBy])).toEqual([
      ["c", ["b"]],
      ["d", ["c"]],
    ]);
    const failed = events.find((e) => e.type === "task.failed");
    expect(failed).toMatchObject({ taskId: "b", error: { code: "TASK_FAILED", message: "disk full" } });
    expect(skipped.map((e) => e.state)).toEqual(["upstream_failed", "upstream_failed"]);
    const stored = await metadata.tasks.list(result.summary.runId);
    expect(stored.find((x) => x.taskId === "b")).toMatchObject({
      state: "failed",
      error: "[TASK_FAILED] disk full",
    });
    expect(stored.find((x) => x.taskId === "c")).toMatchObject({ state: "upstream_failed" });
    expect((await metadata.tasks.attempts(result.summary.runId, "b"))[0]).toMatchObject({
      state: "failed",
      errorCode: "TASK_FAILED",
      error: "disk full",
    });
    expect((await metadata.getRun(result.summary.runId))?.state).toBe("failed");
  });

  it("refuses outputOf a task that is not upstream", async () => {
    const a = defineTask({ id: "a", run: async () => 1 });
    const b = defineTask({ id: "b", run: async (ctx) => ctx.outputOf(a) });
    const result = await runPipeline(definePipeline({ id: "p", tasks: [a, b] }), {
      logicalDate: "2024-01-15",
      engine,
      lake,
      metadata,
    });
    expect(result.error?.message).toMatch(/outputOf\("a"\): "a" is not upstream of "b"/);
  });

  it("counts quarantined rows so a dataset reconciles extracted = loaded + quarantined", async () => {
    const extract = defineTask({
      id: "extract",
      run: async (ctx) => {
        await ctx.engine.run("CREATE OR REPLACE TABLE src AS SELECT * FROM (VALUES (1), (NULL), (3)) t(id)");
        ctx.recordRows({ in: 3 });
        ctx.recordDataset({ dataset: "things", extracted: 3 });
        await ctx.quarantine({
          dataset: "things",
          stage: "extract",
          rejections: [],
        });
      },
    });
    const check = defineTask({
      id: "check",
      dependsOn: ["extract"],
      run: async (ctx) => {
        const r = await checkRows(ctx.engine, {
          source: { name: "src" },
          passed: { name: "src_ok" },
          failed: { name: "src_bad" },
          checks: [notNull("id")],
        });
        await ctx.quarantine({ dataset: "things", stage: "check", failed: { name: "src_bad" } });
        ctx.recordRows({ out: r.passed });
        ctx.recordDataset({ dataset: "things", loaded: r.passed, into: "src_ok" });
      },
    });
    const result = await runPipeline(definePipeline({ id: "q", tasks: [extract, check] }), {
      logicalDate: "2024-01-15",
      engine,
      lake,
      metadata,
    });
    expect(result.summary.rows).toEqual({
      extracted: 3,
      loaded: 2,
      quarantined: 1,
      quarantinedByCheck: { "not_null(id)": 1 },
    });
    expect(result.summary.datasets).toEqual([
      {
        dataset: "things",
        extracted: 3,
        loaded: 2,
        quarantined: 1,
        quarantinedByCheck: { "not_null(id)": 1 },
        into: ["src_ok"],
        reconciled: true,
      },
    ]);
    expect(result.summary.reconciled).toBe(true);
    const [row] = await engine.query("SELECT run_id, stage FROM quarantine.things");
    expect(row).toEqual({ run_id: result.summary.runId, stage: "check" });
  });

  it("refuses an impossible logical date", async () => {
    const p = definePipeline({ id: "p", tasks: [defineTask({ id: "a", run: async () => 1 })] });
    await expect(runPipeline(p, { logicalDate: "2024-02-30", engine, lake, metadata })).rejects.toMatchObject(
      {
        code: "CONFIG_INVALID",
      },
    );
  });
});
