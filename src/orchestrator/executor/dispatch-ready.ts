import type { ExecutorState } from "./executor-state.js";
import { startNode } from "./start-node.js";
import type { TaskNode } from "./task-node.js";

/**
 * queued → running: starts ready instances while the run's concurrency allows, keeping a
 * mapped task's instances within its own `concurrency`. Instances whose pool is full wait
 * for a release in this process, or look again after the poll interval (other processes).
 */
export async function dispatchReady(x: ExecutorState): Promise<void> {
  const deferred: TaskNode[] = [];
  while (x.ready.length > 0 && x.running < x.s.concurrency) {
    const node = x.ready.shift()!;
    if (node.state !== "queued") continue;
    const parent = node.parent;
    const limit = parent?.task.map?.concurrency;
    if (parent && limit !== undefined && parent.children!.filter((c) => c.running).length >= limit) {
      deferred.push(node);
      continue;
    }
    await startNode(x, node);
  }
  x.ready.unshift(...deferred);
  if (x.poolBlocked.length > 0 && !x.pollScheduled) {
    x.pollScheduled = true;
    x.timers.after(x.s.pollMs, () => x.post({ kind: "pools" }));
  }
}
