import { ActivityRecorder } from "../../core/activity-recorder.js";
import { observeActivity } from "../../core/activity-scope.js";
import type { Clock } from "../../core/clock.js";
import { TaskError } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { Engine } from "../../engines/engine.js";
import type { Lake } from "../../lake/lake.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import type { AttemptKey } from "../../metadata/task-store.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { AttemptLogger } from "../executor/attempt-logger.js";
import { buildTaskContext, withTaskEnginesHeld } from "../executor/build-task-context.js";
import type { AttemptStats, ExecutorSettings } from "../executor/executor-settings.js";
import { attemptLimits, type RunningAttempt, startAttempt } from "../executor/run-attempt.js";
import { newNode, type TaskNode } from "../executor/task-node.js";
import { loadStoredOutput } from "../executor/task-output.js";
import type { RemoteJob } from "./queue-job.js";
import type { RemoteAttempts } from "./remote-attempts.js";
import { encodeOutcome } from "./remote-outcome.js";

/** The runtime an attempt's code gets; `release` closes what was opened for it. */
export interface AttemptRuntime {
  engine: Engine;
  lake: Lake;
  /** The DuckDB the lake writes with, when it is not `engine` (a PostgreSQL warehouse). */
  lakeEngine?: Engine;
  release(): Promise<void>;
}

/** What a worker gives each job it runs. */
export interface RemoteAttemptContext {
  workerId: string;
  store: MetadataStore;
  remote: RemoteAttempts;
  clock: Clock;
  logger: Logger;
  pipelineOf(job: RemoteJob): Promise<PipelineDefinition>;
  openRuntime(): Promise<AttemptRuntime>;
  /** The attempts running now (their logs are flushed and cancellations applied with heartbeats). */
  running: Map<string, { key: AttemptKey; attempt: RunningAttempt; logger: AttemptLogger }>;
}

/**
 * One job on a worker: takes the attempt (dropped when it is no longer the running
 * attempt, or another worker took it: a re-delivered job never runs twice), runs the
 * task's code with the task's timeout in the context the executor would build (upstream
 * outputs from the store, a mapped instance's item from the hand-over row), stores its
 * logs and raw outcome. The executor that owns the run records the end and decides on a
 * retry. Returns whether the attempt ran.
 */
export async function runRemoteAttempt(w: RemoteAttemptContext, job: RemoteJob): Promise<boolean> {
  const key: AttemptKey = {
    runId: job.runId,
    taskId: job.taskId,
    mapIndex: job.mapIndex,
    attempt: job.attempt,
  };
  if (!(await w.remote.take(key, w.workerId, w.clock.now().toISOString()))) return false;
  const logger = new AttemptLogger(w.clock, w.logger, () => undefined);
  const stats: AttemptStats = { rows: {}, quarantined: {}, outputs: [], datasets: {} };
  const activity = new ActivityRecorder();
  let runtime: AttemptRuntime | undefined;
  let attempt: RunningAttempt;
  try {
    const run = await w.store.runs.get(job.runId);
    if (!run) throw new Error(`run ${job.runId} is not in the metadata store`);
    const pipeline = await w.pipelineOf(job);
    const task = pipeline.tasks.find((t) => t.id === job.taskId);
    if (!task) throw new Error(`pipeline "${pipeline.id}" has no task "${job.taskId}" on this worker`);
    const policy = pipeline.policies[task.id]!;
    const parent = job.mapIndex < 0 ? undefined : newNode(task, policy, -1);
    const node: TaskNode = newNode(task, policy, job.mapIndex, parent);
    const isParent = task.map !== undefined && job.mapIndex < 0;
    const item = job.mapIndex < 0 ? undefined : (await w.remote.state(key))?.item;
    const outputs = await upstreamOutputs(w.store, pipeline, job);
    runtime = await w.openRuntime();
    const opened = runtime;
    const interval = { start: new Date(run.intervalStart), end: new Date(run.intervalEnd) };
    const settings = {
      pipeline,
      store: w.store,
      runtime: opened,
      run,
      clock: w.clock,
    } as unknown as ExecutorSettings;
    // As the local executor does: the warehouse file is held for the attempt (WAREHOUSE_LOCKED fails it).
    attempt = startAttempt(w.clock, attemptLimits(node), (signal) =>
      withTaskEnginesHeld(opened, () =>
        observeActivity(activity, async () => {
          const ctx = buildTaskContext({
            settings,
            node,
            attempt: job.attempt,
            signal,
            logger,
            stats,
            logicalDate: new Date(run.logicalTime),
            interval,
            partition: pipeline.partitions?.partitionOf(interval.start),
            outputOf: (id) => {
              if (!outputs.has(id)) {
                if (!ancestorsOf(pipeline, task.id).has(id)) {
                  throw new TaskError(
                    task.id,
                    new Error(`outputOf("${id}"): "${id}" is not upstream of "${task.id}"`),
                  );
                }
                return undefined;
              }
              return outputs.get(id);
            },
            emit: async () => undefined,
          });
          if (isParent) return task.map!.items(ctx);
          if (parent) return task.map!.run(ctx, item);
          return task.run(ctx);
        }),
      ),
    );
  } catch (error) {
    // The job could not even start the task (pipeline missing on this worker…): the attempt fails as a task failure.
    attempt = { controller: new AbortController(), outcome: Promise.resolve({ kind: "failed", error }) };
  }
  const id = JSON.stringify([key.runId, key.taskId, key.mapIndex, key.attempt]);
  w.running.set(id, { key, attempt, logger });
  try {
    const outcome = await attempt.outcome;
    const { stored, warning } = encodeOutcome(outcome, stats, 0, activity.record());
    if (warning) logger.warn(warning);
    const lines = logger.take();
    await w.store.tasks.appendLogs(key, lines);
    stored.lastLogSeq = logger.lastSeq;
    await w.remote.storeOutcome(key, w.workerId, stored, w.clock.now().toISOString());
    return true;
  } finally {
    w.running.delete(id);
    await runtime?.release().catch(() => undefined);
  }
}

/** The stored outputs of the task's upstream tasks (a mapped task's: the list of its instances' outputs). */
async function upstreamOutputs(
  store: MetadataStore,
  pipeline: PipelineDefinition,
  job: RemoteJob,
): Promise<Map<string, unknown>> {
  const ancestors = ancestorsOf(pipeline, job.taskId);
  const outputs = new Map<string, unknown>();
  for (const o of await store.tasks.outputs(job.runId)) {
    if (o.mapIndex >= 0 || !ancestors.has(o.taskId)) continue;
    outputs.set(o.taskId, loadStoredOutput(o.value, o.taskId));
  }
  return outputs;
}

function ancestorsOf(pipeline: PipelineDefinition, taskId: string): Set<string> {
  const byId = new Map(pipeline.tasks.map((t) => [t.id, t] as const));
  const seen = new Set<string>();
  const visit = (id: string) => {
    for (const dep of byId.get(id)?.dependsOn ?? []) {
      if (seen.has(dep)) continue;
      seen.add(dep);
      visit(dep);
    }
  };
  visit(taskId);
  return seen;
}
