import type { Clock } from "../../core/clock.js";
import { formatDuration } from "../../core/duration.js";
import { messageOf, WeirError } from "../../core/errors.js";
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
  /** When beats have failed for this long, `onLost` is called and the loop ends. */
  lostAfterMs: number;
  /** The run's lease is as good as gone: other executors will soon take it for dead. */
  onLost(error: WeirError): void;
}

/**
 * Every `intervalMs` of the clock: stores the running attempts' new log lines, then
 * heartbeats the run and its running attempts in one write, so `reapZombies` can tell a
 * live executor from a dead one. A failed beat is logged and tried again at the next
 * beat; when beats have failed for `lostAfterMs` (half the heartbeat timeout, say), the
 * executor must stop: another one is about to take the run over, and both would run its
 * tasks at once.
 */
export async function heartbeatLoop(o: HeartbeatOptions): Promise<void> {
  let lastBeat = o.clock.now().getTime();
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
      lastBeat = o.clock.now().getTime();
    } catch (error) {
      warn(o.logger, `heartbeat of run ${o.runId} failed: ${messageOf(error)}`, { runId: o.runId });
      const failingMs = o.clock.now().getTime() - lastBeat;
      if (failingMs >= o.lostAfterMs && !o.signal.aborted) {
        o.onLost(
          new WeirError(
            "METADATA_FAILED",
            `the heartbeat of run ${o.runId} could not be written for ${formatDuration(failingMs)}: ${messageOf(error)}`,
            {
              cause: error,
              retryable: error instanceof WeirError && error.retryable,
              details: { runId: o.runId, ...(error instanceof WeirError ? error.details : {}) },
            },
          ),
        );
        return;
      }
    }
  }
}
