import type { Schedule } from "./schedule.js";

export interface DueRunsOptions {
  schedule: Schedule;
  /** No run has a logical date before this (aligned up to the first fire time at or after it). */
  startDate: Date;
  /** No run has a logical date after this (inclusive), like Airflow's `end_date`. */
  endDate?: Date;
  /** Logical date of the latest scheduled run already created; runs continue after it. */
  lastLogicalDate?: Date;
  /** The current time, from the injected `Clock`. */
  now: Date;
  /**
   * true: every interval that has ended since the last run gets a run (oldest first).
   * false: only the latest ended interval does; the missed ones in between are skipped.
   */
  catchup: boolean;
  /** At most this many logical dates (the oldest ones); e.g. the free `maxActiveRuns` slots. */
  limit?: number;
}

/**
 * The logical dates of the scheduled runs to create now, oldest first, with Airflow's
 * semantics: the run for logical date `L` covers `[L, next(L))` and falls due once `now`
 * reaches `next(L)`. `@once` yields the start date once (when `now` has reached it and no
 * run exists yet); no schedule yields nothing.
 *
 * @example
 * // daily, started 2024-01-01, last run 2024-01-03, now 2024-01-06T10:00Z
 * dueRuns({ schedule: parseSchedule("@daily"), startDate, lastLogicalDate, now, catchup: true });
 * // → [01-04, 01-05]  (the 01-06 interval ends at 01-07 and is not due yet)
 * dueRuns({ …, catchup: false }); // → [01-05]
 */
export function dueRuns(options: DueRunsOptions): Date[] {
  const { schedule, now, endDate } = options;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  if (limit <= 0) return [];
  if (schedule.kind === "none") return [];
  if (schedule.kind === "once") {
    const start = options.startDate;
    const due =
      options.lastLogicalDate === undefined &&
      start.getTime() <= now.getTime() &&
      (endDate === undefined || start.getTime() <= endDate.getTime());
    return due ? [new Date(start.getTime())] : [];
  }
  const first = firstCandidate(options);
  if (first === undefined) return [];
  const withinEnd = (date: Date) => endDate === undefined || date.getTime() <= endDate.getTime();
  if (!options.catchup) {
    // The latest interval that has ended: it ends at the last fire time at or before now.
    const lastEnd = schedule.floor(now);
    const latest = lastEnd && schedule.previous(lastEnd);
    if (!latest || latest.getTime() < first.getTime() || !withinEnd(latest)) return [];
    return [latest];
  }
  const due: Date[] = [];
  let logical: Date | undefined = first;
  while (logical && due.length < limit && withinEnd(logical)) {
    const end = schedule.next(logical);
    if (!end || end.getTime() > now.getTime()) break;
    due.push(logical);
    logical = end;
  }
  return due;
}

/**
 * When the next run not yet created falls due (the end of its data interval): a time at or
 * before `now` means `dueRuns` has something now; undefined means no run will ever fall due
 * (no schedule, `@once` done, or past the end date). A scheduler sleeps on its clock until
 * the earliest of these over all pipelines.
 */
export function nextDueAt(options: Omit<DueRunsOptions, "limit">): Date | undefined {
  const { schedule, now, endDate } = options;
  if (schedule.kind === "none") return undefined;
  if (schedule.kind === "once") {
    const start = options.startDate;
    if (options.lastLogicalDate !== undefined) return undefined;
    return endDate === undefined || start.getTime() <= endDate.getTime()
      ? new Date(start.getTime())
      : undefined;
  }
  const first = firstCandidate(options);
  if (first === undefined) return undefined;
  let logical = first;
  if (!options.catchup) {
    const [latest] = dueRuns({ ...options, limit: 1 });
    if (latest) return schedule.next(latest);
    // Nothing due now: the next candidate is the interval in progress (or the first one).
    const current = schedule.floor(now);
    if (current && current.getTime() > logical.getTime()) logical = current;
  }
  if (endDate !== undefined && logical.getTime() > endDate.getTime()) return undefined;
  return schedule.next(logical);
}

/** The earliest logical date a new run may have: the first fire time at/after the start date and after the last run. */
function firstCandidate(options: DueRunsOptions | Omit<DueRunsOptions, "limit">): Date | undefined {
  const { schedule, startDate, lastLogicalDate } = options;
  const aligned = schedule.ceil(startDate);
  if (!aligned) return undefined;
  if (lastLogicalDate === undefined) return aligned;
  const after = schedule.next(lastLogicalDate);
  if (!after) return undefined;
  return after.getTime() > aligned.getTime() ? after : aligned;
}
