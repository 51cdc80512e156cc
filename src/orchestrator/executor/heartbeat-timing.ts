import type { RunRecord } from "../../metadata/metadata-store.js";
import { ownerProcessIsGone } from "./owner-process.js";

/** How often a running executor heartbeats its run and attempts, by default. */
export const DEFAULT_HEARTBEAT_MS = 5_000;
/** A run or attempt without a heartbeat for this long is taken for dead (Airflow's zombie threshold is similar). */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 60_000;

/**
 * The heartbeat interval for a timeout: at most every 5 s, and at least four beats per
 * timeout, so a live executor is never mistaken for a dead one when the timeout is short.
 */
export function heartbeatIntervalFor(heartbeatTimeoutMs: number): number {
  return Math.max(10, Math.min(DEFAULT_HEARTBEAT_MS, Math.floor(heartbeatTimeoutMs / 4)));
}

/** The instant before which a heartbeat is stale, as the store compares it (ISO text). */
export function staleBefore(now: Date, heartbeatTimeoutMs: number): string {
  return new Date(now.getTime() - heartbeatTimeoutMs).toISOString();
}

/**
 * True when a live executor owns the run: it is running, has an owner, and that owner
 * heartbeated within the timeout. A running run without an owner (released on shutdown)
 * or with a stale heartbeat (its process died or hung) is not live: it may be reaped and
 * taken over — the same test `RunStore.claim` applies. Nor is one whose owner is a
 * process of this host that no longer exists (killed a moment ago): see `ownerProcessIsGone`.
 */
export function isRunLive(run: RunRecord, now: Date, heartbeatTimeoutMs: number): boolean {
  return (
    run.state === "running" &&
    run.owner !== undefined &&
    run.heartbeatAt !== undefined &&
    run.heartbeatAt >= staleBefore(now, heartbeatTimeoutMs) &&
    !ownerProcessIsGone(run.owner)
  );
}
