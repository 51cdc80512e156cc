import { type DataInterval, dailyInterval } from "../core/interval.js";
import type { PipelineDefinition } from "./define-pipeline.js";
import { zonedParts, zonedToInstant } from "./schedule/zoned-time.js";

/** The run a date stands for: its canonical logical date (the run key) and its data interval. */
export interface RunSlot {
  logicalDate: Date;
  interval: DataInterval;
}

/**
 * The run of the schedule interval that contains `date`, with the interval's own logical
 * date, so every way a run comes to be (the scheduler, a backfill, `weir run`, the API)
 * names one interval by one logical time and finds the same run: for a cron pipeline the
 * fire time at or before `date` (`[L, next(L))`, Airflow's data interval); for a pipeline
 * partitioned without a cron schedule, the partition containing `date`; otherwise `date`
 * itself with its UTC day. Fire times map to themselves, so the scheduler's and backfills'
 * dates are never moved.
 *
 * @example
 * alignedRun(monthly, new Date("2001-03-15T00:00:00Z"));
 * // { logicalDate: 2001-03-01T00:00Z, interval: 2001-03-01 → 2001-04-01 }
 */
export function alignedRun(pipeline: PipelineDefinition, date: Date): RunSlot {
  const { schedule, partitions } = pipeline;
  if (schedule.kind === "cron") {
    const logicalDate = schedule.floor(date) ?? new Date(date.getTime());
    return { logicalDate, interval: schedule.interval(logicalDate) };
  }
  if (partitions) {
    const { start, end } = partitions.partitionOf(date);
    return { logicalDate: start, interval: { start, end } };
  }
  return { logicalDate: new Date(date.getTime()), interval: dailyInterval(date) };
}

/**
 * The run that covers the instant `date` for a user naming it (`weir run --date`): for a
 * partitioned pipeline the partition containing it (with a cron schedule, the fire time
 * whose interval starts in it, as a backfill of that partition does); otherwise the
 * schedule interval containing it (see `alignedRun`).
 */
export function runContaining(pipeline: PipelineDefinition, date: Date): RunSlot {
  const { schedule, partitions } = pipeline;
  if (partitions && schedule.kind === "cron") {
    const { start } = partitions.partitionOf(date);
    return alignedRun(pipeline, schedule.ceil(start) ?? start);
  }
  return alignedRun(pipeline, date);
}

/**
 * The run a calendar day names (`weir run --date 2001-03-15`), the day read in the
 * pipeline's time zone: a partitioned pipeline's partition containing the day's start; a
 * cron pipeline's first fire time on that day (what `weir backfill --from D --to D` runs),
 * or, for a schedule coarser than a day, the interval containing the day; otherwise the
 * UTC day.
 */
export function runOfDay(
  pipeline: PipelineDefinition,
  day: { year: number; month: number; day: number },
): RunSlot {
  const { schedule, partitions } = pipeline;
  if (schedule.kind !== "cron" && !partitions) {
    return alignedRun(pipeline, new Date(Date.UTC(day.year, day.month - 1, day.day)));
  }
  const start = zonedToInstant(day, pipeline.timezone);
  if (partitions) return runContaining(pipeline, start);
  const next = zonedToInstant({ ...day, day: day.day + 1 }, pipeline.timezone);
  const first = schedule.ceil(start);
  return alignedRun(pipeline, first && first.getTime() < next.getTime() ? first : start);
}

/**
 * The run `weir run` makes without a date, as Airflow infers a manual run's data interval:
 * the latest complete schedule interval before `now` (a cron pipeline), the latest complete
 * partition (a partitioned one), else yesterday (UTC).
 */
export function latestCompleteRun(pipeline: PipelineDefinition, now: Date): RunSlot {
  const { schedule, partitions } = pipeline;
  if (partitions) {
    const current = partitions.partitionOf(now);
    return runContaining(pipeline, new Date(current.start.getTime() - 1));
  }
  if (schedule.kind === "cron") {
    const end = schedule.floor(now);
    const start = end && schedule.previous(end);
    if (start) return alignedRun(pipeline, start);
  }
  const today = zonedParts(now, "UTC");
  return alignedRun(pipeline, new Date(Date.UTC(today.year, today.month - 1, today.day - 1)));
}

/** True when `date` is the logical date of the interval containing it (a schedule or partition boundary). */
export function isCanonicalLogicalDate(pipeline: PipelineDefinition, date: Date): boolean {
  return alignedRun(pipeline, date).logicalDate.getTime() === date.getTime();
}

/**
 * The data interval of a run whose logical date is exactly `date` (no alignment): the
 * schedule interval or partition it is the logical date of, else its UTC day. So a logical
 * date the scheduler or a backfill would use always covers that whole interval.
 *
 * @example
 * intervalOfLogicalDate(monthly, new Date("2001-03-01T00:00:00Z")); // 2001-03-01 → 2001-04-01
 * intervalOfLogicalDate(dailyAt2, new Date("2024-01-15T00:00:00Z")); // its UTC day: not a fire time
 */
export function intervalOfLogicalDate(pipeline: PipelineDefinition, date: Date): DataInterval {
  // Undated pipelines align every date to itself and its UTC day, so one alignment decides.
  const aligned = alignedRun(pipeline, date);
  return aligned.logicalDate.getTime() === date.getTime() ? aligned.interval : dailyInterval(date);
}
