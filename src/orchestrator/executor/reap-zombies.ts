import type { Clock } from "../../core/clock.js";
import type { MetadataStore, RunRecord } from "../../metadata/metadata-store.js";
import type { ReapedAttempt } from "../../metadata/task-store.js";
import { DEFAULT_HEARTBEAT_TIMEOUT_MS } from "./heartbeat-timing.js";

export interface ReapResult {
  /** Attempts whose heartbeat stopped, now failed; their instances up_for_retry or failed. */
  attempts: ReapedAttempt[];
  /** Runs still "running" whose executor stopped heartbeating: resume them (`resumeRun`). */
  orphanedRuns: RunRecord[];
}

/**
 * Finds attempts whose heartbeat is older than `heartbeatTimeoutMs` — their process died
 * or hung — and marks them failed, so no attempt is left "running" forever; their task
 * instances become up_for_retry (attempts left; the delay is applied when the run resumes)
 * or failed. Also lists the runs whose executor is gone, for the caller to resume. Safe to
 * run from several processes at once.
 *
 * @example
 * const { orphanedRuns } = await reapZombies(store, systemClock, 60_000);
 */
export async function reapZombies(
  store: MetadataStore,
  clock: Clock,
  heartbeatTimeoutMs: number = DEFAULT_HEARTBEAT_TIMEOUT_MS,
): Promise<ReapResult> {
  const now = clock.now();
  const staleBefore = new Date(now.getTime() - heartbeatTimeoutMs).toISOString();
  const attempts = await store.tasks.reapZombies(staleBefore, now.toISOString());
  const orphanedRuns = await store.runs.orphaned(staleBefore);
  return { attempts, orphanedRuns };
}
