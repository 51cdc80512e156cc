import { AttemptLogger } from "./attempt-logger.js";
import type { AttemptStats } from "./executor-settings.js";
import type { ExecutorState } from "./executor-state.js";
import { taskRef } from "./run-emitter.js";
import type { TaskNode } from "./task-node.js";

/**
 * An attempt's logger whose lines also go out as `task.log` run events: the same for an
 * attempt started here, handed to a worker, or re-attached after a restart.
 */
export function attemptEventLogger(x: ExecutorState, node: TaskNode, attempt: number): AttemptLogger {
  return new AttemptLogger(x.s.clock, x.s.logger, (line) =>
    x.emitter.emitLater({
      type: "task.log",
      ...x.base(),
      ...taskRef(node),
      attempt,
      level: line.level as "info",
      message: line.message,
      ...(line.fields ? { fields: line.fields } : {}),
    }),
  );
}

/** What an attempt counted so far: nothing yet. */
export function emptyAttemptStats(): AttemptStats {
  return { rows: {}, quarantined: {}, outputs: [], datasets: {} };
}
