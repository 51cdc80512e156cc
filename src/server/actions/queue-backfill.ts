import { WeirError } from "../../core/errors.js";
import type { RunRecord } from "../../metadata/metadata-store.js";
import type { PipelineDefinition } from "../../orchestrator/define-pipeline.js";
import { clearTasks } from "../../orchestrator/executor/resume-run.js";
import { planBackfill } from "../../orchestrator/scheduler/plan-backfill.js";
import { queueRun } from "../../orchestrator/scheduler/queue-run.js";
import type { ServerContext } from "../server-context.js";

/** More dates than this in one request is refused: a backfill of years is `weir backfill`'s job. */
export const MAX_BACKFILL_RUNS = 10_000;

/**
 * Queues a backfill for the scheduler, as `weir backfill` plans it: a new `backfill` run per
 * date without one, failed runs cleared (their tasks that did not succeed) and queued again,
 * runs nobody executes (queued, or left by a dead process) left for the scheduler to resume.
 * Succeeded dates and runs a live process executes are left alone. Returns the runs the
 * backfill will execute, oldest first.
 */
export async function queueBackfill(
  ctx: ServerContext,
  pipeline: PipelineDefinition,
  from: Date,
  to: Date,
): Promise<RunRecord[]> {
  const { store, clock } = ctx;
  const plan = await planBackfill({ pipeline, store, from, to, clock });
  const count = plan.create.length + plan.rerun.length + plan.resume.length;
  if (count > MAX_BACKFILL_RUNS) {
    throw new WeirError(
      "CONFIG_INVALID",
      `a backfill of ${count} runs is more than the API queues at once (${MAX_BACKFILL_RUNS}): split the range, or use weir backfill`,
      { details: { runs: count } },
    );
  }
  const ids: string[] = [];
  for (const run of plan.rerun) {
    await clearTasks(store, pipeline, run.id);
    ids.push(run.id);
  }
  ids.push(...plan.resume.map((r) => r.id));
  for (const logicalDate of plan.create) {
    const run = await queueRun({ pipeline, store, clock, logicalDate, runType: "backfill" });
    if (run) ids.push(run.id);
  }
  const runs = await Promise.all(ids.map((id) => store.runs.get(id)));
  return runs
    .filter((r): r is RunRecord => r !== undefined)
    .sort((a, b) => (a.logicalTime < b.logicalTime ? -1 : a.logicalTime > b.logicalTime ? 1 : 0));
}
