import { ConfigError, messageOf, TaskError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import { type DataInterval, dailyInterval, formatDate, parseLogicalDate } from "../core/interval.js";
import { type Logger, silentLogger } from "../core/log.js";
import type { Engine } from "../engines/engine.js";
import type { Lake } from "../lake/lake.js";
import type { MetadataStore, RowCounts } from "../metadata/metadata-store.js";
import { quarantine } from "../quality/quarantine.js";
import type { PipelineDefinition, TaskDefinition } from "./define-pipeline.js";
import { recordRunEvents } from "./record-run-events.js";
import type { RunEvent, RunEventListener, RunOutput, RunSummary, TaskSummary } from "./run-events.js";
import { summarizeRun } from "./summarize-run.js";
import type { TaskContext } from "./task-context.js";

export interface RunPipelineOptions {
  /** "YYYY-MM-DD" or a Date; the data interval is that UTC day. */
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
  /** Records the run (its events are written as they happen). */
  metadata: MetadataStore;
  logger?: Logger;
  /** Extra subscribers (CLI output, tests), called after the metadata store. */
  listeners?: readonly RunEventListener[];
  signal?: AbortSignal;
  runId?: string;
  /**
   * Fault injection for crash tests: `"<taskId>:<step>"` makes the process hang right
   * after that task emitted that progress step, so a test can SIGKILL it at a known point.
   */
  pauseAt?: string;
}

export interface RunResult {
  summary: RunSummary;
  /** Outputs of the tasks that succeeded, by task id. */
  outputs: Record<string, unknown>;
  /** The first task failure, wrapping what the task threw as `cause`. */
  error?: TaskError;
}

/**
 * Runs a pipeline for one logical date with the local in-process executor: tasks run one
 * at a time in topological order; a failed task skips everything downstream of it while
 * independent branches still run. Never throws for a task failure: the result carries
 * the `TaskError` and the summary says which task failed.
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
  const interval = options.interval ?? dailyInterval(logicalDate);
  if (!(interval.start.getTime() < interval.end.getTime())) {
    throw new ConfigError(
      `invalid data interval ${interval.start.toISOString()} .. ${interval.end.toISOString()}: the start must be before the end`,
    );
  }
  const runId = options.runId ?? newId("run_");
  const params = { ...(options.params ?? {}) };
  const logger = options.logger ?? silentLogger;
  const signal = options.signal ?? new AbortController().signal;
  const listeners = [recordRunEvents(options.metadata), ...(options.listeners ?? [])];
  const base = { runId, pipeline: pipeline.id };
  const emit = async (event: RunEvent): Promise<void> => {
    for (const listener of listeners) await listener(event);
  };

  const byId = new Map(pipeline.tasks.map((t) => [t.id, t]));
  const ancestors = ancestorSets(pipeline.tasks);
  const outputs: Record<string, unknown> = {};
  const states = new Map<string, TaskSummary["state"]>();
  const tasks: TaskSummary[] = [];
  const outputsListed: RunOutput[] = [];
  let firstError: TaskError | undefined;
  const runStart = performance.now();

  await emit({
    type: "run.started",
    ...base,
    at: now(),
    logicalDate: formatDate(logicalDate),
    interval: { start: interval.start.toISOString(), end: interval.end.toISOString() },
    params,
    tasks: [...pipeline.order],
  });

  for (const taskId of pipeline.order) {
    const task = byId.get(taskId)!;
    const blockedBy = task.dependsOn.filter((d) => states.get(d) !== "succeeded");
    if (blockedBy.length > 0 || signal.aborted) {
      states.set(taskId, "skipped");
      tasks.push({ id: taskId, state: "skipped", durationMs: 0, rows: {}, quarantined: {} });
      await emit({ type: "task.skipped", ...base, at: now(), taskId, blockedBy });
      continue;
    }
    await emit({ type: "task.started", ...base, at: now(), taskId, attempt: 1 });
    const rows: Required<RowCounts> = { in: 0, out: 0, rejected: 0 };
    const quarantined: Record<string, number> = {};
    const taskOutputs: RunOutput[] = [];
    const started = performance.now();
    const ctx: TaskContext = {
      runId,
      pipelineId: pipeline.id,
      taskId,
      logicalDate,
      interval,
      params,
      logger,
      engine: options.engine,
      lake: options.lake,
      metadata: options.metadata,
      signal,
      cursors: {
        get: (key) => options.metadata.cursors.get(pipeline.id, key),
        commit: (key, value) => options.metadata.cursors.commit(pipeline.id, key, value),
      },
      outputOf: <T>(ref: { id: string } | string): T => {
        const id = typeof ref === "string" ? ref : ref.id;
        if (!ancestors.get(taskId)!.has(id)) {
          throw new TaskError(taskId, new Error(`outputOf("${id}"): "${id}" is not upstream of "${taskId}"`));
        }
        return outputs[id] as T;
      },
      progress: async (update) => {
        await emit({ type: "task.progress", ...base, at: now(), taskId, ...update });
        if (options.pauseAt === `${taskId}:${update.step}`) await hangForever();
      },
      quarantine: async (request) => {
        const result = await quarantine(options.engine, {
          ...request,
          runId,
          logicalDate: formatDate(logicalDate),
        });
        rows.rejected += result.rows;
        for (const [check, n] of Object.entries(result.byCheck))
          quarantined[check] = (quarantined[check] ?? 0) + n;
        return result;
      },
      recordRows: (counts) => {
        rows.in += counts.in ?? 0;
        rows.out += counts.out ?? 0;
        rows.rejected += counts.rejected ?? 0;
      },
      recordOutput: (output) => {
        taskOutputs.push(output);
      },
    };
    try {
      outputs[taskId] = await task.run(ctx);
      const durationMs = Math.round(performance.now() - started);
      states.set(taskId, "succeeded");
      tasks.push({ id: taskId, state: "succeeded", durationMs, rows, quarantined });
      outputsListed.push(...taskOutputs);
      await emit({
        type: "task.succeeded",
        ...base,
        at: now(),
        taskId,
        attempt: 1,
        durationMs,
        rows,
        quarantined,
        outputs: taskOutputs,
      });
    } catch (cause) {
      const error =
        cause instanceof TaskError && cause.details.taskId === taskId ? cause : new TaskError(taskId, cause);
      firstError ??= error;
      const durationMs = Math.round(performance.now() - started);
      states.set(taskId, "failed");
      tasks.push({ id: taskId, state: "failed", durationMs, rows, quarantined, error: error.message });
      await emit({
        type: "task.failed",
        ...base,
        at: now(),
        taskId,
        attempt: 1,
        durationMs,
        error: { code: codeOf(cause), message: messageOf(cause), details: detailsOf(cause) },
      });
    }
  }

  const summary = summarizeRun({
    runId,
    pipeline,
    logicalDate: formatDate(logicalDate),
    durationMs: Math.round(performance.now() - runStart),
    tasks,
    outputs: outputsListed,
    ...(firstError ? { error: firstError } : {}),
  });
  await emit({
    type: "run.finished",
    ...base,
    at: now(),
    state: summary.state,
    durationMs: summary.durationMs,
    summary,
  });
  return { summary, outputs, ...(firstError ? { error: firstError } : {}) };
}

function now(): string {
  return new Date().toISOString();
}

/** Code of a WeirError by shape (a pipeline file may bring its own copy of weir). */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : "TASK_FAILED";
}

function detailsOf(error: unknown): Record<string, unknown> {
  const details = (error as { details?: unknown } | null)?.details;
  return typeof details === "object" && details !== null ? (details as Record<string, unknown>) : {};
}

function ancestorSets(tasks: readonly TaskDefinition[]): Map<string, Set<string>> {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const memo = new Map<string, Set<string>>();
  const of = (id: string): Set<string> => {
    const known = memo.get(id);
    if (known) return known;
    const set = new Set<string>();
    memo.set(id, set);
    for (const dep of byId.get(id)!.dependsOn) {
      set.add(dep);
      for (const a of of(dep)) set.add(a);
    }
    return set;
  };
  for (const t of tasks) of(t.id);
  return memo;
}

/** Keeps the event loop alive until the process is killed (crash tests only). */
function hangForever(): Promise<never> {
  return new Promise(() => {
    setInterval(() => {}, 1 << 30);
  });
}
