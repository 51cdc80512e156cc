import { formatDuration } from "../../core/duration.js";
import type { ExecutorState } from "./executor-state.js";
import { finishNode, silentAttemptLogger } from "./finish-node.js";
import { AttemptAbort } from "./run-attempt.js";
import { taskRef } from "./run-emitter.js";
import { isTerminal } from "./task-states.js";

/**
 * Stops the run on its timeout or a shutdown: aborts every running attempt (their
 * outcomes still come through the inbox) and schedules nothing new. A run timeout is
 * the run's error.
 */
export function stopRun(x: ExecutorState, why: "run_timeout" | "shutdown", abort: AttemptAbort): void {
  if (x.stopping) return;
  x.stopping = why;
  if (why === "run_timeout") x.firstError ??= abort;
  for (const node of x.allNodes()) node.running?.controller.abort(abort);
}

/** After a stop, once no attempt runs: skip what is left (run timeout) or release parents (shutdown). */
export async function settleStopped(x: ExecutorState): Promise<void> {
  const at = x.nowIso();
  const open = x.allNodes().filter((n) => !isTerminal(n.state));
  if (x.stopping === "run_timeout") {
    const reason = `[TASK_TIMEOUT] ${runTimeoutMessage(x)}`;
    for (const node of open) {
      if (node.state === "running") {
        // A mapped parent whose instances were aborted: fail its open attempt.
        await finishNode(x, node, silentAttemptLogger(x), 0, {
          attemptState: "failed",
          state: "failed",
          error: new AttemptAbort("run_timeout", runTimeoutMessage(x)),
        });
        continue;
      }
      node.state = "skipped";
      node.error = { code: "TASK_TIMEOUT", message: reason, details: {} };
    }
    await x.s.store.tasks.transition(
      x.s.run.id,
      open
        .filter((n) => n.state === "skipped")
        .map((n) => ({
          taskId: n.task.id,
          mapIndex: n.mapIndex,
          state: "skipped" as const,
          endedAt: at,
          error: reason,
        })),
    );
    for (const node of open.filter((n) => n.state === "skipped" && n.mapIndex < 0)) {
      await x.emit({
        type: "task.skipped",
        ...x.base(),
        ...taskRef(node),
        state: "skipped",
        reason,
        blockedBy: [],
      });
    }
    return;
  }
  for (const node of open.filter((n) => n.state === "running")) {
    await finishNode(x, node, silentAttemptLogger(x), 0, {
      attemptState: "failed",
      state: "queued",
      error: new AttemptAbort("shutdown", "interrupted: the executor shut down"),
    });
  }
}

export function runTimeoutMessage(x: ExecutorState): string {
  return `run of pipeline "${x.s.pipeline.id}" timed out after ${formatDuration(x.s.pipeline.runTimeoutMs ?? 0)}`;
}
