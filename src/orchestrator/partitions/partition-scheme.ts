import { ConfigError } from "../../core/errors.js";
import type { DataInterval } from "../../core/interval.js";
import {
  assertTimezone,
  formatOffset,
  pad2,
  UTC,
  zonedParts,
  zonedToInstant,
} from "../schedule/zoned-time.js";

export type PartitionGrain = "hourly" | "daily" | "monthly";

export const PARTITION_GRAINS: readonly PartitionGrain[] = ["hourly", "daily", "monthly"];

/** One time partition: its key and the half-open interval `[start, end)` it holds. */
export interface TimePartition {
  key: string;
  start: Date;
  end: Date;
}

export interface PartitionSchemeOptions {
  grain: PartitionGrain;
  /** IANA time zone whose hours, days and months the partitions follow; default "UTC". */
  timezone?: string;
  /** Names the setting in errors, e.g. `pipeline "orders" partitions`. Default "partition grain". */
  what?: string;
}

/**
 * How a dataset's time is cut into partitions: hours, days or months of the wall clock in a
 * time zone. Keys: daily `"2024-03-10"`, monthly `"2024-03"`, hourly an ISO timestamp with
 * offset, `"2024-03-10T05:00Z"` or `"2024-11-03T01:00-04:00"` — the offset keeps the two
 * 01:00 hours of a fall-back day apart. Local days are 23 or 25 hours long on DST days.
 */
export interface PartitionScheme {
  readonly grain: PartitionGrain;
  readonly timezone: string;
  /** Key of the partition containing `date`. */
  keyOf(date: Date): string;
  /** The interval a key stands for; throws a `ConfigError` for a malformed or impossible key. */
  rangeOf(key: string): DataInterval;
  /** The partition containing `date`. */
  partitionOf(date: Date): TimePartition;
  /** Keys of the partitions overlapping `[from, to)`, oldest first. */
  keysBetween(from: Date, to: Date): string[];
  /** The partitions overlapping `[from, to)`, oldest first. */
  partitionsBetween(from: Date, to: Date): TimePartition[];
}

const HOUR_MS = 3_600_000;
const MONTH_KEY = /^(\d{4})-(\d{2})$/;
const DAY_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;
const HOUR_KEY = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):00(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Creates a time partition scheme.
 *
 * @example
 * const days = partitionScheme({ grain: "daily", timezone: "Europe/Berlin" });
 * days.keyOf(new Date("2024-03-30T23:30:00Z")); // "2024-03-31" (already the 31st in Berlin)
 * days.rangeOf("2024-03-31"); // 2024-03-30T23:00Z → 2024-03-31T22:00Z (23 hours: DST starts)
 */
export function partitionScheme(options: PartitionSchemeOptions | PartitionGrain): PartitionScheme {
  const { grain, timezone } = typeof options === "string" ? { grain: options, timezone: undefined } : options;
  if (!PARTITION_GRAINS.includes(grain)) {
    throw new ConfigError(
      `partition grain ${JSON.stringify(grain)} is unknown: expected ${PARTITION_GRAINS.join(", ")}`,
    );
  }
  return new TimePartitionScheme(grain, assertTimezone(timezone ?? UTC, "partition timezone"));
}

class TimePartitionScheme implements PartitionScheme {
  constructor(
    readonly grain: PartitionGrain,
    readonly timezone: string,
  ) {}

  keyOf(date: Date): string {
    return this.keyAtStart(this.floor(checkDate(date)));
  }

  partitionOf(date: Date): TimePartition {
    const start = this.floor(checkDate(date));
    return { key: this.keyAtStart(start), start: new Date(start), end: new Date(this.nextStart(start)) };
  }

  rangeOf(key: string): DataInterval {
    const start = this.startOfKey(key);
    return { start: new Date(start), end: new Date(this.nextStart(start)) };
  }

  keysBetween(from: Date, to: Date): string[] {
    return this.partitionsBetween(from, to).map((p) => p.key);
  }

  partitionsBetween(from: Date, to: Date): TimePartition[] {
    const end = checkDate(to).getTime();
    const partitions: TimePartition[] = [];
    for (let start = this.floor(checkDate(from)); start < end; ) {
      const next = this.nextStart(start);
      partitions.push({ key: this.keyAtStart(start), start: new Date(start), end: new Date(next) });
      start = next;
    }
    return partitions;
  }

  /** Start (epoch ms) of the partition containing `date`. */
  floor(date: Date): number {
    const t = date.getTime();
    const p = zonedParts(t, this.timezone);
    switch (this.grain) {
      case "hourly":
        // The local hour started minute:second ago, whatever the offset (whole or half hours).
        return t - (p.minute * 60 + p.second) * 1000 - (((t % 1000) + 1000) % 1000);
      case "daily":
        return zonedToInstant({ year: p.year, month: p.month, day: p.day }, this.timezone).getTime();
      case "monthly":
        return zonedToInstant({ year: p.year, month: p.month }, this.timezone).getTime();
    }
  }

  /** Start of the partition after the one starting at `start`. */
  nextStart(start: number): number {
    if (this.grain === "hourly") return this.floor(new Date(start + HOUR_MS));
    const p = zonedParts(start, this.timezone);
    const wall =
      this.grain === "daily"
        ? { year: p.year, month: p.month, day: p.day + 1 }
        : { year: p.year, month: p.month + 1 };
    return zonedToInstant(wall, this.timezone).getTime();
  }

  private keyAtStart(start: number): string {
    const p = zonedParts(start, this.timezone);
    const month = `${p.year}-${pad2(p.month)}`;
    if (this.grain === "monthly") return month;
    const day = `${month}-${pad2(p.day)}`;
    if (this.grain === "daily") return day;
    return `${day}T${pad2(p.hour)}:00${formatOffset(p.offsetMinutes)}`;
  }

  private startOfKey(key: string): number {
    if (typeof key !== "string") throw this.keyError(key, "not a string");
    const pattern = this.grain === "monthly" ? MONTH_KEY : this.grain === "daily" ? DAY_KEY : HOUR_KEY;
    const m = pattern.exec(key);
    if (!m) throw this.keyError(key, `expected ${EXAMPLE_KEYS[this.grain]}`);
    const year = Number(m[1]);
    const month = Number(m[2]);
    const day = m[3] === undefined ? 1 : Number(m[3]);
    const hour = m[4] === undefined ? 0 : Number(m[4]);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23) {
      throw this.keyError(key, "no such date or hour");
    }
    let start: number;
    if (m[5] !== undefined) {
      const offset = m[5] === "Z" ? 0 : parseOffset(m[5]);
      start = Date.UTC(year, month - 1, day, hour) - offset * 60_000;
    } else {
      start = zonedToInstant({ year, month, day, hour }, this.timezone).getTime();
    }
    // Round trip: catches hours that do not exist in the zone (DST gap) and wrong offsets.
    // Keys without an offset are accepted for hourly too, meaning the first such hour.
    const canonical = this.keyAtStart(start);
    if (
      this.floor(new Date(start)) !== start ||
      (canonical !== key && m[5] !== undefined) ||
      !canonical.startsWith(key.slice(0, 13))
    ) {
      throw this.keyError(key, `no such ${this.grain === "hourly" ? "hour" : "day"} in ${this.timezone}`);
    }
    return start;
  }

  private keyError(key: unknown, problem: string): ConfigError {
    return new ConfigError(
      `invalid ${this.grain} partition key ${JSON.stringify(key)} (${this.timezone}): ${problem}`,
      {
        details: { key, grain: this.grain, timezone: this.timezone },
      },
    );
  }
}

const EXAMPLE_KEYS: Record<PartitionGrain, string> = {
  hourly: `"YYYY-MM-DDTHH:00" with an offset such as "Z" or "+01:00"`,
  daily: `"YYYY-MM-DD"`,
  monthly: `"YYYY-MM"`,
};

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function parseOffset(text: string): number {
  const sign = text.startsWith("-") ? -1 : 1;
  return sign * (Number(text.slice(1, 3)) * 60 + Number(text.slice(4, 6)));
}

function checkDate(date: Date): Date {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw new ConfigError(`expected a valid Date, got ${String(date)}`);
  }
  return date;
}
