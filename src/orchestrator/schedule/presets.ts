/** Cron presets, as Airflow and Vixie cron spell them. `@once` and none are not cron patterns. */
export const SCHEDULE_PRESETS: Readonly<Record<string, string>> = Object.freeze({
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@quarterly": "0 0 1 */3 *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
});

/** Expressions meaning "no schedule: runs are only started by hand, a backfill or a dataset trigger". */
export const NO_SCHEDULE = new Set(["", "@none", "none"]);

export const ONCE = "@once";
