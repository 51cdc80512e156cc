import type { Clock } from "../../core/clock.js";
import type { MetadataStore, RunRecord } from "../../metadata/metadata-store.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { type DueRunsOptions, dueRuns, nextDueAt } from "../schedule/due-runs.js";
import { datasetsOf } from "../triggers/dataset-condition.js";
import { datasetTriggerDue } from "../triggers/dataset-trigger-due.js";
import { queueRun } from "./queue-run.js";

export interface DueRunsContext {
  pipeline: PipelineDefinition;
  store: MetadataStore;
  clock: Clock;
  /** Used when the pipeline declares no `startDate`: runs start from when the scheduler first saw it. */
  defaultStartDate: Date;
}

/**
 * Queues the runs of a pipeline that are due now: one per ended schedule interval since
 * the last scheduled run (all of them with `catchup`, only the latest without), and a
 * `dataset_triggered` run when the datasets it waits for were updated since its last one.
 * Runs are only queued here; the scheduler starts them as `maxActiveRuns` allows.
 */
export async function queueDueRuns(ctx: DueRunsContext): Promise<RunRecord[]> {
  const queued: RunRecord[] = [];
  const { pipeline, store, clock } = ctx;
  if (pipeline.schedule.kind !== "none") {
    const { latest, ...state } = await scheduleState(ctx);
    const dates = dueRuns({
      ...state,
      // Bounded per pass so a long catch-up does not queue years of runs in one transaction burst.
      limit: 1_000,
    });
    // Each date is queued only as the successor of the one before, so two schedulers that
    // read the same latest run never both queue a next one (with or without catchup).
    let after = latest;
    for (const logicalDate of dates) {
      const run = await queueRun({
        pipeline,
        store,
        clock,
        logicalDate,
        runType: "scheduled",
        after: { logicalTime: after },
      });
      if (run) {
        queued.push(run);
        after = run.logicalTime;
        continue;
      }
      // Not queued: a manual run or a backfill holds the date (go on), or another scheduler
      // queued past it meanwhile (stop: the next pass starts from its run).
      if ((await store.runs.latest(pipeline.id, ["scheduled"]))?.logicalTime !== after) break;
    }
  }
  if (pipeline.datasetTrigger) {
    const run = await queueDatasetTriggeredRun(ctx);
    if (run) queued.push(run);
  }
  return queued;
}

/**
 * The run a dataset update triggers. Its data interval spans the events it consumes (from
 * just after the previous triggered run's last event to this one's last), so the next
 * check counts only events newer than those.
 */
async function queueDatasetTriggeredRun(ctx: DueRunsContext): Promise<RunRecord | undefined> {
  const { pipeline, store, clock } = ctx;
  const condition = pipeline.datasetTrigger!;
  const last = await store.runs.latest(pipeline.id, ["dataset_triggered"]);
  // The previous run consumed events up to (and including) intervalEnd − 1 ms.
  const after = last ? new Date(Date.parse(last.intervalEnd) - 1) : undefined;
  const records = await store.datasets.events({
    datasets: datasetsOf(condition),
    ...(after ? { after: after.toISOString() } : {}),
  });
  const result = datasetTriggerDue(
    condition,
    records.map((e) => ({
      dataset: e.dataset,
      timestamp: new Date(e.at),
      ...(e.runId ? { runId: e.runId } : {}),
    })),
    after ? { after } : {},
  );
  if (!result.due || !result.latest) return undefined;
  const end = new Date(result.latest.timestamp.getTime() + 1);
  const first = result.events[0]!.timestamp;
  const start = after ? new Date(after.getTime() + 1) : first;
  const now = clock.now();
  return queueRun({
    pipeline,
    store,
    clock,
    // The logical date of a dataset-triggered run is when it was triggered, as in Airflow.
    logicalDate: now,
    interval: { start: start.getTime() < end.getTime() ? start : new Date(end.getTime() - 1), end },
    runType: "dataset_triggered",
    // Two schedulers see the same events at different times: only the first queues a run for them.
    after: { logicalTime: last?.logicalTime },
  });
}

/** When the pipeline's next scheduled run falls due (undefined: never, or dataset-driven only). */
export async function nextScheduledAt(ctx: DueRunsContext): Promise<Date | undefined> {
  if (ctx.pipeline.schedule.kind === "none") return undefined;
  return nextDueAt(await scheduleState(ctx));
}

/**
 * What `dueRuns` and `nextDueAt` need: the schedule, its bounds, the last scheduled run and
 * now. A due date another run holds already (a manual run, a backfill) counts as done for
 * the schedule, as in Airflow: a pipeline has one run per logical date, so the scheduler
 * cannot queue one there, and would otherwise find the date due on every pass. `latest` is
 * the last scheduled run's logical time as read: the next run queued must follow it.
 */
async function scheduleState(
  ctx: DueRunsContext,
): Promise<Omit<DueRunsOptions, "limit"> & { latest: string | undefined }> {
  const { pipeline, store, clock } = ctx;
  const last = await store.runs.latest(pipeline.id, ["scheduled"]);
  const state: Omit<DueRunsOptions, "limit"> & { latest: string | undefined } = {
    latest: last?.logicalTime,
    schedule: pipeline.schedule,
    startDate: pipeline.startDate ?? ctx.defaultStartDate,
    ...(pipeline.endDate ? { endDate: pipeline.endDate } : {}),
    ...(last ? { lastLogicalDate: new Date(last.logicalTime) } : {}),
    now: clock.now(),
    catchup: pipeline.catchup,
  };
  for (let held = 0; held < 1_000; held++) {
    const [due] = dueRuns({ ...state, limit: 1 });
    if (!due || !(await store.runs.atLogicalTime(pipeline.id, due.toISOString()))) break;
    state.lastLogicalDate = due;
  }
  return state;
}
