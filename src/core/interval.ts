import { ConfigError } from "./errors.js";

/**
 * The slice of time a run is responsible for, like Airflow's data interval:
 * rows with `start <= t < end` belong to it. Both ends are UTC instants.
 */
export interface DataInterval {
  start: Date;
  end: Date;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses "YYYY-MM-DD" as midnight UTC, refusing impossible dates such as 2024-02-30. */
export function parseLogicalDate(text: string): Date {
  const m = DATE_RE.exec(text);
  if (!m) throw new ConfigError(`invalid date "${text}": expected YYYY-MM-DD`, { details: { value: text } });
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (date.toISOString().slice(0, 10) !== text) {
    throw new ConfigError(`invalid date "${text}": no such day`, { details: { value: text } });
  }
  return date;
}

/** The daily interval that starts at the logical date. */
export function dailyInterval(logicalDate: Date): DataInterval {
  const start = new Date(logicalDate.getTime());
  start.setUTCHours(0, 0, 0, 0);
  return { start, end: new Date(start.getTime() + 86_400_000) };
}

export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** "YYYY-MM-DD HH:MM:SS.mmm" in UTC: a timestamp literal both DuckDB and PostgreSQL accept. */
export function formatTimestamp(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}
