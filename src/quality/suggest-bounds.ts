import type { WeirType } from "../core/types.js";

/**
 * Bounds a suggested suite can live with: the profiled range widened by a share of itself
 * and rounded outward to a round number, so the next batch — a little larger, a little
 * smaller — still passes, while a value far outside (a typo, a unit change) fails. A
 * column with no negative value keeps 0 as its floor.
 *
 * @example
 * tolerantRange(13, 99, { integer: true }); // { min: 4, max: 108 }
 * tolerantRange(0.5, 999.99, { integer: false }); // { min: 0, max: 1100 }
 */
export function tolerantRange(
  min: number,
  max: number,
  options: { integer: boolean; tolerance?: number },
): { min: number; max: number } {
  const tolerance = options.tolerance ?? 0.1;
  const spread = max - min;
  const margin =
    spread > 0 ? spread * tolerance : Math.max(Math.abs(max) * tolerance, options.integer ? 1 : 0.1);
  let step = 10 ** Math.floor(Math.log10(margin));
  if (options.integer) step = Math.max(1, step);
  let low = Math.floor((min - margin) / step) * step;
  const high = Math.ceil((max + margin) / step) * step;
  if (min >= 0 && low < 0) low = 0;
  return { min: clean(low), max: clean(high) };
}

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

/**
 * A date range for a date or timestamp column, as ISO days (which both engines compare
 * with dates and timestamps): from the earliest day seen less a tenth of the span (at least
 * a day), to a year past the later of the latest day seen and the day of the profile — new
 * batches bring later dates, a far-future typo (2204) does not pass. Undefined when the
 * profile's text cannot be read as a date.
 *
 * @example
 * dateRange("2024-01-01", "2024-01-31 10:00:00", new Date("2024-02-01")); // { min: "2023-12-29", max: "2025-01-31" }
 */
export function dateRange(
  min: string,
  max: string,
  profiledAt: Date,
): { min: string; max: string } | undefined {
  const first = dayOf(min);
  const last = dayOf(max);
  if (first === undefined || last === undefined) return undefined;
  const margin = Math.max(DAY_MS, Math.ceil(((last - first) * 0.1) / DAY_MS) * DAY_MS);
  const today = Math.floor(profiledAt.getTime() / DAY_MS) * DAY_MS;
  return { min: isoDay(first - margin), max: isoDay(Math.max(last, today) + YEAR_MS) };
}

export const DATE_TYPES: readonly WeirType[] = ["date", "timestamp", "timestamptz"];

/** Midnight UTC of the day an engine's date/timestamp text names. */
function dayOf(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isFinite(t) ? t : undefined;
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** 0.30000000000000004 → 0.3: a bound is read by people. */
function clean(n: number): number {
  return Number(n.toPrecision(12));
}

/**
 * The `mostly` that tolerates about twice the share of bad values seen (`rate`), floored to
 * two decimals; undefined when more than half are bad (no expectation worth suggesting).
 *
 * @example
 * mostlyFor(0.02); // 0.96
 */
export function mostlyFor(rate: number): number | undefined {
  if (rate > 0.5) return undefined;
  return Math.max(0.01, Math.floor((1 - 2 * rate) * 100 + 1e-9) / 100);
}
