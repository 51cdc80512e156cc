import type { Clock } from "../../core/clock.js";
import { messageOf } from "../../core/errors.js";
import { type Logger, warn } from "../../core/log.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import type { TaskNode } from "./task-node.js";

export interface HeartbeatOptions {
  clock: Clock;
  store: MetadataStore;
  owner: string;
  runId: string;
  intervalMs: number;
  /** Stops the loop. */
  signal: AbortSignal;
  /** The instances whose attempts run now (their log lines are flushed with each beat). */
  running(): TaskNode[];
  logger: Logger;
}

/**
 * Every `intervalMs` of the clock: stores the running attempts' new log lines, then
 * heartbeats the run and its running attempts in one write, so `reapZombies` can tell a
 * live executor from a dead one. A failed beat is logged, not fatal: if the store stays
 * away, the attempts are reaped and the run resumed elsewhere.
 */
export async function heartbeatLoop(o: HeartbeatOptions): Promise<void> {
  for (;;) {
    try {
      await o.clock.sleep(o.intervalMs, o.signal);
    } catch {
      return;
    }
    try {
      for (const node of o.running()) {
        const lines = node.logger?.take() ?? [];
        if (lines.length === 0) continue;
        await o.store.tasks.appendLogs(
          { runId: o.runId, taskId: node.task.id, mapIndex: node.mapIndex, attempt: node.tryNumber },
          lines,
        );
      }
      await o.store.runs.heartbeat(o.owner, o.clock.now().toISOString());
    } catch (error) {
      warn(o.logger, `heartbeat of run ${o.runId} failed: ${messageOf(error)}`, { runId: o.runId });
    }
  }
}
