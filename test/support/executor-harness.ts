import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../../src/core/clock.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../../src/lake/lake.js";
import { SqliteMetadataStore } from "../../src/metadata/sqlite-metadata-store.js";
import type { PipelineDefinition } from "../../src/orchestrator/define-pipeline.js";
import { type ExecuteRunOptions, executeRun } from "../../src/orchestrator/executor/execute-run.js";
import type { RunResult } from "../../src/orchestrator/executor/run-result.js";
import type { RunEvent } from "../../src/orchestrator/run-events.js";

/** A real SQLite store, DuckDB engine and lake in a temp folder, and a fake clock, for executor tests. */
export interface ExecutorHarness {
  dir: string;
  store: SqliteMetadataStore;
  runtime: { engine: DuckDBEngine; lake: Lake };
  clock: FakeClock;
  events: RunEvent[];
  /** Starts a run on the fake clock (not awaited: advance the clock to move it). */
  start(pipeline: PipelineDefinition, options?: Partial<ExecuteRunOptions>): Promise<RunResult>;
  close(): Promise<void>;
}

export async function openExecutorHarness(): Promise<ExecutorHarness> {
  const dir = mkdtempSync(join(tmpdir(), "weir-exec-"));
  const engine = await DuckDBEngine.create();
  const lake = await Lake.open({ root: join(dir, "lake"), engine });
  const store = await SqliteMetadataStore.open({ path: join(dir, "weir.db") });
  const clock = new FakeClock("2024-01-16T00:00:00Z");
  const events: RunEvent[] = [];
  let day = 0;
  return {
    dir,
    store,
    runtime: { engine, lake },
    clock,
    events,
    start: (pipeline, options = {}) =>
      executeRun({
        pipeline,
        store,
        runtime: { engine, lake },
        clock,
        // Each run its own logical date unless given, so dependsOnPast sees a clean history.
        logicalDate: new Date(Date.UTC(2020, 0, 1 + day++)),
        listeners: [(e) => void events.push(e)],
        heartbeatMs: 3_600_000,
        ...options,
      }),
    close: async () => {
      await store.close();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Lets the executor's loop run (I/O-free promise chains and SQLite calls) until `condition` holds. */
/** A run's task-instance states keyed `task` or `task[mapIndex]`, for compact assertions. */
export async function taskStates(store: SqliteMetadataStore, runId: string): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await store.tasks.list(runId)).map((t) => [
      `${t.taskId}${t.mapIndex < 0 ? "" : `[${t.mapIndex}]`}`,
      t.state,
    ]),
  );
}

export async function until(condition: () => boolean | Promise<boolean>, what = "condition"): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (await condition()) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A promise a test opens when it wants a task to go on. */
export function gate(): { promise: Promise<void>; open(): void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Advances the fake clock by `step` until `done` resolves (for runs whose tasks sleep on the clock). */
export async function drive<T>(
  clock: FakeClock,
  done: Promise<T>,
  step: number,
  maxSteps = 1_000,
): Promise<T> {
  let finished = false;
  const result = done.finally(() => {
    finished = true;
  });
  for (let i = 0; i < maxSteps && !finished; i++) {
    await clock.advance(step);
    for (let j = 0; j < 5 && !finished; j++) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return result;
}
