import { formatDuration } from "../../core/duration.js";
import type { AttemptLogger } from "./attempt-logger.js";
import type { AttemptStats } from "./executor-settings.js";
import type { ExecutorState } from "./executor-state.js";
import { fanOut } from "./fan-out.js";
import { finishNode, finishSucceeded } from "./finish-node.js";
import { poolReleases } from "./pool-releases.js";
import { AttemptAbort, type AttemptOutcome } from "./run-attempt.js";
import type { TaskNode } from "./task-node.js";

/** One attempt's outcome, as the loop takes it from the inbox. */
export interface FinishedAttempt {
  node: TaskNode;
  outcome: AttemptOutcome;
  logger: AttemptLogger;
  stats: AttemptStats;
  /** Epoch ms of the clock. */
  startedAt: number;
}

/**
 * running → success | failed | up_for_retry | skipped | queued: records what an attempt
 * recorded (duration, rows, stats), then finishes it by its outcome. A mapped parent's
 * success fans out; a shutdown re-queues the instance without using a retry; a run
 * timeout fails it for good, and so does a timeout the task did not stop for within its
 * grace. Frees its pool slot for waiting executors of this process.
 */
export async function handleOutcome(x: ExecutorState, attempt: FinishedAttempt): Promise<void> {
  const { node } = attempt;
  delete node.running;
  delete node.logger;
  try {
    await onAttemptEnd(x, attempt);
  } finally {
    // Wakes executors of this process waiting for a slot (others poll the store).
    if (node.policy.pool !== undefined) poolReleases.emit("release");
  }
}

async function onAttemptEnd(x: ExecutorState, attempt: FinishedAttempt): Promise<void> {
  const { node, outcome, logger, stats, startedAt } = attempt;
  const now = x.s.clock.now().getTime();
  const attemptMs = Math.max(0, now - startedAt);
  node.durationMs += attemptMs;
  node.rows = { ...stats.rows };
  node.stats = {
    quarantined: stats.quarantined,
    outputs: stats.outputs,
    ...(Object.keys(stats.datasets).length > 0 ? { datasets: stats.datasets } : {}),
    ...(stats.staged ? { staged: true } : {}),
  };
  const isParent = node.task.map !== undefined && node.mapIndex < 0;
  if (outcome.kind === "success" && isParent) return fanOut(x, node, outcome.output, logger);
  if (outcome.kind === "success") {
    node.output = outcome.output;
    node.hasOutput = true;
    return finishSucceeded(x, node, logger, attemptMs, outcome.output);
  }
  if (outcome.kind === "skipped") {
    return finishNode(x, node, logger, attemptMs, {
      attemptState: "skipped",
      state: "skipped",
      reason: outcome.reason,
    });
  }
  if (outcome.kind === "aborted" && outcome.abort.why === "shutdown") {
    // Back to queued without using a retry: the executor stops, its process ends with it.
    return finishNode(x, node, logger, attemptMs, {
      attemptState: "failed",
      state: "queued",
      error: outcome.stopped ? outcome.abort : notStopped(outcome.abort, node),
    });
  }
  if (outcome.kind === "aborted" && !outcome.stopped) {
    // The task ignored its signal and still runs: a retry would run beside it. Fail for good.
    return finishNode(x, node, logger, attemptMs, {
      attemptState: "failed",
      state: "failed",
      error: notStopped(outcome.abort, node),
    });
  }
  const error = outcome.kind === "aborted" ? outcome.abort : outcome.error;
  const retry =
    !(outcome.kind === "aborted" && outcome.abort.why === "run_timeout") && node.tryNumber < node.maxTries;
  return finishNode(x, node, logger, attemptMs, {
    attemptState: "failed",
    state: retry ? "up_for_retry" : "failed",
    error,
  });
}

/** The abort, saying the task did not stop within its grace (and what that means for a retry). */
function notStopped(abort: AttemptAbort, node: TaskNode): AttemptAbort {
  const grace = formatDuration(node.policy.timeoutGraceMs);
  const consequence =
    abort.why === "timeout" && node.tryNumber < node.maxTries
      ? "; not retried, so that no retry runs beside it"
      : "";
  return new AttemptAbort(
    abort.why,
    `${abort.message}, and the task was still running ${grace} after its signal was aborted${consequence} (make the task stop on ctx.signal)`,
  );
}
