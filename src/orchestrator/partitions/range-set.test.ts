import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { RangeSet } from "./range-set.js";

const H = 3_600_000;
const T0 = Date.parse("2015-01-01T00:00:00Z");
const pairs = (set: RangeSet) => set.ranges().map((r) => [r.start.getTime(), r.end.getTime()]);

describe("RangeSet basics", () => {
  it("merges overlapping and touching ranges, keeps apart disjoint ones", () => {
    const set = new RangeSet().add(10, 20).add(30, 40);
    expect(pairs(set)).toEqual([
      [10, 20],
      [30, 40],
    ]);
    set.add(20, 30); // touches both: one range
    expect(pairs(set)).toEqual([[10, 40]]);
    set.add(5, 12).add(38, 50).add(60, 70).add(0, 1);
    expect(pairs(set)).toEqual([
      [0, 1],
      [5, 50],
      [60, 70],
    ]);
    set.add(0, 100); // swallows everything
    expect(pairs(set)).toEqual([[0, 100]]);
  });

  it("ignores empty ranges and rejects backwards or invalid ones", () => {
    expect(new RangeSet().add(5, 5).isEmpty).toBe(true);
    expect(() => new RangeSet().add(10, 5)).toThrow(ConfigError);
    expect(() => new RangeSet().add(10, 5)).toThrow(/time range is backwards/);
    expect(() => new RangeSet().add(new Date("nope"), 5)).toThrow(/must be valid dates/);
  });

  it("answers has() with half-open semantics", () => {
    const set = new RangeSet().add(10, 20).add(30, 40);
    expect([9, 10, 19, 20, 25, 30, 39, 40].map((t) => set.has(t))).toEqual([
      false,
      true,
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
    expect(new RangeSet().has(0)).toBe(false);
  });

  it("answers covers() for whole sub-ranges only", () => {
    const set = new RangeSet().add(10, 20).add(30, 40);
    expect(set.covers(10, 20)).toBe(true);
    expect(set.covers(12, 18)).toBe(true);
    expect(set.covers(15, 35)).toBe(false); // spans the hole
    expect(set.covers(5, 15)).toBe(false);
    expect(set.covers(25, 25)).toBe(true); // the empty range
  });

  it("lists what is missing in a window", () => {
    const set = new RangeSet().add(10, 20).add(30, 40);
    const missing = (from: number, to: number) =>
      set.missing(from, to).map((r) => [r.start.getTime(), r.end.getTime()]);
    expect(missing(0, 50)).toEqual([
      [0, 10],
      [20, 30],
      [40, 50],
    ]);
    expect(missing(12, 35)).toEqual([[20, 30]]);
    expect(missing(10, 20)).toEqual([]);
    expect(missing(21, 29)).toEqual([[21, 29]]);
    expect(new RangeSet().missing(1, 2).map((r) => [r.start.getTime(), r.end.getTime()])).toEqual([[1, 2]]);
  });

  it("removes ranges, splitting the one that contains them", () => {
    const set = new RangeSet().add(0, 100);
    set.remove(40, 50);
    expect(pairs(set)).toEqual([
      [0, 40],
      [50, 100],
    ]);
    set.remove(30, 60);
    expect(pairs(set)).toEqual([
      [0, 30],
      [60, 100],
    ]);
    set.remove(-10, 5).remove(95, 200).remove(200, 300);
    expect(pairs(set)).toEqual([
      [5, 30],
      [60, 95],
    ]);
    set.remove(0, 1000);
    expect(set.isEmpty).toBe(true);
  });

  it("accepts Dates and epoch milliseconds alike", () => {
    const set = new RangeSet().add(new Date(T0), T0 + H);
    expect(set.has(new Date(T0 + 1))).toBe(true);
    expect(set.totalMs).toBe(H);
  });

  it("clones independently", () => {
    const a = new RangeSet().add(0, 10);
    const b = a.clone().add(10, 20);
    expect(pairs(a)).toEqual([[0, 10]]);
    expect(pairs(b)).toEqual([[0, 20]]);
  });
});

describe("RangeSet serialisation", () => {
  it("round-trips through JSON as ISO pairs", () => {
    const set = new RangeSet().add(T0, T0 + H).add(T0 + 3 * H, T0 + 5 * H);
    const json = JSON.stringify(set);
    expect(JSON.parse(json)).toEqual([
      ["2015-01-01T00:00:00.000Z", "2015-01-01T01:00:00.000Z"],
      ["2015-01-01T03:00:00.000Z", "2015-01-01T05:00:00.000Z"],
    ]);
    expect(pairs(RangeSet.fromJSON(JSON.parse(json)))).toEqual(pairs(set));
  });

  it("reads epoch milliseconds, merges unsorted input", () => {
    expect(
      pairs(
        RangeSet.fromJSON([
          [30, 40],
          [10, 20],
          [20, 30],
        ]),
      ),
    ).toEqual([[10, 40]]);
  });

  it("rejects malformed stored values, naming the source and item", () => {
    const what = 'materialised partitions of "lake.raw.orders"';
    expect(() => RangeSet.fromJSON({}, what)).toThrow(
      /materialised partitions of "lake.raw.orders" must be an array/,
    );
    expect(() => RangeSet.fromJSON([[1]], what)).toThrow(/item 0 must be a \[start, end\] pair/);
    expect(() =>
      RangeSet.fromJSON(
        [
          [1, 2],
          ["x", 3],
        ],
        what,
      ),
    ).toThrow(/item 1: "x" is not an ISO timestamp/);
    expect(() => RangeSet.fromJSON([[5, 1]], what)).toThrow(/backwards/);
  });
});

describe("RangeSet at scale: 100k+ hourly partitions", () => {
  const N = 120_000; // ~13.7 years of hours

  it("keeps 120,000 contiguous hourly partitions as one range, in any insertion order", () => {
    const inOrder = new RangeSet();
    for (let i = 0; i < N; i++) inOrder.add(T0 + i * H, T0 + (i + 1) * H);
    expect(inOrder.size).toBe(1);
    expect(inOrder.totalMs).toBe(N * H);

    // Reverse and interleaved (evens, then odds) orders: the worst cases for merging.
    const reversed = new RangeSet();
    for (let i = N - 1; i >= 0; i--) reversed.add(T0 + i * H, T0 + (i + 1) * H);
    expect(reversed.size).toBe(1);
    const interleaved = new RangeSet();
    for (let i = 0; i < N; i += 2) interleaved.add(T0 + i * H, T0 + (i + 1) * H);
    expect(interleaved.size).toBe(N / 2); // every other hour: holes in between
    for (let i = 1; i < N; i += 2) interleaved.add(T0 + i * H, T0 + (i + 1) * H);
    expect(interleaved.size).toBe(1);
  });

  it("stores a handful of ranges for 100k partitions with a few holes, and finds exactly the holes", () => {
    const set = new RangeSet();
    const holes = new Set([17, 5_000, 5_001, 77_777, 119_999]);
    for (let i = 0; i < N; i++) if (!holes.has(i)) set.add(T0 + i * H, T0 + (i + 1) * H);
    expect(set.size).toBe(4); // [0,17) [18,5000) [5002,77777) [77778,119999)
    const json = JSON.stringify(set);
    expect(json.length).toBeLessThan(400); // four ISO pairs, not 100k keys
    const missing = set
      .missing(T0, T0 + N * H)
      .map((r) => [(r.start.getTime() - T0) / H, (r.end.getTime() - T0) / H]);
    expect(missing).toEqual([
      [17, 18],
      [5_000, 5_002],
      [77_777, 77_778],
      [119_999, 120_000],
    ]);
    expect(set.has(T0 + 5_000 * H)).toBe(false);
    expect(set.has(T0 + 5_002 * H)).toBe(true);
    expect(RangeSet.fromJSON(JSON.parse(json)).size).toBe(4);
  });

  it("does lookups by binary search: has() touches O(log n) ranges", () => {
    // 50,000 disjoint ranges (every other hour); count array reads through a proxy-free probe:
    // a lookup that scanned linearly would be visible as a huge number of comparisons.
    const set = new RangeSet();
    for (let i = 0; i < 100_000; i += 2) set.add(T0 + i * H, T0 + (i + 1) * H);
    expect(set.size).toBe(50_000);
    let comparisons = 0;
    const starts = (set as unknown as { starts: number[] }).starts;
    const counted = new Proxy(starts, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) comparisons++;
        return Reflect.get(target, key, receiver);
      },
    });
    (set as unknown as { starts: number[] }).starts = counted;
    expect(set.has(T0 + 77_776 * H + 1)).toBe(true);
    expect(set.has(T0 + 77_777 * H + 1)).toBe(false);
    expect(comparisons).toBeLessThanOrEqual(2 * 17 + 4); // two lookups of ⌈log2 50,000⌉ = 16–17 steps
  });
});
