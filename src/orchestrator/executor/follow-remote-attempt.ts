import type { ActivityRecorder } from "../../core/activity-recorder.js";
import { attemptEventLogger, emptyAttemptStats } from "./attempt-event-logger.js";
import type { AttemptLogger } from "./attempt-logger.js";
import type { AttemptStats } from "./executor-settings.js";
import type { ExecutorState } from "./executor-state.js";
import { type AttemptOutcome, attemptLimits } from "./run-attempt.js";
import type { TaskNode } from "./task-node.js";
import type { RemoteRunningAttempt, TaskRunRequest } from "./task-runner.js";

/** What the executor tells a task runner about one claimed attempt of `node`. */
export function runRequest(x: ExecutorState, node: TaskNode, attempt: number): TaskRunRequest {
  return {
    run: x.s.run,
    pipeline: x.s.pipeline,
    ...(x.s.pipelineFile ? { pipelineFile: x.s.pipelineFile } : {}),
    taskId: node.task.id,
    mapIndex: node.mapIndex,
    attempt,
    queue: node.policy.queue,
    ...(node.parent ? { item: x.items.get(node.parent)?.[node.mapIndex] } : {}),
    limits: attemptLimits(node),
    owner: x.s.owner,
    heartbeatTimeoutMs: x.s.heartbeatTimeoutMs,
  };
}

/**
 * Follows an attempt a worker runs as if it ran here: the node is running, aborting it
 * asks the worker to abort, and the worker's stored outcome (with its counts, outputs and
 * lineage activity) is posted to the inbox like a local outcome — so the transitions,
 * retries and events are the executor's own, written once. The attempt's log lines are
 * the worker's; the executor's own lines for it are numbered after them.
 */
export function followRemoteAttempt(
  x: ExecutorState,
  node: TaskNode,
  remote: RemoteRunningAttempt,
  local: { logger: AttemptLogger; stats: AttemptStats; startedAt: number },
): void {
  // A wait that fails (the store or the queue gone, the runner closed) is the attempt's
  // failure here too: a rejection nobody awaits would be an unhandled rejection.
  node.running = {
    controller: remote.controller,
    outcome: remote.end.then(
      (end) => end.outcome,
      (error: unknown): AttemptOutcome => ({ kind: "failed", error }),
    ),
  };
  node.logger = local.logger;
  void remote.end.then(
    (end) => {
      local.logger.continueAfter(end.lastLogSeq);
      const recorded = end.activity;
      node.activity =
        recorded === undefined ? undefined : ({ record: () => recorded } as unknown as ActivityRecorder);
      x.post({
        kind: "outcome",
        node,
        outcome: end.outcome,
        logger: local.logger,
        stats: end.stats,
        startedAt: local.startedAt,
      });
    },
    (error: unknown) => {
      // The store or the queue failed while waiting: the run cannot follow its attempt any more.
      x.fatal ??= error;
      x.post({
        kind: "outcome",
        node,
        outcome: { kind: "failed", error },
        logger: local.logger,
        stats: local.stats,
        startedAt: local.startedAt,
      });
    },
  );
}

/**
 * On resume: an instance left running that a worker still runs (its previous executor
 * died, the worker did not) is followed again instead of being counted as interrupted.
 * False when there is no task runner or no worker has the attempt.
 */
export async function reattachRemoteAttempt(x: ExecutorState, node: TaskNode): Promise<boolean> {
  const runner = x.s.taskRunner;
  if (!runner) return false;
  const remote = await runner.reattach(runRequest(x, node, node.tryNumber));
  if (!remote) return false;
  x.running++;
  const attempt = node.tryNumber;
  const logger = attemptEventLogger(x, node, attempt);
  const stats = emptyAttemptStats();
  followRemoteAttempt(x, node, remote, {
    logger,
    stats,
    startedAt: node.firstStartedAt ?? x.s.clock.now().getTime(),
  });
  return true;
}
