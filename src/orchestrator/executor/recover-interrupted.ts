import { WeirError } from "../../core/errors.js";
import { retryDelay } from "../backoff.js";
import { taskError } from "./attempt-errors.js";
import type { ExecutorState } from "./executor-state.js";
import { finishNode, silentAttemptLogger } from "./finish-node.js";
import { reattachRemoteAttempt } from "./follow-remote-attempt.js";

/**
 * Instances a dead executor left running: those a worker still runs are followed again
 * (distributed executor); the others' attempts failed (and retry per policy),
 * like a reaped zombie. A mapped parent is only re-queued: its items are computed again
 * and its instances that ended are kept. Then what was queued is ready again and what
 * waits for a retry gets its timer. A task that was failed already when the run was loaded
 * (reaped as a zombie with no tries left, or failed before and not cleared) is the run's
 * error, as if it had failed now: otherwise the run would end failed with no error to show.
 */
export async function recoverInterrupted(x: ExecutorState): Promise<void> {
  x.recovering = true;
  try {
    for (const node of x.allNodes()) {
      if (node.state !== "running") continue;
      // A worker still runs it (distributed executor): follow it rather than run it again.
      if (await reattachRemoteAttempt(x, node)) continue;
      const error = new WeirError(
        "INTERNAL",
        "interrupted: the executor running this attempt stopped (crash or kill)",
      );
      const logger = silentAttemptLogger(x);
      const isParent = node.task.map !== undefined && node.mapIndex < 0;
      const state = isParent ? "queued" : node.tryNumber < node.maxTries ? "up_for_retry" : "failed";
      await finishNode(x, node, logger, 0, { attemptState: "failed", state, error });
    }
  } finally {
    x.recovering = false;
  }
  const now = x.s.clock.now().getTime();
  for (const node of x.nodes.values()) {
    if (node.state === "failed") x.firstError ??= taskError(node);
    if (node.state === "queued") x.ready.push(node);
    if (node.state === "up_for_retry") {
      x.retryAt(
        node,
        node.nextTryAt ?? now + retryDelay(Math.max(1, node.tryNumber), node.policy.retry, x.s.random),
      );
    }
  }
}
