import type { DerivedColumn } from "./define-stream-job.js";

const HOUR_MS = 3_600_000;

/**
 * Derived columns from the event time, computed once per hour of event time rather than
 * once per event (events mostly arrive in time order, so the last hour is nearly always
 * the one asked for).
 */
function perHour<T>(compute: (hourStart: number) => T): (eventTime: number) => T {
  let lastHour = Number.NaN;
  let last: T;
  return (eventTime) => {
    const hour = Math.floor(eventTime / HOUR_MS);
    if (hour !== lastHour) {
      lastHour = hour;
      last = compute(hour * HOUR_MS);
    }
    return last;
  };
}

/** The event's UTC date, `YYYY-MM-DD` (a `date` column). */
export function eventDate(): DerivedColumn {
  const of = perHour((start) => new Date(start).toISOString().slice(0, 10));
  return { type: "date", value: (_event, eventTime) => of(eventTime) };
}

/** The event's UTC hour of the day, 0–23 (an `integer` column). */
export function eventHour(): DerivedColumn {
  const of = perHour((start) => new Date(start).getUTCHours());
  return { type: "integer", value: (_event, eventTime) => of(eventTime) };
}
