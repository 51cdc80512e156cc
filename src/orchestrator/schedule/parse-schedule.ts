import { ConfigError, messageOf } from "../../core/errors.js";
import type { DataInterval } from "../../core/interval.js";
import { cronFieldProblem } from "./cron-fields.js";
import { CronSchedule } from "./cron-schedule.js";
import { NO_SCHEDULE, ONCE, SCHEDULE_PRESETS } from "./presets.js";
import type { Schedule, ScheduleKind } from "./schedule.js";
import { assertTimezone, UTC } from "./zoned-time.js";

export interface ParseScheduleOptions {
  /** IANA time zone the pattern's wall-clock times are read in; default "UTC". */
  timezone?: string;
  /** Names the setting in errors, e.g. `pipeline "customers" schedule`. Default "schedule". */
  what?: string;
}

/**
 * Parses a schedule: a five-field cron pattern (`"0 2 * * *"`), a preset (`@hourly`,
 * `@daily`/`@midnight`, `@weekly`, `@monthly`, `@quarterly`, `@yearly`/`@annually`),
 * `@once` (one run, at the start date), or no schedule (`null`, `undefined`, `""`,
 * `"@none"`). Throws a `ConfigError` naming the expression, the field and the allowed
 * range, or the unknown time zone.
 *
 * @example
 * const schedule = parseSchedule("0 2 * * *", { timezone: "Europe/Berlin" });
 * schedule.next(new Date("2024-03-30T12:00:00Z")); // 2024-03-31T00:00:00Z (02:00 CEST does not exist → 03:00 CEST)
 * schedule.interval(new Date("2024-03-29T01:00:00Z")); // { start: 03-29 01:00Z, end: 03-30 01:00Z }
 */
export function parseSchedule(
  expression: string | null | undefined,
  options: ParseScheduleOptions = {},
): Schedule {
  const what = options.what ?? "schedule";
  const timezone = assertTimezone(options.timezone ?? UTC, `${what} timezone`);
  if (expression !== null && expression !== undefined && typeof expression !== "string") {
    throw new ConfigError(
      `${what} must be a cron expression or a preset such as "@daily", got ${typeof expression}`,
    );
  }
  const text = (expression ?? "").trim();
  const lower = text.toLowerCase();
  if (NO_SCHEDULE.has(lower)) return new FixedSchedule("none", text, timezone, "not scheduled");
  if (lower === ONCE) return new FixedSchedule("once", text, timezone, "once, at the start date");
  const pattern = text.startsWith("@") ? SCHEDULE_PRESETS[lower] : text;
  if (pattern === undefined) {
    const presets = [...Object.keys(SCHEDULE_PRESETS), ONCE].join(", ");
    throw new ConfigError(
      `invalid ${what} "${text}": unknown preset, expected one of ${presets} or a cron pattern`,
      {
        details: { expression: text },
      },
    );
  }
  const problem = cronFieldProblem(pattern);
  if (problem) {
    throw new ConfigError(`invalid ${what} "${text}": ${problem}`, { details: { expression: text } });
  }
  try {
    return new CronSchedule(text, pattern, timezone);
  } catch (cause) {
    throw new ConfigError(`invalid ${what} "${text}": ${messageOf(cause).replace(/^CronPattern: /, "")}`, {
      cause,
      details: { expression: text },
    });
  }
}

/**
 * `@once` and "none": no fire times of their own. The scheduler creates the single `@once`
 * run from the start date (see `dueRuns`); a manual run's interval is the empty `[L, L]`.
 */
class FixedSchedule implements Schedule {
  constructor(
    readonly kind: Exclude<ScheduleKind, "cron">,
    readonly expression: string,
    readonly timezone: string,
    readonly description: string,
  ) {}

  next(): Date | undefined {
    return undefined;
  }

  previous(): Date | undefined {
    return undefined;
  }

  matches(): boolean {
    return false;
  }

  floor(): Date | undefined {
    return undefined;
  }

  ceil(): Date | undefined {
    return undefined;
  }

  interval(logicalDate: Date): DataInterval {
    return { start: new Date(logicalDate.getTime()), end: new Date(logicalDate.getTime()) };
  }
}
