import { ConfigError } from "../../core/errors.js";

/** A half-open time range `[start, end)`. */
export interface TimeRange {
  start: Date;
  end: Date;
}

type Instant = Date | number;

function ms(value: Instant): number {
  return typeof value === "number" ? value : value.getTime();
}

/**
 * A set of instants kept as sorted, disjoint, merged half-open ranges `[start, end)`. Adding
 * the 100,000 hourly partitions of eleven years one by one leaves one range, so "which
 * partitions are materialised" costs space in proportion to the holes, not to the history.
 * Adding, removing and lookups binary-search the range list: O(log n) plus the ranges merged.
 *
 * @example
 * const done = new RangeSet().add(jan1, jan2).add(jan2, jan3); // one range [jan1, jan3)
 * done.missing(jan1, jan5); // [{ start: jan3, end: jan5 }]
 * RangeSet.fromJSON(JSON.parse(JSON.stringify(done))).size; // 1
 */
export class RangeSet {
  // Parallel arrays of epoch milliseconds: starts[i] < ends[i] <= starts[i + 1] - 1 (never touching).
  private starts: number[] = [];
  private ends: number[] = [];

  /** Builds a set from ranges in any order, overlapping or not. */
  static of(ranges: Iterable<{ start: Instant; end: Instant }>): RangeSet {
    const set = new RangeSet();
    for (const range of ranges) set.add(range.start, range.end);
    return set;
  }

  /**
   * Reads what `toJSON` wrote: `[[start, end], …]` with ISO strings or epoch milliseconds.
   * `what` names the source in errors (e.g. `materialised partitions of "lake.raw.orders"`).
   */
  static fromJSON(value: unknown, what = "range set"): RangeSet {
    if (!Array.isArray(value))
      throw new ConfigError(`${what} must be an array of [start, end] pairs, got ${typeof value}`);
    const set = new RangeSet();
    for (const [index, pair] of value.entries()) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new ConfigError(
          `${what}: item ${index} must be a [start, end] pair, got ${JSON.stringify(pair)}`,
        );
      }
      const [start, end] = pair.map((v: unknown) => instantFrom(v, `${what}: item ${index}`));
      set.add(start as number, end as number);
    }
    return set;
  }

  /** Number of disjoint ranges stored (what storage costs), not the number of instants covered. */
  get size(): number {
    return this.starts.length;
  }

  get isEmpty(): boolean {
    return this.starts.length === 0;
  }

  /** Total milliseconds covered. */
  get totalMs(): number {
    let total = 0;
    for (let i = 0; i < this.starts.length; i++)
      total += (this.ends[i] as number) - (this.starts[i] as number);
    return total;
  }

  /** Adds `[start, end)`, merging with ranges it overlaps or touches. Empty ranges are ignored. */
  add(start: Instant, end: Instant): this {
    const s = ms(start);
    const e = ms(end);
    checkRange(s, e);
    if (s === e) return this;
    // First range whose end reaches s (touching merges), last range whose start is at most e.
    const first = this.firstEndingAtOrAfter(s);
    const last = this.lastStartingAtOrBefore(e);
    if (first > last) {
      this.starts.splice(first, 0, s);
      this.ends.splice(first, 0, e);
      return this;
    }
    const mergedStart = Math.min(s, this.starts[first] as number);
    const mergedEnd = Math.max(e, this.ends[last] as number);
    this.starts.splice(first, last - first + 1, mergedStart);
    this.ends.splice(first, last - first + 1, mergedEnd);
    return this;
  }

  /** Removes `[start, end)`, splitting a range that contains it (e.g. a partition to rebuild). */
  remove(start: Instant, end: Instant): this {
    const s = ms(start);
    const e = ms(end);
    checkRange(s, e);
    if (s === e) return this;
    const first = this.firstEndingAfter(s);
    const last = this.lastStartingBefore(e);
    if (first > last) return this;
    const keepStarts: number[] = [];
    const keepEnds: number[] = [];
    const firstStart = this.starts[first] as number;
    const lastEnd = this.ends[last] as number;
    if (firstStart < s) {
      keepStarts.push(firstStart);
      keepEnds.push(s);
    }
    if (lastEnd > e) {
      keepStarts.push(e);
      keepEnds.push(lastEnd);
    }
    this.starts.splice(first, last - first + 1, ...keepStarts);
    this.ends.splice(first, last - first + 1, ...keepEnds);
    return this;
  }

  /** True when instant `t` lies in a range. */
  has(t: Instant): boolean {
    const i = this.lastStartingAtOrBefore(ms(t));
    return i >= 0 && ms(t) < (this.ends[i] as number);
  }

  /** True when all of `[start, end)` is covered (by a single range, since ranges never touch). */
  covers(start: Instant, end: Instant): boolean {
    const s = ms(start);
    const e = ms(end);
    checkRange(s, e);
    if (s === e) return true;
    const i = this.lastStartingAtOrBefore(s);
    return i >= 0 && e <= (this.ends[i] as number);
  }

  /** The stored ranges, oldest first. */
  ranges(): TimeRange[] {
    return this.starts.map((s, i) => ({ start: new Date(s), end: new Date(this.ends[i] as number) }));
  }

  /** The parts of `[from, to)` not covered, oldest first: what a backfill has to fill. */
  missing(from: Instant, to: Instant): TimeRange[] {
    const f = ms(from);
    const t = ms(to);
    checkRange(f, t);
    const gaps: TimeRange[] = [];
    let cursor = f;
    for (let i = Math.max(0, this.firstEndingAfter(f)); i < this.starts.length && cursor < t; i++) {
      const s = this.starts[i] as number;
      if (s >= t) break;
      if (s > cursor) gaps.push({ start: new Date(cursor), end: new Date(s) });
      cursor = Math.max(cursor, this.ends[i] as number);
    }
    if (cursor < t) gaps.push({ start: new Date(cursor), end: new Date(t) });
    return gaps;
  }

  /** A copy that can change independently. */
  clone(): RangeSet {
    const copy = new RangeSet();
    copy.starts = [...this.starts];
    copy.ends = [...this.ends];
    return copy;
  }

  /** `[[startISO, endISO], …]`: compact, readable in the metadata store, read back by `fromJSON`. */
  toJSON(): [string, string][] {
    return this.starts.map((s, i) => [
      new Date(s).toISOString(),
      new Date(this.ends[i] as number).toISOString(),
    ]);
  }

  // Binary searches over the sorted arrays; each returns an index in [-1, length].

  private firstEndingAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ends[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private firstEndingAfter(t: number): number {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.ends[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private lastStartingAtOrBefore(t: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as number) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private lastStartingBefore(t: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.starts[mid] as number) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

function checkRange(start: number, end: number): void {
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    throw new ConfigError(`time range bounds must be valid dates, got ${start} and ${end}`);
  }
  if (start > end) {
    throw new ConfigError(
      `time range is backwards: start ${new Date(start).toISOString()} is after end ${new Date(end).toISOString()}`,
    );
  }
}

function instantFrom(value: unknown, what: string): number {
  const t = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t))
    throw new ConfigError(`${what}: ${JSON.stringify(value)} is not an ISO timestamp or epoch milliseconds`);
  return t;
}
