import { ConfigError } from "../../core/errors.js";

/**
 * Wall-clock arithmetic in an IANA time zone, on top of `Intl` (no tz database of our own).
 * Schedules and time partitions need two questions answered: "what does the clock on the
 * wall read at this instant?" and "at which instant does the wall clock read this?" — the
 * second one has no answer in a DST gap and two answers in a DST overlap.
 */

/** The wall-clock reading of an instant in a time zone. `month` is 1–12. */
export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Offset from UTC in minutes at that instant (New York in winter: -300). */
  offsetMinutes: number;
}

export const UTC = "UTC";

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/**
 * Checks that `timezone` is an IANA zone name this runtime knows (e.g. "Europe/Berlin") and
 * returns it. `what` names the setting in the error, e.g. `pipeline "customers" timezone`.
 */
export function assertTimezone(timezone: unknown, what = "timezone"): string {
  if (typeof timezone !== "string" || timezone.trim() === "") {
    throw new ConfigError(
      `${what} must be an IANA time zone name such as "Europe/Berlin", got ${JSON.stringify(timezone)}`,
    );
  }
  try {
    formatterFor(timezone);
  } catch (cause) {
    throw new ConfigError(
      `${what} "${timezone}" is not a known IANA time zone: expected a name such as "UTC", "Europe/Berlin" or "America/New_York"`,
      { cause, details: { timezone } },
    );
  }
  return timezone;
}

/** The wall-clock reading of `date` in `timezone`. */
export function zonedParts(date: Date | number, timezone: string): ZonedParts {
  const ms = typeof date === "number" ? date : date.getTime();
  const offsetMinutes = offsetMinutesAt(ms, timezone);
  const d = new Date(ms + offsetMinutes * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    offsetMinutes,
  };
}

const DAY_MS = 86_400_000;
const MAX_CACHED_DAYS = 100_000;
const dayStartOffsets = new Map<string, Map<number, number>>();

/**
 * Offset from UTC in minutes of `timezone` at instant `ms`. `Intl` costs microseconds per
 * call, and walking 100,000 hourly partitions would pay it twice per hour; offsets only
 * change at DST transitions, never twice within a day, so the offsets at the two UTC
 * midnights around `ms` are cached and, when equal, are the answer.
 */
export function offsetMinutesAt(ms: number, timezone: string): number {
  if (timezone === UTC) return 0;
  const day = Math.floor(ms / DAY_MS) * DAY_MS;
  const before = offsetAtDayStart(day, timezone);
  if (before === offsetAtDayStart(day + DAY_MS, timezone)) return before;
  return exactOffsetMinutes(ms, timezone);
}

function offsetAtDayStart(day: number, timezone: string): number {
  let cache = dayStartOffsets.get(timezone);
  if (!cache) {
    cache = new Map();
    dayStartOffsets.set(timezone, cache);
  }
  let offset = cache.get(day);
  if (offset === undefined) {
    if (cache.size >= MAX_CACHED_DAYS) cache.clear();
    offset = exactOffsetMinutes(day, timezone);
    cache.set(day, offset);
  }
  return offset;
}

function exactOffsetMinutes(ms: number, timezone: string): number {
  const parts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timezone).formatToParts(ms)) {
    if (part.type in parts) parts[part.type as keyof typeof parts] = Number(part.value);
  }
  const wallMs = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const wholeSecond = ms - (((ms % 1000) + 1000) % 1000);
  return Math.round((wallMs - wholeSecond) / 60_000);
}

export interface WallTime {
  year: number;
  /** 1–12; out-of-range values roll over like `Date.UTC` (month 13 is January next year). */
  month: number;
  day?: number;
  hour?: number;
  minute?: number;
}

/**
 * The instant at which the wall clock in `timezone` reads `wall`. In a DST overlap (the
 * clock reads the same time twice) the earlier instant wins; in a DST gap (the time never
 * appears) the wall time is read with the offset in force before the gap, which lands the
 * same distance after the gap's end — for a day or hour that starts inside a gap, that is
 * exactly the moment the gap ends, i.e. when the day or hour really begins.
 */
export function zonedToInstant(wall: WallTime, timezone: string): Date {
  const naive = Date.UTC(wall.year, wall.month - 1, wall.day ?? 1, wall.hour ?? 0, wall.minute ?? 0);
  if (timezone === UTC) return new Date(naive);
  // Offsets in force a day either side cover every transition near this wall time.
  const before = offsetMinutesAt(naive - 86_400_000, timezone);
  const after = offsetMinutesAt(naive + 86_400_000, timezone);
  const candidates = [...new Set([before, after])]
    .map((offset) => naive - offset * 60_000)
    .sort((a, b) => a - b);
  for (const candidate of candidates) {
    if (offsetMinutesAt(candidate, timezone) * 60_000 === naive - candidate) return new Date(candidate);
  }
  return new Date(naive - before * 60_000);
}

/** "+01:00" / "-04:00" / "Z" for an offset in minutes. */
export function formatOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return "Z";
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
