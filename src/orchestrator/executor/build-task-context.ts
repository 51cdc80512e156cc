import type { DataInterval } from "../../core/interval.js";
import { formatDate } from "../../core/interval.js";
import { withEnginesHeld } from "../../engines/duckdb/with-engines-held.js";
import type { Engine } from "../../engines/engine.js";
import { quarantine } from "../../quality/quarantine.js";
import type { TimePartition } from "../partitions/partition-scheme.js";
import type { RunEvent } from "../run-events.js";
import { stagingSchemaOf } from "../staging.js";
import type { TaskContext } from "../task-context.js";
import type { AttemptLogger } from "./attempt-logger.js";
import { addDatasetCount, addRowCounts } from "./dataset-counts.js";
import type { AttemptStats, ExecutorSettings } from "./executor-settings.js";
import { SkipTask } from "./run-attempt.js";
import { extractInTask } from "./task-extract.js";
import type { TaskNode } from "./task-node.js";
import { UnavailableOutput } from "./task-output.js";

export interface TaskContextInput {
  settings: ExecutorSettings;
  node: TaskNode;
  attempt: number;
  signal: AbortSignal;
  logger: AttemptLogger;
  stats: AttemptStats;
  logicalDate: Date;
  interval: DataInterval;
  partition: TimePartition | undefined;
  /** The output of an upstream task; throws for a task that is not upstream. */
  outputOf(taskId: string): unknown;
  emit(event: RunEvent): Promise<void>;
}

/** The context one attempt's code gets: what it may read, and where its counts, logs and progress go. */
export function buildTaskContext(input: TaskContextInput): TaskContext {
  const { settings, node, stats } = input;
  const { run, pipeline, store, runtime } = settings;
  const taskId = node.task.id;
  const ref = node.mapIndex < 0 ? { taskId } : { taskId, mapIndex: node.mapIndex };
  const stagingSchema = stagingSchemaOf(run.id);
  const ctx: TaskContext = {
    runId: run.id,
    pipelineId: pipeline.id,
    taskId,
    ...(node.mapIndex < 0 ? {} : { mapIndex: node.mapIndex }),
    attempt: input.attempt,
    runType: run.runType,
    logicalDate: input.logicalDate,
    interval: input.interval,
    ...(input.partition ? { partition: input.partition } : {}),
    params: { ...pipeline.params, ...run.params },
    logger: input.logger,
    engine: runtime.engine,
    // Noted when used, so a run that never staged anything runs no DDL to drop it.
    get stagingSchema() {
      stats.staged = true;
      return stagingSchema;
    },
    stagingTable: (name) => {
      stats.staged = true;
      return { schema: stagingSchema, name };
    },
    extract: (source, options) => extractInTask(ctx, source, options),
    recordDataset: ({ dataset, extracted, loaded, into }) => {
      addDatasetCount(stats.datasets, dataset, {
        ...(extracted === undefined ? {} : { extracted }),
        ...(loaded === undefined ? {} : { loaded }),
        ...(into === undefined ? {} : { into: [into] }),
      });
    },
    lake: runtime.lake,
    metadata: store,
    signal: input.signal,
    cursors: {
      get: (key) => store.cursors.get(pipeline.id, key),
      commit: (key, value) => store.cursors.commit(pipeline.id, key, value),
    },
    outputOf: <T>(task: { id: string } | string): T => {
      const value = input.outputOf(typeof task === "string" ? task : task.id);
      if (value instanceof UnavailableOutput) throw value.error(taskId);
      return value as T;
    },
    progress: async (update) => {
      await input.emit({
        type: "task.progress",
        runId: run.id,
        pipeline: pipeline.id,
        at: settings.clock.now().toISOString(),
        ...ref,
        ...update,
      });
      if (settings.pauseAt === `${taskId}:${update.step}`) await hangForever();
    },
    quarantine: async (request) => {
      const result = await quarantine(runtime.engine, {
        ...request,
        runId: run.id,
        logicalDate: formatDate(input.logicalDate),
      });
      stats.rows.rejected = (stats.rows.rejected ?? 0) + result.rows;
      for (const [check, n] of Object.entries(result.byCheck))
        stats.quarantined[check] = (stats.quarantined[check] ?? 0) + n;
      addDatasetCount(stats.datasets, request.dataset, {
        quarantined: result.rows,
        quarantinedByCheck: result.byCheck,
      });
      return result;
    },
    recordRows: (counts) => {
      // A count the task never records stays absent: the summary shows "-", not a made-up 0.
      addRowCounts(stats.rows, counts);
    },
    recordOutput: (output) => {
      stats.outputs.push(output);
    },
    skip: (reason = "skipped by the task") => {
      throw new SkipTask(reason);
    },
  };
  return ctx;
}

/**
 * Runs one attempt's code with the engines its context hands out held open: a DuckDB
 * warehouse file (opened on demand, see `OnDemandDuckDBEngine`) is opened once for the
 * attempt — waiting for another process's lock, else WAREHOUSE_LOCKED, which fails the
 * attempt — and closed when the attempt ends and nothing else in the process uses it.
 * Whoever runs attempts (the local executor, a worker) wraps the code with it.
 *
 * @example
 * await withTaskEnginesHeld(settings.runtime, () => task.run(buildTaskContext(input)));
 */
export function withTaskEnginesHeld<T>(
  runtime: { engine: Engine; lakeEngine?: Engine },
  fn: () => Promise<T>,
): Promise<T> {
  return withEnginesHeld([runtime.engine, runtime.lakeEngine], fn);
}

/** Keeps the event loop alive until the process is killed (crash tests only: `pauseAt`). */
function hangForever(): Promise<never> {
  return new Promise(() => {
    setInterval(() => {}, 1 << 30);
  });
}
