import { formatDuration } from "../../core/duration.js";
import { WeirError } from "../../core/errors.js";
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

/**
 * After a fatal error (the store cannot be written, a listener threw), once no attempt
 * runs: hands back what is left running as queued (no retry used) and releases the run,
 * so the next `weir run`, `weir retry` or scheduler continues it at once. Every write is
 * best effort: when the store takes none, the run keeps its owner and its last heartbeat,
 * which goes stale, and once the heartbeat timeout has passed any executor takes it over
 * (its interrupted attempts then count as failed, as after a crash). Returns the error to
 * throw: a store failure says which run stopped and how to continue it.
 */
export async function abandonRun(x: ExecutorState): Promise<unknown> {
  const fatal = x.fatal;
  for (const node of x.allNodes().filter((n) => n.state === "running")) {
    try {
      await finishNode(x, node, silentAttemptLogger(x), 0, {
        attemptState: "failed",
        state: "queued",
        error: fatal,
      });
    } catch {
      // The store refuses writes: the stale heartbeat hands the attempt over instead.
    }
  }
  const released = await x.s.store.runs.release(x.s.run.id, x.s.owner).then(
    () => true,
    () => false,
  );
  if (!(fatal instanceof WeirError) || fatal.code !== "METADATA_FAILED") return fatal;
  const { run, pipeline } = x.s;
  const next = released
    ? `continue it with \`weir retry ${run.id}\` once the store can be written`
    : `its heartbeat has stopped: once the store can be written and the heartbeat is ${formatDuration(x.s.heartbeatTimeoutMs)} old, \`weir retry ${run.id}\` continues it`;
  return new WeirError(
    "METADATA_FAILED",
    `run ${run.id} of pipeline "${pipeline.id}" stopped: ${fatal.message}; ${next}`,
    {
      cause: fatal.cause ?? fatal,
      retryable: fatal.retryable,
      details: { runId: run.id, ...fatal.details },
    },
  );
}

export function runTimeoutMessage(x: ExecutorState): string {
  return `run of pipeline "${x.s.pipeline.id}" timed out after ${formatDuration(x.s.pipeline.runTimeoutMs ?? 0)}`;
}
