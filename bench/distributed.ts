/**
 * Distributed executor benchmark (issue 16): what handing each task to a `weir worker`
 * through the PostgreSQL queue costs, against the local executor in the same run on the
 * same PostgreSQL metadata store (a fresh schema, dropped afterwards). On a 2-core machine
 * the point is overhead and correctness, not scaling: the owner, the workers and
 * PostgreSQL share the two cores.
 *
 * - throughput: a wide DAG of no-op tasks (root → `tasks − 2` independent → join,
 *   `maxActiveTasks` 16), executed by `executeRun` in this process — locally, then with
 *   `executor: "distributed"` (the runner `weir run` opens) and 1, 2 and 4 real
 *   `weir worker --concurrency 4` processes;
 * - pickup latency: a chain of `chain` no-op tasks (one ready at a time), from "ready"
 *   (the upstream attempt's end recorded in `task_attempts`) to "running" (local: the
 *   attempt's `started_at`, claimed and started in one step; distributed: the worker took
 *   it, `remote_attempts.picked_at`), p50/p99 per configuration;
 * - correctness, every run: each task success exactly once — one success attempt in the
 *   store, one queue hand-over taken by a worker with its outcome (distributed), and one
 *   line in an executions file written by the task itself, from the right process; the
 *   workers drain and exit 0 on SIGTERM.
 *
 * Warm-up: one untimed run of each pipeline per configuration (JIT; each worker loads the
 * pipeline files on first use); then the median of `--runs` timed runs. Lineage is off on
 * the owner's side (as in bench/orchestrator.ts: the executor's cost alone); the warehouse
 * is PostgreSQL (a DuckDB file would be opened per attempt by every worker process).
 *
 *   node --import tsx bench/distributed.ts [--tasks 500] [--chain 200] [--workers 1,2,4]
 *        [--concurrency 4] [--runs 1]
 *   npm run bench -- distributed
 *
 * Sizes also from the environment (flags win): WEIR_BENCH_DISTRIBUTED_TASKS, _CHAIN,
 * _WORKERS, _CONCURRENCY, _RUNS. Prints:
 *   RATIO distributed-throughput-<N>w: tasks/s distributed / local = x.xx (…)
 *   RATIO distributed-pickup-p50: distributed / local = x.xx (1 worker; 2 and 4 in the line)
 *   RATIO distributed-pickup-p99: distributed / local = x.xx (…)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";
import { sqlDatabaseOf } from "../src/metadata/sql-database-of.js";
import type { PipelineDefinition } from "../src/orchestrator/define-pipeline.js";
import type { DistributedTaskRunner } from "../src/orchestrator/distributed/distributed-task-runner.js";
import { openTaskRunner } from "../src/orchestrator/distributed/open-task-runner.js";
import { executeRun } from "../src/orchestrator/executor/execute-run.js";
import type { RunResult } from "../src/orchestrator/executor/run-result.js";
import { loadPipeline } from "../src/orchestrator/load-pipeline.js";
import { openRuntime, type WeirRuntime } from "../src/orchestrator/open-runtime.js";
import type { RunEvent } from "../src/orchestrator/run-events.js";
import { argValue } from "./bench-args.js";
import { writeDistributedBenchProject } from "./distributed-project.js";
import { type ChainLatencies, chainLatencies, checkRun, percentile } from "./distributed-timings.js";
import { type BenchWorker, startWorkerFleet, stopWorkerFleet } from "./distributed-workers.js";

export interface DistributedBenchOptions {
  /** Tasks of the wide DAG; default 500. */
  tasks?: number;
  /** Tasks of the chain; default 200. */
  chain?: number;
  /** Worker processes per configuration; default [1, 2, 4]. */
  workers?: number[];
  /** `weir worker --concurrency`; default 4. */
  concurrency?: number;
  /** Timed runs per pipeline and configuration (median taken); default 1. */
  runs?: number;
  /** A run in which no task ends for this long fails the bench (a stalled worker); default 60 s. */
  stallMs?: number;
  /** Aborting it stops the run under way (released, as Ctrl-C does) and cleans up. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** One executor configuration's measurements. */
export interface ConfigurationResult {
  /** "local", or the number of workers. */
  name: string;
  workers: number;
  wideMs: number;
  tasksPerSecond: number;
  pickup: ChainLatencies;
  /** Wide-run tasks per worker process (distributed). */
  spread: number[];
}

export interface DistributedBenchResult {
  /** Absent when the bench was skipped (no PostgreSQL). */
  local?: ConfigurationResult;
  distributed: ConfigurationResult[];
  lines: { name: string; line: string }[];
}

const MAX_ACTIVE_TASKS = 16;

/** Runs the benchmark; SKIPPED lines (no ratio) when PostgreSQL is not reachable. */
export async function run(options: DistributedBenchOptions = {}): Promise<DistributedBenchResult> {
  const tasks = options.tasks ?? 500;
  const chain = options.chain ?? 200;
  const workerCounts = options.workers ?? [1, 2, 4];
  const concurrency = options.concurrency ?? 4;
  const runs = options.runs ?? 1;
  const stallMs = options.stallMs ?? 60_000;
  const log = options.log ?? ((line: string) => console.error(line));
  const { POSTGRES_URL, postgresAvailable } = await import("../test/support/servers.js");
  if (!postgresAvailable) {
    const line = `SKIPPED distributed: PostgreSQL is not reachable at ${new URL(POSTGRES_URL).host} (WEIR_TEST_POSTGRES_URL)`;
    return { distributed: [], lines: [{ name: "distributed", line }] };
  }
  const suffix = Math.random().toString(36).slice(2, 8);
  const schema = `bench_dist_${suffix}`;
  const queueSchema = `bench_dist_q_${suffix}`;
  const metadataUrl = `${POSTGRES_URL}?schema=${schema}`;
  const dir = mkdtempSync(join(tmpdir(), "weir-bench-dist-"));
  const project = writeDistributedBenchProject(dir, {
    metadataUrl,
    queueSchema,
    warehouseUrl: POSTGRES_URL,
    tasks,
    chain,
    maxActiveTasks: MAX_ACTIVE_TASKS,
  });
  const started: BenchWorker[] = [];
  // A crash that skips `finally` (an unhandled rejection) must not leave worker processes behind.
  const killWorkers = () => {
    for (const w of started)
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill("SIGKILL");
  };
  process.on("exit", killWorkers);
  let runtime: WeirRuntime | undefined;
  let runner: DistributedTaskRunner | undefined;
  try {
    runtime = await openRuntime({
      home: join(dir, "home"),
      metadataUrl,
      warehouse: POSTGRES_URL,
      lineage: false,
    });
    const store = runtime.metadata;
    const db = sqlDatabaseOf(store)!;
    const wide = await loadPipeline(project.wide);
    const chainPipeline = await loadPipeline(project.chain);
    const wideIds = wide.pipeline.tasks.map((t) => t.id);
    const chainIds = chainPipeline.pipeline.tasks.map((t) => t.id);
    let day = 0;

    /** One run, checked; returns its wall time and the checked records. A stall fails it (see `stallMs`). */
    const once = async (
      loaded: { pipeline: PipelineDefinition; file: string },
      ids: readonly string[],
      fleet: readonly BenchWorker[] | undefined,
    ) => {
      const watchdog = stallWatchdog(stallMs, options.signal);
      const t0 = performance.now();
      const execution = executeRun({
        pipeline: loaded.pipeline,
        store,
        runtime: runtime!,
        logicalDate: new Date(Date.UTC(2024, 0, 1 + day++)),
        pipelineFile: loaded.file,
        signal: watchdog.signal,
        listeners: [watchdog.progress],
        ...(fleet ? { taskRunner: runner! } : {}),
      });
      // An owner whose attempts sit in the queue untaken waits for them even when aborted:
      // on a stall the bench stops waiting (closing the runner in `finally` settles the run).
      execution.catch(() => undefined);
      const result = await Promise.race([execution, watchdog.stalledRun]).finally(() => watchdog.stop());
      const ms = performance.now() - t0;
      if (watchdog.stalled || result.state !== "succeeded" || result.interrupted) {
        const why = watchdog.stalled
          ? `no task ended for ${stallMs / 1000} s`
          : (result.error?.message ?? "interrupted");
        const outputs = (fleet ?? []).map((w) => `--- weir worker ${w.pid}:\n${w.output().slice(-2_000)}`);
        const state = watchdog.stalled ? "stalled" : result.interrupted ? "interrupted" : result.state;
        throw new Error(
          `${loaded.pipeline.id} run ${result.runId ?? ""} ${state}: ${why}` +
            (outputs.length > 0 ? `\n${outputs.join("\n")}` : ""),
        );
      }
      const checked = await checkRun(db, result.runId, ids, project.executions, {
        distributed: fleet !== undefined,
        ownerPid: process.pid,
        workerPids: (fleet ?? []).map((w) => w.pid),
      });
      return { ms, checked };
    };

    const measure = async (
      name: string,
      fleet: readonly BenchWorker[] | undefined,
    ): Promise<ConfigurationResult> => {
      await once(wide, wideIds, fleet);
      await once(chainPipeline, chainIds, fleet);
      const wideTimes: number[] = [];
      const pickup: ChainLatencies = { pickup: [], queue: [], onWorker: [], handBack: [] };
      let spread: number[] = [];
      for (let i = 0; i < runs; i++) {
        const w = await once(wide, wideIds, fleet);
        wideTimes.push(w.ms);
        spread = fleet ? fleet.map((f) => w.checked.byPid.get(f.pid) ?? 0) : [];
        const c = await once(chainPipeline, chainIds, fleet);
        const l = chainLatencies(c.checked, chainIds);
        pickup.pickup.push(...l.pickup);
        pickup.queue.push(...l.queue);
        pickup.onWorker.push(...l.onWorker);
        pickup.handBack.push(...l.handBack);
        log(
          `  ${name} #${i + 1}: wide ${tasks} tasks ${w.ms.toFixed(0)} ms${spread.length > 0 ? ` (per worker ${spread.join("/")})` : ""}, ` +
            `chain ${chain} tasks ${c.ms.toFixed(0)} ms, pickup p50 ${percentile(l.pickup, 0.5)} ms p99 ${percentile(l.pickup, 0.99)} ms` +
            (l.onWorker.length > 0
              ? `, on the worker p50 ${percentile(l.onWorker, 0.5)} ms, outcome → end p50 ${percentile(l.handBack, 0.5)} ms`
              : ""),
        );
      }
      const wideMs = median(wideTimes);
      return {
        name,
        workers: fleet?.length ?? 0,
        wideMs,
        tasksPerSecond: tasks / (wideMs / 1000),
        pickup,
        spread,
      };
    };

    log(`distributed bench: ${tasks}-task wide DAG, ${chain}-task chain, metadata schema ${schema}`);
    const local = await measure("local", undefined);
    runner = await openTaskRunner(
      { executor: "distributed", distributed: { queueSchema, pollMs: 1_000 }, metadataUrl },
      store,
    );
    const distributed: ConfigurationResult[] = [];
    for (const count of workerCounts) {
      const fleet = await startWorkerFleet(
        { config: project.config, count, concurrency, logDir: dir },
        started,
      );
      distributed.push(await measure(`${count}w`, fleet));
      const rss = fleet.map((w) => residentMegabytes(w.pid));
      if (rss.every((mb) => mb !== undefined)) log(`  ${count}w: worker resident memory ${rss.join("/")} MB`);
      const codes = await stopWorkerFleet(fleet);
      if (codes.some((c) => c !== 0)) {
        throw new Error(
          `workers did not drain cleanly on SIGTERM (exit codes ${codes.join(", ")}):\n${fleet.map((w) => w.output()).join("\n")}`,
        );
      }
    }
    const left = await queueJobsLeft(POSTGRES_URL, queueSchema);
    if (left !== 0) throw new Error(`${left} job(s) left in the queue after every run succeeded`);
    return { local, distributed, lines: ratioLines(local, distributed, { tasks, chain, concurrency, runs }) };
  } finally {
    await stopWorkerFleet(started, 2_000).catch(() => undefined);
    process.off("exit", killWorkers);
    await runner?.close().catch(() => undefined);
    await runtime?.close().catch(() => undefined);
    await dropSchemas(POSTGRES_URL, [schema, queueSchema]).catch((error: unknown) =>
      log(`could not drop schemas ${schema}, ${queueSchema}: ${String(error)}`),
    );
    rmSync(dir, { recursive: true, force: true });
  }
}

function ratioLines(
  local: ConfigurationResult,
  distributed: readonly ConfigurationResult[],
  o: { tasks: number; chain: number; concurrency: number; runs: number },
): { name: string; line: string }[] {
  const lines: { name: string; line: string }[] = [];
  for (const d of distributed) {
    const name = `distributed-throughput-${d.workers}w`;
    lines.push({
      name,
      line:
        `RATIO ${name}: tasks/s distributed / local = ${(d.tasksPerSecond / local.tasksPerSecond).toFixed(2)} ` +
        `(${o.tasks} no-op tasks, wide DAG, ${d.workers} weir worker process(es) × concurrency ${o.concurrency}: ` +
        `${d.tasksPerSecond.toFixed(0)} tasks/s = ${d.wideMs.toFixed(0)} ms, ${(d.wideMs / o.tasks).toFixed(2)} ms/task, ` +
        `per worker ${d.spread.join("/")}; local ${local.tasksPerSecond.toFixed(0)} tasks/s = ${local.wideMs.toFixed(0)} ms; ` +
        `PostgreSQL metadata; every task success exactly once)`,
    });
  }
  const first = distributed[0];
  if (!first) return lines;
  for (const [label, p] of [
    ["p50", 0.5],
    ["p99", 0.99],
  ] as const) {
    const localMs = percentile(local.pickup.pickup, p);
    const of = (d: ConfigurationResult) => percentile(d.pickup.pickup, p);
    const others = distributed
      .slice(1)
      .map((d) => `${d.workers}w ${of(d)} ms = ${ratio(of(d), localMs)}`)
      .join(", ");
    lines.push({
      name: `distributed-pickup-${label}`,
      line:
        `RATIO distributed-pickup-${label}: distributed / local = ${ratio(of(first), localMs)} ` +
        `(ready → running over a ${o.chain}-task chain, ${o.runs} run(s): ${first.workers} worker ${of(first)} ms` +
        `${others ? `; ${others}` : ""}; local ${localMs} ms; of which queued → taken ${percentile(first.pickup.queue, p)} ms, ` +
        `on the worker ${percentile(first.pickup.onWorker, p)} ms, outcome stored → end recorded ${percentile(first.pickup.handBack, p)} ms; ` +
        `store instants in ms)`,
    });
  }
  return lines;
}

/**
 * Aborts a run when no task has ended for `stallMs` (or when `outer` aborts): a worker
 * that stopped taking jobs would otherwise leave the owner waiting for ever.
 */
function stallWatchdog(stallMs: number, outer: AbortSignal | undefined) {
  const controller = new AbortController();
  const state = { stalled: false };
  let onStall: () => void = () => undefined;
  const stalledRun = new Promise<RunResult>((resolve) => {
    onStall = () => resolve({ stalled: true } as unknown as RunResult);
  });
  const onOuter = () => controller.abort(outer?.reason);
  outer?.addEventListener("abort", onOuter, { once: true });
  if (outer?.aborted) onOuter();
  let timer: NodeJS.Timeout;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.stalled = true;
      controller.abort(new Error(`no task ended for ${stallMs} ms`));
      onStall();
    }, stallMs);
  };
  arm();
  return {
    signal: controller.signal,
    /** Settles (with a placeholder) when the run stalled. */
    stalledRun,
    get stalled() {
      return state.stalled;
    },
    progress: (event: RunEvent) => {
      if (event.type === "task.succeeded" || event.type === "task.failed") arm();
    },
    stop: () => {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuter);
    },
  };
}

/** distributed / local; the store records milliseconds, so a local 0 ms counts as 1 ms (said in the ratio). */
function ratio(distributedMs: number, localMs: number): string {
  if (localMs >= 1) return (distributedMs / localMs).toFixed(2);
  return `${distributedMs.toFixed(2)} (local < 1 ms, counted as 1 ms)`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A process's resident memory (Linux /proc), to see a worker grow with the attempts it ran. */
function residentMegabytes(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
  } catch {
    return undefined;
  }
}

/** Jobs still in graphile-worker's table (a job is deleted when its task returns). */
async function queueJobsLeft(url: string, queueSchema: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${queueSchema}"._private_jobs`);
    return Number(r.rows[0]!.n);
  } finally {
    await client.end();
  }
}

async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Options from `--tasks …` flags, else WEIR_BENCH_DISTRIBUTED_* variables, else the defaults. */
export function distributedBenchOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): DistributedBenchOptions {
  const pick = (flag: string) => argValue(argv, flag) ?? env[`WEIR_BENCH_DISTRIBUTED_${flag.toUpperCase()}`];
  const num = (flag: string) => {
    const value = pick(flag);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} "${value}": expected a whole number >= 1`);
    return n;
  };
  const tasks = num("tasks");
  const chain = num("chain");
  const concurrency = num("concurrency");
  const runs = num("runs");
  const workers = pick("workers")
    ?.split(",")
    .map((w) => {
      const n = Number(w);
      if (!Number.isInteger(n) || n < 1) throw new Error(`--workers "${w}": expected counts such as 1,2,4`);
      return n;
    });
  if (tasks !== undefined && tasks < 3) throw new Error("--tasks: at least 3 (root, one task, join)");
  return {
    ...(tasks ? { tasks } : {}),
    ...(chain ? { chain } : {}),
    ...(concurrency ? { concurrency } : {}),
    ...(runs ? { runs } : {}),
    ...(workers ? { workers } : {}),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  // Ctrl-C / SIGTERM: the run under way is released and the workers and schemas cleaned up.
  const interrupt = new AbortController();
  process.once("SIGINT", () => interrupt.abort(new Error("SIGINT")));
  process.once("SIGTERM", () => interrupt.abort(new Error("SIGTERM")));
  const result = await run({ ...distributedBenchOptions(process.argv.slice(2)), signal: interrupt.signal });
  for (const { line } of result.lines) console.log(line);
}
