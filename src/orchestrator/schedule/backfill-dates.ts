import { ConfigError } from "../../core/errors.js";
import type { Schedule } from "./schedule.js";

export interface BackfillDatesOptions {
  schedule: Schedule;
  /** First logical date to include (aligned up to the first fire time at or after it). */
  from: Date;
  /** Last logical date to include (inclusive, like `airflow dags backfill -e`). */
  to: Date;
  /** Logical dates that already have a run; they are left out (a backfill only fills holes). */
  existing?: Iterable<Date>;
  /** Refuse to plan more than this many runs (default 100,000) rather than allocate without bound. */
  max?: number;
}

/**
 * The logical dates a backfill creates: every fire time of the schedule in `[from, to]`
 * without a run yet, oldest first. Needs a cron schedule; a pipeline without one is
 * backfilled over its partitions instead (`missingPartitions`).
 *
 * @example
 * backfillDates({ schedule: parseSchedule("@daily"), from: parseLogicalDate("2024-01-01"), to: parseLogicalDate("2024-12-31") }).length; // 366
 */
export function backfillDates(options: BackfillDatesOptions): Date[] {
  const { schedule, from, to } = options;
  if (schedule.kind !== "cron") {
    throw new ConfigError(
      `cannot backfill a pipeline whose schedule is ${schedule.kind === "once" ? "@once" : "not set"}: backfill needs a cron schedule such as "@daily" or time partitions`,
    );
  }
  if (from.getTime() > to.getTime()) {
    throw new ConfigError(
      `backfill range is backwards: from ${from.toISOString()} is after to ${to.toISOString()}`,
    );
  }
  const max = options.max ?? 100_000;
  const existing = new Set<number>();
  for (const date of options.existing ?? []) existing.add(date.getTime());
  const dates: Date[] = [];
  let seen = 0;
  for (let date = schedule.ceil(from); date && date.getTime() <= to.getTime(); date = schedule.next(date)) {
    if (++seen > max) {
      throw new ConfigError(
        `backfill from ${from.toISOString()} to ${to.toISOString()} has more than ${max} runs for schedule "${schedule.expression}": narrow the range`,
      );
    }
    if (!existing.has(date.getTime())) dates.push(date);
  }
  return dates;
}
