import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeClock } from "../core/clock.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "../lake/lake.js";
import { SqliteMetadataStore } from "../metadata/sqlite-metadata-store.js";
import { definePipeline } from "./define-pipeline.js";
import { defineTask } from "./define-task.js";
import { createRun } from "./executor/create-run.js";
import { alignedRun, intervalOfLogicalDate } from "./run-interval.js";
import { runPipeline } from "./run-pipeline.js";

/** Issue 10 item 6 through the API: a logical date names its interval's run. */
const seen: string[] = [];
const monthly = definePipeline({
  id: "monthly",
  schedule: "@monthly",
  tasks: [
    defineTask({
      id: "t",
      run: async (ctx) =>
        void seen.push(`${ctx.interval.start.toISOString()} ${ctx.interval.end.toISOString()}`),
    }),
  ],
});
const d = (s: string) => new Date(s);

let dir: string;
let engine: DuckDBEngine;
let store: SqliteMetadataStore;
let lake: Lake;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-run-interval-"));
  engine = await DuckDBEngine.create();
  store = await SqliteMetadataStore.open({ path: join(dir, "weir.db") });
  lake = await Lake.open({ root: join(dir, "lake"), engine });
});
afterAll(async () => {
  await store.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the interval of a logical date", () => {
  it("aligns a date inside an interval to the interval's own logical date; fire times stay", () => {
    expect(alignedRun(monthly, d("2001-03-15T12:00:00Z")).logicalDate.toISOString()).toBe(
      "2001-03-01T00:00:00.000Z",
    );
    expect(alignedRun(monthly, d("2001-03-01T00:00:00Z")).interval.end.toISOString()).toBe(
      "2001-04-01T00:00:00.000Z",
    );
    const parts = definePipeline({
      id: "p",
      partitions: "monthly",
      tasks: [defineTask({ id: "t", run: async () => 0 })],
    });
    expect(alignedRun(parts, d("2001-03-15T12:00:00Z")).logicalDate.toISOString()).toBe(
      "2001-03-01T00:00:00.000Z",
    );
    // A date that is no interval's logical date keeps its UTC day (runPipeline's old default).
    const at2 = definePipeline({
      id: "q",
      schedule: "0 2 * * *",
      tasks: [defineTask({ id: "t", run: async () => 0 })],
    });
    expect(intervalOfLogicalDate(at2, d("2024-01-15T00:00:00Z")).end.toISOString()).toBe(
      "2024-01-16T00:00:00.000Z",
    );
  });

  it("runPipeline of a @monthly pipeline for 2001-03-01 covers all of March", async () => {
    const result = await runPipeline(monthly, { logicalDate: "2001-03-01", engine, lake, metadata: store });
    expect(result.state).toBe("succeeded");
    expect(seen).toEqual(["2001-03-01T00:00:00.000Z 2001-04-01T00:00:00.000Z"]);
  });

  it("createRun for a date inside March finds March's run (one run per interval)", async () => {
    const clock = new FakeClock(d("2001-05-01T00:00:00Z"));
    const { run, created } = await createRun({
      pipeline: monthly,
      store,
      clock,
      id: "run_mid_march",
      logicalDate: d("2001-03-15T00:00:00Z"),
      runType: "backfill",
    });
    expect(created).toBe(false);
    expect(run).toMatchObject({
      logicalTime: "2001-03-01T00:00:00.000Z",
      intervalEnd: "2001-04-01T00:00:00.000Z",
    });
  });
});
