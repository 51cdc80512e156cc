/**
 * A fast, deterministic seeder for the server benchmark: N runs of P pipelines, each run
 * with its task instances and attempts, plus quality checks of some datasets, written
 * straight into a metadata store's tables (the real columns of the migrations in
 * src/metadata/) with bulk inserts in one transaction, so 100k runs seed in seconds.
 *
 * The shape is what a busy installation's store looks like: runs one minute apart, newest
 * last; pipelines busy in a skewed way (a few run often, most rarely); most runs scheduled,
 * some backfills, manual and dataset-triggered ones; ~94% succeeded, ~6% failed (a failed
 * task retried once, its downstream tasks upstream_failed), the newest few running or queued.
 */
import type { SqlDatabase, SqlValue } from "../src/metadata/sql-database.js";
import { type BulkColumn, bulkInsert } from "./server-bulk-insert.js";

export interface SeedShape {
  runs: number;
  pipelines: number;
  /** Datasets with quality checks; default 0. */
  qualityDatasets?: number;
  /** Checks per dataset (each with 4 results and a score metric); default 10. */
  checksPerDataset?: number;
  /** The newest run starts just before this instant; default 2026-01-01T00:00:00Z (stable ids). */
  now?: Date;
  /** PRNG seed; default 1. */
  seed?: number;
}

export interface SeedResult {
  pipelines: string[];
  runs: number;
  taskInstances: number;
  attempts: number;
  datasetEvents: number;
  qualityChecks: number;
  /** Runs per state, as seeded. */
  states: Record<string, number>;
  /** The pipeline with the most runs (the worst case of a pipeline filter). */
  busiestPipeline: string;
  ms: number;
}

const DOMAINS = ["orders", "customers", "events", "billing", "inventory", "payments", "ads", "support"];
const TASKS = ["extract", "clean", "check", "load", "aggregate", "publish"];
const MINUTE = 60_000;

const text = (name: string): BulkColumn => ({ name, pgType: "text" });
const int = (name: string): BulkColumn => ({ name, pgType: "integer" });
const big = (name: string): BulkColumn => ({ name, pgType: "bigint" });
const dbl = (name: string): BulkColumn => ({ name, pgType: "double precision" });

const PIPELINE_COLUMNS = [
  text("id"),
  int("paused"),
  text("file"),
  text("schedule"),
  text("timezone"),
  text("description"),
  text("owner"),
  text("tags"),
  text("updated_at"),
];
const RUN_COLUMNS = [
  text("id"),
  text("pipeline"),
  text("logical_date"),
  text("logical_time"),
  text("interval_start"),
  text("interval_end"),
  text("state"),
  text("run_type"),
  text("queued_at"),
  text("started_at"),
  text("ended_at"),
  text("params"),
  text("summary"),
  text("error"),
  text("owner"),
  text("heartbeat_at"),
  text("run_key"),
];
const INSTANCE_COLUMNS = [
  text("run_id"),
  text("task_id"),
  int("map_index"),
  text("state"),
  int("try_number"),
  int("max_tries"),
  int("retries"),
  text("pool"),
  text("started_at"),
  text("ended_at"),
  big("duration_ms"),
  big("rows_in"),
  big("rows_out"),
  big("rows_rejected"),
  text("error"),
];
const ATTEMPT_COLUMNS = [
  text("run_id"),
  text("task_id"),
  int("map_index"),
  int("attempt"),
  text("state"),
  text("owner"),
  int("pool_slots"),
  text("started_at"),
  text("heartbeat_at"),
  text("ended_at"),
  text("error_code"),
  text("error"),
];
const CHECK_COLUMNS = [
  text("id"),
  text("run_id"),
  text("dataset"),
  text("suite"),
  text("checked_at"),
  int("success"),
  big("row_count"),
  dbl("score_checks"),
  dbl("score_rows"),
  text("columns"),
  text("details"),
];
const RESULT_COLUMNS = [
  text("check_id"),
  int("seq"),
  text("name"),
  text("type"),
  text("severity"),
  int("success"),
  big("element_count"),
  big("unexpected_count"),
  dbl("unexpected_percent"),
  text("observed_value"),
  text("details"),
];
const EVENT_COLUMNS = [
  text("id"),
  text("dataset"),
  text("at"),
  text("pipeline"),
  text("run_id"),
  text("task_id"),
  text("range_start"),
  text("range_end"),
];
const METRIC_COLUMNS = [text("check_id"), text("dataset"), text("metric"), text("measured_at"), dbl("value")];

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const stamp = (ms: number) =>
  iso(ms)
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "Z");

export function pipelineIdOf(index: number): string {
  return `${DOMAINS[index % DOMAINS.length]}_${String(index).padStart(4, "0")}`;
}

export function tasksOf(pipelineIndex: number): string[] {
  return TASKS.slice(0, 3 + (pipelineIndex % 4));
}

/** Seeds `shape` into an empty store's database in one transaction. */
export async function seedServerStore(db: SqlDatabase, shape: SeedShape): Promise<SeedResult> {
  const started = performance.now();
  const random = prng(shape.seed ?? 1);
  const now = (shape.now ?? new Date("2026-01-01T00:00:00Z")).getTime();
  const pipelines = Array.from({ length: shape.pipelines }, (_, i) => pipelineIdOf(i));
  const pipelineRows: SqlValue[][] = pipelines.map((id, i) => [
    id,
    i % 25 === 24 ? 1 : 0,
    `pipelines/${id}.ts`,
    i % 3 === 0 ? "@hourly" : i % 3 === 1 ? "@daily" : "*/15 * * * *",
    "UTC",
    `Loads ${id.replace("_", " ")}`,
    `team-${DOMAINS[i % DOMAINS.length]}`,
    JSON.stringify([DOMAINS[i % DOMAINS.length], i % 2 === 0 ? "prod" : "critical"]),
    iso(now - 30 * 86_400_000),
  ]);

  const runRows: SqlValue[][] = [];
  const instanceRows: SqlValue[][] = [];
  const attemptRows: SqlValue[][] = [];
  const eventRows: SqlValue[][] = [];
  const states: Record<string, number> = {};
  const perPipeline = new Array<number>(shape.pipelines).fill(0);
  const first = now - shape.runs * MINUTE;
  for (let i = 0; i < shape.runs; i++) {
    // Skewed: low-numbered pipelines run far more often than the rest.
    const p = Math.min(shape.pipelines - 1, Math.floor(shape.pipelines * random() ** 1.6));
    perPipeline[p]!++;
    const pipeline = pipelines[p]!;
    const slot = first + i * MINUTE;
    const r = random();
    const runType = r < 0.8 ? "scheduled" : r < 0.9 ? "backfill" : r < 0.98 ? "manual" : "dataset_triggered";
    // Distinct seconds per run type keep (pipeline, logical time) unique, as the run_key index demands.
    const logicalMs =
      runType === "backfill"
        ? slot - 400 * 86_400_000 + 30_000
        : runType === "manual"
          ? slot - 3_600_000 + 15_000
          : runType === "dataset_triggered"
            ? slot - 3_600_000 + 45_000
            : slot - 3_600_000;
    const logicalTime = iso(logicalMs);
    const prefix = { scheduled: "sch", backfill: "bkf", manual: "man", dataset_triggered: "dst" }[runType];
    const id = `${prefix}_${pipeline}_${stamp(logicalMs)}`;
    const queuedAt = slot - Math.floor(random() * 5_000);
    const startedAt = slot + Math.floor(random() * 20_000);
    const fromNewest = shape.runs - 1 - i;
    const state =
      fromNewest < 3 ? "queued" : fromNewest < 8 ? "running" : random() < 0.06 ? "failed" : "succeeded";
    states[state] = (states[state] ?? 0) + 1;
    const tasks = tasksOf(p);
    const failing = state === "failed" ? Math.floor(random() * tasks.length) : -1;
    const runningTask = state === "running" ? Math.floor(random() * tasks.length) : -1;
    let at = startedAt + 50;
    let error: string | null = null;
    const taskSummaries: Record<string, unknown>[] = [];
    for (const [t, taskId] of tasks.entries()) {
      const ran = state === "succeeded" || t < failing || t < runningTask;
      const durationMs = 200 + Math.floor(random() ** 3 * 600_000);
      const rowsIn = Math.floor(random() * 1_000_000);
      if (ran) {
        instanceRows.push([
          id,
          taskId,
          -1,
          "success",
          1,
          2,
          1,
          null,
          iso(at),
          iso(at + durationMs),
          durationMs,
          rowsIn,
          rowsIn - (rowsIn % 97),
          rowsIn % 97,
          null,
        ]);
        attemptRows.push([
          id,
          taskId,
          -1,
          1,
          "success",
          null,
          1,
          iso(at),
          iso(at + durationMs),
          iso(at + durationMs),
          null,
          null,
        ]);
        taskSummaries.push({
          id: taskId,
          state: "succeeded",
          attempts: 1,
          durationMs,
          rows: { in: rowsIn, out: rowsIn - (rowsIn % 97) },
          quarantined: {},
          endedAt: iso(at + durationMs),
        });
        at += durationMs + 20;
      } else if (t === failing) {
        error = `task ${taskId} failed: relation "staging.${pipeline}" does not exist`;
        const second = at + durationMs + 30_000;
        instanceRows.push([
          id,
          taskId,
          -1,
          "failed",
          2,
          2,
          1,
          null,
          iso(at),
          iso(second + durationMs),
          durationMs,
          null,
          null,
          null,
          error,
        ]);
        attemptRows.push([
          id,
          taskId,
          -1,
          1,
          "failed",
          null,
          1,
          iso(at),
          iso(at + durationMs),
          iso(at + durationMs),
          "TASK_FAILED",
          error,
        ]);
        attemptRows.push([
          id,
          taskId,
          -1,
          2,
          "failed",
          null,
          1,
          iso(second),
          iso(second + durationMs),
          iso(second + durationMs),
          "TASK_FAILED",
          error,
        ]);
        taskSummaries.push({
          id: taskId,
          state: "failed",
          attempts: 2,
          durationMs,
          rows: {},
          quarantined: {},
          error,
        });
        at = second + durationMs;
      } else if (t === runningTask) {
        instanceRows.push([
          id,
          taskId,
          -1,
          "running",
          1,
          2,
          1,
          null,
          iso(at),
          null,
          null,
          null,
          null,
          null,
          null,
        ]);
        attemptRows.push([
          id,
          taskId,
          -1,
          1,
          "running",
          "bench-executor",
          1,
          iso(at),
          iso(now),
          null,
          null,
          null,
        ]);
      } else {
        const pending = state === "failed" ? "upstream_failed" : "pending";
        if (state === "failed") {
          taskSummaries.push({
            id: taskId,
            state: "upstream_failed",
            durationMs: 0,
            rows: {},
            quarantined: {},
          });
        }
        instanceRows.push([
          id,
          taskId,
          -1,
          pending,
          0,
          2,
          1,
          null,
          null,
          state === "failed" ? iso(at) : null,
          null,
          null,
          null,
          null,
          null,
        ]);
      }
    }
    const finished = state === "succeeded" || state === "failed";
    // What summarizeRun writes: totals, the pipeline's datasets reconciled, every task.
    const dataset = `raw.${pipeline}`;
    const extracted = 10_000 + Math.floor(random() * 90_000);
    const quarantinedRows = state === "succeeded" ? Math.floor(random() ** 4 * 50) : 0;
    const loaded = state === "succeeded" ? extracted - quarantinedRows : 0;
    const byCheck = quarantinedRows > 0 ? { not_null_email: quarantinedRows } : {};
    const summary = finished
      ? JSON.stringify({
          runId: id,
          pipeline,
          logicalDate: logicalTime.slice(0, 10),
          state,
          durationMs: at - startedAt,
          rows: { extracted, loaded, quarantined: quarantinedRows, quarantinedByCheck: byCheck },
          datasets: [
            {
              dataset,
              extracted,
              ...(state === "succeeded" ? { loaded } : {}),
              quarantined: quarantinedRows,
              quarantinedByCheck: byCheck,
              into: state === "succeeded" ? [`warehouse.${pipeline}`] : [],
              ...(state === "succeeded" ? { reconciled: true } : {}),
            },
          ],
          ...(state === "succeeded" ? { reconciled: true } : {}),
          tasks: taskSummaries,
          outputs: [],
          ...(error ? { error: { taskId: tasks[failing], code: "TASK_FAILED", message: error } } : {}),
        })
      : null;
    // Pipelines whose load task declares the dataset it writes record a dataset event.
    if (state === "succeeded" && p % 3 === 0) {
      eventRows.push([
        `evt_${id}`,
        `warehouse.${pipeline}`,
        iso(at),
        pipeline,
        id,
        tasks[tasks.length - 1],
        logicalTime,
        iso(logicalMs + 3_600_000),
      ]);
    }
    runRows.push([
      id,
      pipeline,
      logicalTime.slice(0, 10),
      logicalTime,
      logicalTime,
      iso(logicalMs + 3_600_000),
      state,
      runType,
      iso(queuedAt),
      state === "queued" ? iso(queuedAt) : iso(startedAt),
      finished ? iso(at) : null,
      runType === "manual" ? JSON.stringify({ reason: "rerun" }) : "{}",
      summary,
      error,
      state === "running" ? "bench-executor" : null,
      state === "running" ? iso(now) : null,
      `${pipeline}|${logicalTime}`,
    ]);
  }

  const checkRows: SqlValue[][] = [];
  const resultRows: SqlValue[][] = [];
  const metricRows: SqlValue[][] = [];
  const checksPerDataset = shape.checksPerDataset ?? 10;
  for (let d = 0; d < (shape.qualityDatasets ?? 0); d++) {
    const dataset = `warehouse.${DOMAINS[d % DOMAINS.length]}_${String(d).padStart(4, "0")}`;
    for (let c = 0; c < checksPerDataset; c++) {
      const checkId = `qc_${d}_${c}`;
      const checkedAt = iso(now - (checksPerDataset - c) * 3_600_000);
      const failedResults = random() < 0.1 ? 1 : 0;
      const score = 1 - failedResults / 4;
      checkRows.push([
        checkId,
        null,
        dataset,
        `${dataset}.suite`,
        checkedAt,
        failedResults ? 0 : 1,
        100_000,
        score,
        score,
        null,
        null,
      ]);
      for (let s = 0; s < 4; s++) {
        const ok = !(failedResults && s === 3);
        resultRows.push([
          checkId,
          s,
          `check_${s}`,
          "expect_column_values_to_not_be_null",
          "error",
          ok ? 1 : 0,
          100_000,
          ok ? 0 : 12,
          ok ? 0 : 0.012,
          null,
          null,
        ]);
      }
      metricRows.push([checkId, dataset, "score", checkedAt, score]);
      metricRows.push([checkId, dataset, "row_count", checkedAt, 100_000]);
    }
  }

  const dialect = db.dialect.name;
  await db.transaction(async (tx) => {
    await bulkInsert(tx, dialect, "pipelines", PIPELINE_COLUMNS, pipelineRows);
    await bulkInsert(tx, dialect, "runs", RUN_COLUMNS, runRows);
    await bulkInsert(tx, dialect, "task_instances", INSTANCE_COLUMNS, instanceRows);
    await bulkInsert(tx, dialect, "task_attempts", ATTEMPT_COLUMNS, attemptRows);
    await bulkInsert(tx, dialect, "dataset_events", EVENT_COLUMNS, eventRows);
    await bulkInsert(tx, dialect, "quality_checks", CHECK_COLUMNS, checkRows);
    await bulkInsert(tx, dialect, "quality_results", RESULT_COLUMNS, resultRows);
    await bulkInsert(tx, dialect, "quality_metrics", METRIC_COLUMNS, metricRows);
  });
  // PostgreSQL's autovacuum would analyze tables this size within a minute; do it now so
  // the planner sees the table as it will be. SQLite is left as weir leaves it (no ANALYZE).
  if (dialect === "postgres") {
    for (const table of [
      "pipelines",
      "runs",
      "task_instances",
      "task_attempts",
      "dataset_events",
      "quality_checks",
      "quality_metrics",
    ]) {
      await db.run(`ANALYZE ${table}`);
    }
  }
  const busiest = perPipeline.indexOf(Math.max(...perPipeline));
  return {
    pipelines,
    runs: runRows.length,
    taskInstances: instanceRows.length,
    attempts: attemptRows.length,
    datasetEvents: eventRows.length,
    qualityChecks: checkRows.length,
    states,
    busiestPipeline: pipelines[busiest]!,
    ms: performance.now() - started,
  };
}
