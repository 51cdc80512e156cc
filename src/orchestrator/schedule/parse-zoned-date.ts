import { ConfigError } from "../../core/errors.js";
import { assertTimezone, zonedToInstant } from "./zoned-time.js";

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::00)?$/;

/**
 * Reads a date the way a pipeline author or a CLI user means it: `"2024-03-10"` is local
 * midnight in `timezone` (Airflow reads `start_date` in the DAG's zone), `"2024-03-10T02:00"`
 * is that local wall time, and anything with an offset or `Z` is that exact instant. A
 * `Date` is taken as is. `what` names the setting in errors, e.g. `pipeline "p" startDate`.
 *
 * @example
 * parseZonedDate("2024-01-01", "Europe/Berlin"); // 2023-12-31T23:00:00Z
 * parseZonedDate("2024-01-01T00:00:00Z", "Europe/Berlin"); // 2024-01-01T00:00:00Z
 */
export function parseZonedDate(value: string | Date, timezone = "UTC", what = "date"): Date {
  assertTimezone(timezone, `${what} timezone`);
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw zonedDateError(value, what);
    return new Date(value.getTime());
  }
  if (typeof value !== "string") throw zonedDateError(value, what);
  const text = value.trim();
  const local = DATE_ONLY.exec(text) ?? LOCAL_DATE_TIME.exec(text);
  if (local) {
    const [year, month, day, hour = 0, minute = 0] = local.slice(1).map(Number) as number[];
    const daysInMonth = new Date(Date.UTC(year as number, month as number, 0)).getUTCDate();
    if (
      (month as number) < 1 ||
      (month as number) > 12 ||
      (day as number) < 1 ||
      (day as number) > daysInMonth ||
      hour > 23 ||
      minute > 59
    ) {
      throw zonedDateError(value, what, "no such date or time");
    }
    return zonedToInstant(
      { year: year as number, month: month as number, day: day as number, hour, minute },
      timezone,
    );
  }
  // Only full ISO timestamps with an explicit offset: Date.parse reads other shapes loosely.
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    const ms = Date.parse(text);
    if (Number.isFinite(ms)) return new Date(ms);
  }
  throw zonedDateError(value, what);
}

function zonedDateError(value: unknown, what: string, problem?: string): ConfigError {
  const shown = typeof value === "string" ? `"${value}"` : String(value);
  return new ConfigError(
    `invalid ${what} ${shown}: ${problem ? `${problem}; ` : ""}expected "YYYY-MM-DD" (midnight in the pipeline's time zone), "YYYY-MM-DDTHH:MM" (local time) or an ISO instant with an offset such as "2024-01-01T00:00:00Z"`,
    { details: { value: typeof value === "string" ? value : String(value) } },
  );
}
