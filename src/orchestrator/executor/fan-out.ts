import { TaskError } from "../../core/errors.js";
import type { AttemptLogger } from "./attempt-logger.js";
import type { ExecutorState } from "./executor-state.js";
import { finishNode, finishParent } from "./finish-node.js";
import { newNode, type TaskNode } from "./task-node.js";
import { isTerminal } from "./task-states.js";

/**
 * A mapped task's parent attempt returned its items: creates one instance per item (in
 * memory and in the store) and queues them. On resume, instances that already ended are
 * kept and ones waiting to retry get their timer again. No items: the parent succeeds
 * with []; anything but an array fails it.
 */
export async function fanOut(
  x: ExecutorState,
  parent: TaskNode,
  items: unknown,
  logger: AttemptLogger,
): Promise<void> {
  if (!Array.isArray(items)) {
    const error = new TaskError(
      parent.task.id,
      new Error(`map must return an array of items, got ${typeof items}`),
    );
    return finishNode(x, parent, logger, 0, { attemptState: "failed", state: "failed", error });
  }
  const { store, run } = x.s;
  x.items.set(parent, items);
  const existing = parent.children ?? [];
  const children = items.map((_, i) => existing[i] ?? newNode(parent.task, parent.policy, i, parent));
  parent.children = children;
  logger.info(`mapped over ${items.length} item(s)`);
  await store.tasks.appendLogs(
    { runId: run.id, taskId: parent.task.id, mapIndex: -1, attempt: parent.tryNumber },
    logger.take(),
  );
  if (children.length === 0) return finishParent(x, parent);
  await store.tasks.expand(
    run.id,
    {
      taskId: parent.task.id,
      retries: parent.policy.retries,
      ...(parent.policy.pool ? { pool: parent.policy.pool } : {}),
    },
    children.length,
  );
  const pending = children.filter((c) => c.state === "pending" || c.state === "queued");
  for (const child of pending) child.state = "queued";
  await store.tasks.transition(
    run.id,
    pending.map((c) => ({ taskId: c.task.id, mapIndex: c.mapIndex, state: "queued" as const })),
  );
  x.ready.push(...pending);
  for (const child of children) {
    if (child.state === "up_for_retry" && !child.waiting) {
      x.retryAt(child, child.nextTryAt ?? x.s.clock.now().getTime());
    }
  }
  if (children.every((c) => isTerminal(c.state))) await finishParent(x, parent);
}
