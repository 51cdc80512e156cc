import type { DataInterval } from "../../core/interval.js";

/** What a schedule is made of: a cron pattern, "run once at the start date", or no schedule at all. */
export type ScheduleKind = "cron" | "once" | "none";

/**
 * When a pipeline runs, with Airflow's data-interval semantics: a run with logical date `L`
 * covers `[L, next(L))` and falls due at `next(L)`, when its interval has ended.
 *
 * Every instant is a UTC `Date`; the time zone only decides where the wall-clock times of
 * the pattern fall. DST behaviour (the same as croner's, Airflow's and Vixie cron's):
 * - a fixed-time schedule (`30 2 * * *`) whose time does not exist on a spring-forward day
 *   fires once, at the first instant after the gap (03:00 local); on a fall-back day it
 *   fires once, at the first of the two 01:30s — never twice, never not at all;
 * - an interval schedule (`0 * * * *`, `*\/15 * * * *`) fires on every real occurrence: the
 *   hour that does not exist is skipped, the hour that occurs twice fires twice (they are
 *   different instants an hour apart).
 */
export interface Schedule {
  readonly kind: ScheduleKind;
  /** The expression as written, e.g. "@daily" or "0 2 * * *"; "" for no schedule. */
  readonly expression: string;
  /** The cron pattern after expanding presets ("@daily" → "0 0 * * *"); undefined for @once/none. */
  readonly pattern?: string;
  /** IANA time zone the pattern's wall-clock times are read in. */
  readonly timezone: string;
  /** Human-readable, e.g. "daily at 02:00 (Europe/Berlin)". */
  readonly description: string;
  /** The first fire time strictly after `after`; undefined when there is none (@once, none). */
  next(after: Date): Date | undefined;
  /** The last fire time strictly before `before`; undefined when there is none. */
  previous(before: Date): Date | undefined;
  /** True when `date` is exactly a fire time of the pattern. */
  matches(date: Date): boolean;
  /**
   * The data interval of the run with logical date `logicalDate`: `[L, next(L))` when `L` is a
   * fire time; otherwise the interval that contains `L` (`[previous fire ≤ L, next fire)`), so a
   * manual run for an arbitrary date covers the period that date falls in. For @once and none
   * it is the empty interval `[L, L]`, as in Airflow.
   */
  interval(logicalDate: Date): DataInterval;
  /** The fire time at or before `date` (the start of the interval containing it), if any. */
  floor(date: Date): Date | undefined;
  /** The fire time at or after `date`, if any. */
  ceil(date: Date): Date | undefined;
}
