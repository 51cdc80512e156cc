import { ActivityRecorder } from "../../core/activity-recorder.js";
import { observeActivity } from "../../core/activity-scope.js";
import type { Clock } from "../../core/clock.js";
import { messageOf, TaskError } from "../../core/errors.js";
import { type Logger, warn } from "../../core/log.js";
import type { Engine } from "../../engines/engine.js";
import type { Lake } from "../../lake/lake.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import type { AttemptKey, TaskLogLine } from "../../metadata/task-store.js";
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
import { retryStoreWrite } from "./retry-store-write.js";

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
  running: Map<
    string,
    { key: AttemptKey; attempt: RunningAttempt; logger: AttemptLogger; unsent: TaskLogLine[] }
  >;
  /** Attempts this worker is taking or runs (by id): a second job of one of them is dropped here. */
  inHand: Set<string>;
  /** How long a take or an outcome is written again while the database does not answer. */
  storeRetryMs: number;
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
  const id = JSON.stringify([key.runId, key.taskId, key.mapIndex, key.attempt]);
  // The take is repeatable for this worker (a COMMIT lost with the connection), so two jobs of one
  // attempt (its executor queues a job again when nobody took it) must not both run here.
  if (w.inHand.has(id)) return false;
  w.inHand.add(id);
  try {
    return await takeAndRun(w, job, key, id);
  } finally {
    w.inHand.delete(id);
  }
}

async function takeAndRun(
  w: RemoteAttemptContext,
  job: RemoteJob,
  key: AttemptKey,
  id: string,
): Promise<boolean> {
  const retry = (what: string) => ({
    clock: w.clock,
    logger: w.logger,
    what: `${what} ${job.taskId}${job.mapIndex < 0 ? "" : `[${job.mapIndex}]`} attempt ${job.attempt} of run ${job.runId}`,
    giveUpAfterMs: w.storeRetryMs,
  });
  let taken: boolean;
  try {
    taken = await retryStoreWrite(
      () => w.remote.take(key, w.workerId, w.clock.now().toISOString()),
      retry("taking"),
    );
  } catch (error) {
    // The database stayed away: leave the job. The attempt is still its executor's, which
    // queues it again when nobody has taken it within the heartbeat timeout.
    warn(w.logger, `${retry("taking").what}: gave up (${messageOf(error)}); its executor queues it again`);
    return false;
  }
  if (!taken) return false;
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
  const entry = { key, attempt, logger, unsent: [] as TaskLogLine[] };
  w.running.set(id, entry);
  try {
    const outcome = await attempt.outcome;
    const { stored, warning } = encodeOutcome(outcome, stats, 0, activity.record());
    if (warning) logger.warn(warning);
    const lines = [...entry.unsent, ...logger.take()];
    stored.lastLogSeq = logger.lastSeq;
    try {
      // Both repeatable: stored log lines are kept, and the outcome is stored once (`outcome IS NULL`).
      await retryStoreWrite(() => w.store.tasks.appendLogs(key, lines), retry("storing the logs of"));
      const accepted = await retryStoreWrite(
        () => w.remote.storeOutcome(key, w.workerId, stored, w.clock.now().toISOString()),
        retry("storing the outcome of"),
      );
      if (!accepted) {
        // Reaped while this worker could not heartbeat it (or taken by another worker's retry):
        // the store's verdict stands and the retry policy has run it again elsewhere.
        warn(
          w.logger,
          `${retry("the outcome of").what} was dropped: the attempt is no longer running on this worker`,
        );
      }
    } catch (error) {
      // The database stayed away for longer than an attempt's lease: it is reaped and retried elsewhere.
      warn(w.logger, `${retry("storing the outcome of").what}: gave up (${messageOf(error)})`);
    }
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
