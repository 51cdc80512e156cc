/**
 * Orchestrator benchmark: how much the local executor costs per task when the tasks do
 * nothing, measured against the same DAG shapes run as plain awaited async functions in
 * the same process (the floor: what any in-process scheduler must at least spend).
 *
 * - `wide`: 1 root → 998 independent tasks → 1 join (1,000 tasks);
 * - `deep`: a chain of 1,000 tasks;
 * - `backfill`: 365 daily runs of a 5-task no-op chain, `--concurrency` runs at once.
 *
 * weir's side records every transition in a SQLite metadata store (a file in a temp dir,
 * WAL, as `weir` uses it), so the numbers include the bookkeeping that makes runs
 * resumable. Each measurement is the median of `--runs` repetitions after one warm-up.
 *
 *   node --import tsx bench/orchestrator.ts [--tasks 1000] [--days 365] [--runs 3] [--concurrency 4]
 *
 * Prints:
 *   RATIO orchestrator-wide: weir/floor wall = X (… tasks/s, … ms/task overhead; target >= 500 tasks/s, <= 2 ms/task)
 *   RATIO orchestrator-deep: …
 *   RATIO orchestrator-backfill: weir/floor wall = X (… runs/s)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DuckDBEngine } from "../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../src/lake/lake.js";
import type { MetadataStore } from "../src/metadata/metadata-store.js";
import { SqliteMetadataStore } from "../src/metadata/sqlite-metadata-store.js";
import { definePipeline, type PipelineDefinition } from "../src/orchestrator/define-pipeline.js";
import { defineTask, type TaskDefinition } from "../src/orchestrator/define-task.js";
import { executeRun } from "../src/orchestrator/executor/execute-run.js";
import { runBackfill } from "../src/orchestrator/scheduler/backfill.js";
import { argValue } from "./bench-args.js";

export interface OrchestratorBenchOptions {
  /** Tasks in the wide and deep DAGs; default 1,000. */
  tasks?: number;
  /** Days of the backfill; default 365. */
  days?: number;
  /** Repetitions per measurement (median taken); default 3. */
  runs?: number;
  /** Backfill runs at once; default 4. */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface ShapeResult {
  name: "wide" | "deep";
  tasks: number;
  weirMs: number;
  floorMs: number;
  tasksPerSecond: number;
  /** (weir − floor) / tasks. */
  overheadMsPerTask: number;
  ratio: number;
  line: string;
}

export interface BackfillResult {
  days: number;
  tasksPerRun: number;
  concurrency: number;
  weirMs: number;
  floorMs: number;
  runsPerSecond: number;
  ratio: number;
  line: string;
}

export interface OrchestratorBenchResult {
  shapes: ShapeResult[];
  backfill: BackfillResult;
  lines: string[];
}

const noop = async (): Promise<void> => {};

/** The wide DAG: root → n−2 independent tasks → join. */
function widePipeline(n: number): PipelineDefinition {
  const middle = Array.from({ length: n - 2 }, (_, i) => `t${i}`);
  const tasks: TaskDefinition[] = [
    defineTask({ id: "root", run: noop }),
    ...middle.map((id) => defineTask({ id, dependsOn: ["root"], run: noop })),
    defineTask({ id: "join", dependsOn: middle, run: noop }),
  ];
  return definePipeline({ id: "bench_wide", tasks });
}

/** The deep DAG: t0 → t1 → … → t(n−1). */
function deepPipeline(n: number, id = "bench_deep", extra: Record<string, unknown> = {}): PipelineDefinition {
  const tasks = Array.from({ length: n }, (_, i) =>
    defineTask({ id: `t${i}`, ...(i > 0 ? { dependsOn: [`t${i - 1}`] } : {}), run: noop }),
  );
  return definePipeline({ id, tasks, ...extra } as Parameters<typeof definePipeline>[0]);
}

/** The floor: the same shapes as plain awaited async functions. */
async function wideFloor(n: number): Promise<void> {
  await noop();
  await Promise.all(Array.from({ length: n - 2 }, () => noop()));
  await noop();
}

async function deepFloor(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await noop();
}

async function backfillFloor(days: number, tasks: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < days) {
      next++;
      await deepFloor(tasks);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs the benchmark and returns (and logs) its RATIO lines. */
export async function run(options: OrchestratorBenchOptions = {}): Promise<OrchestratorBenchResult> {
  const n = options.tasks ?? 1_000;
  const days = options.days ?? 365;
  const reps = options.runs ?? 3;
  const concurrency = options.concurrency ?? 4;
  const log = options.log ?? ((line: string) => console.error(line));
  const dir = mkdtempSync(join(tmpdir(), "weir-bench-orch-"));
  const engine = await DuckDBEngine.create();
  const lake = await Lake.open({ root: join(dir, "lake"), engine });
  let store: MetadataStore | undefined;
  try {
    store = await SqliteMetadataStore.open({ path: join(dir, "weir.db") });
    const opened = store;
    const runtime = { engine, lake };
    const shapes: ShapeResult[] = [];
    for (const [name, pipeline, floor] of [
      ["wide", widePipeline(n), () => wideFloor(n)],
      ["deep", deepPipeline(n), () => deepFloor(n)],
    ] as const) {
      let day = 0;
      const once = async () => {
        const result = await executeRun({
          pipeline,
          store: opened,
          runtime,
          logicalDate: new Date(Date.UTC(2024, 0, 1 + day++)),
        });
        if (result.state !== "succeeded")
          throw new Error(`bench ${name} run ${result.runId} ${result.state}`);
      };
      await once(); // warm-up: JIT, SQLite pages, statement caches
      await floor();
      const weirTimes: number[] = [];
      const floorTimes: number[] = [];
      for (let i = 0; i < reps; i++) {
        weirTimes.push(await time(once));
        floorTimes.push(await time(floor));
        log(
          `  ${name} #${i + 1}: weir ${weirTimes.at(-1)!.toFixed(1)} ms, floor ${floorTimes.at(-1)!.toFixed(2)} ms`,
        );
      }
      const weirMs = median(weirTimes);
      const floorMs = median(floorTimes);
      const tasksPerSecond = n / (weirMs / 1000);
      const overheadMsPerTask = (weirMs - floorMs) / n;
      const ratio = weirMs / floorMs;
      const line =
        `RATIO orchestrator-${name}: weir/floor wall = ${ratio.toFixed(0)} ` +
        `(${n} no-op tasks: weir ${weirMs.toFixed(0)} ms = ${tasksPerSecond.toFixed(0)} tasks/s, ` +
        `${overheadMsPerTask.toFixed(3)} ms/task overhead; floor ${floorMs.toFixed(2)} ms; ` +
        `targets >= 500 tasks/s, <= 2 ms/task)`;
      shapes.push({ name, tasks: n, weirMs, floorMs, tasksPerSecond, overheadMsPerTask, ratio, line });
    }

    const tasksPerRun = 5;
    const backfillTimes: number[] = [];
    const backfillFloorTimes: number[] = [];
    for (let i = 0; i < reps; i++) {
      // A fresh pipeline id per repetition: a backfill skips days that already have runs.
      const pipeline = deepPipeline(tasksPerRun, `bench_backfill_${i}`, { schedule: "@daily" });
      const from = new Date(Date.UTC(2023, 0, 1));
      const to = new Date(from.getTime() + (days - 1) * 86_400_000);
      backfillTimes.push(
        await time(async () => {
          const result = await runBackfill({ pipeline, store: opened, runtime, from, to, concurrency });
          if (result.succeeded !== days)
            throw new Error(`backfill: ${result.succeeded}/${days} runs succeeded`);
        }),
      );
      backfillFloorTimes.push(await time(() => backfillFloor(days, tasksPerRun, concurrency)));
      log(
        `  backfill #${i + 1}: weir ${backfillTimes.at(-1)!.toFixed(0)} ms, floor ${backfillFloorTimes.at(-1)!.toFixed(2)} ms`,
      );
    }
    const weirMs = median(backfillTimes);
    const floorMs = median(backfillFloorTimes);
    const runsPerSecond = days / (weirMs / 1000);
    const ratio = weirMs / floorMs;
    const backfill: BackfillResult = {
      days,
      tasksPerRun,
      concurrency,
      weirMs,
      floorMs,
      runsPerSecond,
      ratio,
      line:
        `RATIO orchestrator-backfill: weir/floor wall = ${ratio.toFixed(0)} ` +
        `(${days} daily runs of a ${tasksPerRun}-task no-op chain, ${concurrency} at once: weir ${weirMs.toFixed(0)} ms = ` +
        `${runsPerSecond.toFixed(1)} runs/s, ${((weirMs - floorMs) / (days * tasksPerRun)).toFixed(3)} ms/task overhead; ` +
        `floor ${floorMs.toFixed(2)} ms)`,
    };
    const lines = [...shapes.map((s) => s.line), backfill.line];
    return { shapes, backfill, lines };
  } finally {
    await store?.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const argv = process.argv.slice(2);
  const num = (name: string) => {
    const v = argValue(argv, name);
    return v === undefined ? undefined : Number(v);
  };
  const result = await run({
    ...(num("tasks") ? { tasks: num("tasks")! } : {}),
    ...(num("days") ? { days: num("days")! } : {}),
    ...(num("runs") ? { runs: num("runs")! } : {}),
    ...(num("concurrency") ? { concurrency: num("concurrency")! } : {}),
  });
  for (const line of result.lines) console.log(line);
}
