import type { Clock } from "../../core/clock.js";
import { WeirError } from "../../core/errors.js";
import type { MetadataStore, RunRecord } from "../../metadata/metadata-store.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { isRunLive, staleBefore } from "./heartbeat-timing.js";
import { ownerProcessIsGone } from "./owner-process.js";
import { reapZombies } from "./reap-zombies.js";
import { clearTasks } from "./resume-run.js";

/**
 * What happens to a run that already holds the logical date a new run was asked for:
 * `rerun` — it succeeded, and every task runs again; `retry` — it failed, or its executor
 * died, and the tasks that did not succeed run again now, with fresh retries (as
 * `weir retry`); `resume` — it was queued, and starts.
 */
export type ExistingRunAction = "rerun" | "retry" | "resume";

export interface ClaimExistingRunOptions {
  pipeline: PipelineDefinition;
  store: MetadataStore;
  clock: Clock;
  owner: string;
  heartbeatTimeoutMs: number;
  /**
   * The caller asked for the run's date explicitly (`weir run --date`): a finished run
   * runs again, and so do the unfinished tasks of a run whose executor died. Otherwise a
   * finished run is left as it is, and a dead executor's run resumes as its retry policy
   * says (a scheduler's, a backfill's view).
   */
  rerunFinished: boolean;
  /** Told what is about to happen to the run (as it was found), before it does (the CLI prints it). */
  onExistingRun?: (run: RunRecord, action: ExistingRunAction) => void;
}

/**
 * Makes `owner` the executor of a stored run. A run left running by an executor that is
 * gone (stale heartbeat, or a process of this host that no longer exists) is reaped first:
 * its running attempts fail as zombies and retry per policy, as `reapZombies` does. A
 * finished one is cleared when `rerunFinished`. Then the run is claimed. Throws
 * RUN_CONFLICT, naming the owner, when a live executor holds it (or wins the claim
 * meanwhile). Returns the claimed run, or undefined for a finished run left alone.
 */
export async function claimExistingRun(
  run: RunRecord,
  o: ClaimExistingRunOptions,
): Promise<RunRecord | undefined> {
  // Created already claimed by this very executor (a backfill creates each date's run so).
  if (run.state === "running" && run.owner === o.owner) return run;
  const now = o.clock.now();
  let stale = staleBefore(now, o.heartbeatTimeoutMs);
  let clearAfterClaim = false;
  if (run.state === "succeeded" || run.state === "failed") {
    if (!o.rerunFinished) return undefined;
    const action = run.state === "succeeded" ? "rerun" : "retry";
    o.onExistingRun?.(run, action);
    await clearTasks(o.store, o.pipeline, run.id, action === "rerun" ? { tasks: o.pipeline.order } : {});
  } else if (run.state === "running") {
    if (isRunLive(run, now, o.heartbeatTimeoutMs)) throw runConflict(run);
    await reapZombies(o.store, o.clock, o.heartbeatTimeoutMs);
    if (run.owner !== undefined && ownerProcessIsGone(run.owner)) {
      // Killed a moment ago on this host: its heartbeat is fresh, but nobody will beat it again.
      stale = new Date(now.getTime() + 1).toISOString();
      // Only the attempts it ran itself: one a `weir worker` took over lives on, and is re-attached.
      await o.store.tasks.reapZombies(stale, now.toISOString(), { runId: run.id, owner: run.owner });
    }
    clearAfterClaim = o.rerunFinished;
    if (o.rerunFinished) o.onExistingRun?.(run, "retry");
  } else if (run.state === "queued") {
    o.onExistingRun?.(run, "resume");
  }
  const claimed = await o.store.runs.claim(run.id, {
    owner: o.owner,
    at: o.clock.now().toISOString(),
    staleBefore: stale,
  });
  if (!claimed) throw runConflict((await o.store.runs.get(run.id)) ?? run);
  if (clearAfterClaim) await clearTasks(o.store, o.pipeline, run.id, { owner: o.owner });
  return (await o.store.runs.get(run.id))!;
}

/** RUN_CONFLICT for a run another executor holds (or that finished meanwhile), naming it. */
export function runConflict(run: RunRecord): WeirError {
  const what =
    run.state === "running"
      ? `being executed by ${run.owner ?? "another executor"} (last heartbeat ${run.heartbeatAt ?? "never"})`
      : run.state;
  return new WeirError(
    "RUN_CONFLICT",
    `run ${run.id} of pipeline "${run.pipeline}" is ${what}, for logical date ${run.logicalTime}`,
    { details: { runId: run.id, owner: run.owner, heartbeatAt: run.heartbeatAt } },
  );
}
