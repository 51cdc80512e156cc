import type { Clock } from "../core/clock.js";
import type { DataInterval } from "../core/interval.js";
import { parseLogicalDate } from "../core/interval.js";
import type { Logger } from "../core/log.js";
import type { Engine } from "../engines/engine.js";
import type { Lake } from "../lake/lake.js";
import type { LineageEmitter } from "../lineage/emit/lineage-emitter.js";
import type { MetadataStore, RunType } from "../metadata/metadata-store.js";
import type { Notification } from "../notifications/notification.js";
import type { PipelineDefinition } from "./define-pipeline.js";
import { executeRun } from "./executor/execute-run.js";
import type { RunResult } from "./executor/run-result.js";
import type { RunEventListener } from "./run-events.js";
import { intervalOfLogicalDate } from "./run-interval.js";

export type { RunResult } from "./executor/run-result.js";

export interface RunPipelineOptions {
  /**
   * "YYYY-MM-DD" or a Date. The data interval is the schedule interval (or partition) whose
   * logical date it is — `2001-03-01` of a `@monthly` pipeline is March, as the scheduler's
   * and a backfill's run of it — else that UTC day.
   */
  logicalDate: Date | string;
  /**
   * The data interval to hand the tasks instead of the logical date's UTC day, for a run
   * that covers a longer span at once (a one-off backfill of a year, a benchmark). The
   * logical date still names the run (quarantine rows, lake partitions keyed by it).
   */
  interval?: DataInterval;
  params?: Record<string, string>;
  engine: Engine;
  lake: Lake;
  /** The lake's DuckDB when it is not `engine` (a PostgreSQL warehouse): lineage describes its tables too. */
  lakeEngine?: Engine;
  /** Where the run's OpenLineage events go (an opened runtime's `lineage`); none without it. */
  lineage?: LineageEmitter;
  /** Records the run: every state transition is written as it happens. */
  metadata: MetadataStore;
  /** Receives the lines tasks log (they are stored per attempt as well). */
  logger?: Logger;
  /** Subscribers to the run's events (CLI output, tests). */
  listeners?: readonly RunEventListener[];
  /** Stops the run: running attempts are released and the run can be resumed. */
  signal?: AbortSignal;
  runId?: string;
  /** Task instances at once; default 1 (one task at a time, in topological order). */
  concurrency?: number;
  runType?: RunType;
  clock?: Clock;
  notify?: (notification: Notification) => Promise<void>;
  /** Recorded with the pipeline in the store. */
  pipelineFile?: string;
  /**
   * Fault injection for crash tests: `"<taskId>:<step>"` makes the process hang right
   * after that task emitted that progress step, so a test can SIGKILL it at a known point.
   */
  pauseAt?: string;
}

/**
 * Runs a pipeline for one logical date with the local executor (`executeRun`), one task
 * at a time by default: a failed task makes everything downstream `upstream_failed` (under
 * the default trigger rule) while independent branches still run; retries, timeouts and
 * pools apply as the pipeline declares them. Never throws for a task failure: the result
 * carries the `TaskError` and the summary says which task failed. A pipeline has one run
 * per logical date: running a date again runs that date's run again (see `executeRun`),
 * and a date a live process is running is refused with RUN_CONFLICT.
 *
 * @example
 * const { summary, error } = await runPipeline(pipeline, { logicalDate: "2024-01-15", engine, lake, metadata });
 */
export async function runPipeline(
  pipeline: PipelineDefinition,
  options: RunPipelineOptions,
): Promise<RunResult> {
  const logicalDate =
    typeof options.logicalDate === "string" ? parseLogicalDate(options.logicalDate) : options.logicalDate;
  return executeRun({
    pipeline,
    store: options.metadata,
    runtime: {
      engine: options.engine,
      lake: options.lake,
      ...(options.lakeEngine ? { lakeEngine: options.lakeEngine } : {}),
      ...(options.lineage ? { lineage: options.lineage } : {}),
    },
    logicalDate,
    interval: options.interval ?? intervalOfLogicalDate(pipeline, logicalDate),
    params: { ...(options.params ?? {}) },
    runType: options.runType ?? "manual",
    concurrency: options.concurrency ?? 1,
    ...(options.runId ? { runId: options.runId } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.listeners ? { listeners: options.listeners } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.notify ? { notify: options.notify } : {}),
    ...(options.pipelineFile ? { pipelineFile: options.pipelineFile } : {}),
    ...(options.pauseAt ? { pauseAt: options.pauseAt } : {}),
  });
}
