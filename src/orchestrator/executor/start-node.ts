import { ActivityRecorder } from "../../core/activity-recorder.js";
import { observeActivity } from "../../core/activity-scope.js";
import { TaskError, WeirError } from "../../core/errors.js";
import { errorInfo, taskError } from "./attempt-errors.js";
import { attemptEventLogger, emptyAttemptStats } from "./attempt-event-logger.js";
import { buildTaskContext, withTaskEnginesHeld } from "./build-task-context.js";
import type { ExecutorState } from "./executor-state.js";
import { settled } from "./finish-node.js";
import { followRemoteAttempt, runRequest } from "./follow-remote-attempt.js";
import { attemptLimits, startAttempt } from "./run-attempt.js";
import { taskRef } from "./run-emitter.js";
import type { TaskNode } from "./task-node.js";

/**
 * Starts the next attempt of a queued instance: claims it (and its pool slots) in the
 * store, then runs the task's code — a mapped parent's `items`, an instance's item, or
 * `run` — under the attempt's timeout, in this process or, with a task runner (the
 * distributed executor), on a worker. The outcome is posted to the inbox. An instance
 * whose pool is full goes back to wait; one whose pool is missing or too small fails.
 */
export async function startNode(x: ExecutorState, node: TaskNode): Promise<void> {
  const { store, clock, run, owner } = x.s;
  const attempt = node.tryNumber + 1;
  const startedAt = clock.now().getTime();
  const isParent = node.task.map !== undefined && node.mapIndex < 0;
  const pool = isParent ? undefined : node.policy.pool;
  let claimed: boolean;
  try {
    claimed = await store.tasks.startAttempt({
      runId: run.id,
      taskId: node.task.id,
      mapIndex: node.mapIndex,
      attempt,
      owner,
      at: new Date(startedAt).toISOString(),
      ...(pool === undefined
        ? {}
        : {
            pool,
            poolSlots: node.policy.poolSlots,
            // A full pool may be full of dead attempts' slots: the store reaps those first.
            staleBefore: new Date(startedAt - x.s.heartbeatTimeoutMs).toISOString(),
          }),
    });
  } catch (error) {
    // A missing or too small pool: the task cannot run at all, retrying will not help.
    if (!(error instanceof WeirError) || error.code === "METADATA_FAILED") throw error;
    return failWithoutAttempt(x, node, error);
  }
  if (!claimed) {
    x.poolBlocked.push(node);
    return;
  }
  node.state = "running";
  node.tryNumber = attempt;
  node.firstStartedAt ??= startedAt;
  x.running++;
  const logger = attemptEventLogger(x, node, attempt);
  const stats = emptyAttemptStats();
  await x.emit({ type: "task.started", ...x.base(), ...taskRef(node), attempt });
  if (x.s.taskRunner) {
    const remote = x.s.taskRunner.start(runRequest(x, node, attempt));
    return followRemoteAttempt(x, node, remote, { logger, stats, startedAt });
  }
  // What the attempt's code reads, writes and runs (engines and the lake report into it), for lineage.
  const activity = new ActivityRecorder();
  node.activity = activity;
  // The warehouse file is held for the attempt (opened as it starts, waiting for another
  // process's lock); a WAREHOUSE_LOCKED failure is the attempt's, so retries apply.
  const running = startAttempt(clock, attemptLimits(node), (signal) =>
    withTaskEnginesHeld(x.s.runtime, () =>
      observeActivity(activity, async () => {
        const ctx = buildTaskContext({
          settings: x.s,
          node,
          attempt,
          signal,
          logger,
          stats,
          logicalDate: x.logicalDate,
          interval: x.interval,
          partition: x.partition,
          outputOf: (id) => outputFor(x, node, id),
          emit: (event) => x.emit(event),
        });
        if (isParent) return node.task.map!.items(ctx);
        if (node.parent) return node.task.map!.run(ctx, x.items.get(node.parent)![node.mapIndex]);
        return node.task.run(ctx);
      }),
    ),
  );
  node.running = running;
  node.logger = logger;
  void running.outcome.then((outcome) =>
    x.post({ kind: "outcome", node, outcome, logger, stats, startedAt }),
  );
}

function outputFor(x: ExecutorState, node: TaskNode, id: string): unknown {
  const own = node.task.id;
  if (!x.ancestors.get(own)!.has(id)) {
    throw new TaskError(own, new Error(`outputOf("${id}"): "${id}" is not upstream of "${own}"`));
  }
  return x.nodes.get(id)!.output;
}

async function failWithoutAttempt(x: ExecutorState, node: TaskNode, error: WeirError): Promise<void> {
  node.state = "failed";
  node.error = errorInfo(error);
  node.cause = error;
  await x.s.store.tasks.transition(x.s.run.id, [
    {
      taskId: node.task.id,
      mapIndex: node.mapIndex,
      state: "failed",
      endedAt: x.nowIso(),
      error: `[${error.code}] ${error.message}`,
    },
  ]);
  if (!node.parent) x.firstError ??= taskError(node);
  await x.emit({
    type: "task.failed",
    ...x.base(),
    ...taskRef(node),
    attempt: 0,
    durationMs: 0,
    error: node.error,
  });
  await settled(x, node);
}
