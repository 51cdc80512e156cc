import { describe, expect, it } from "vitest";
import { markMaterialised, missingPartitions } from "./missing-partitions.js";
import { type PartitionScheme, partitionScheme } from "./partition-scheme.js";
import { RangeSet } from "./range-set.js";

const d = (iso: string) => new Date(iso);

/** Wraps a scheme to count how many partitions it enumerates: the work missingPartitions does. */
function counting(scheme: PartitionScheme): PartitionScheme & { enumerated: number } {
  const wrapper = Object.create(scheme) as PartitionScheme & { enumerated: number };
  wrapper.enumerated = 0;
  wrapper.partitionsBetween = (from, to) => {
    const parts = scheme.partitionsBetween(from, to);
    wrapper.enumerated += parts.length;
    return parts;
  };
  return wrapper;
}

describe("missingPartitions", () => {
  const days = partitionScheme("daily");

  it("lists the partitions with no materialisation, oldest first", () => {
    const done = new RangeSet();
    for (const key of ["2024-01-01", "2024-01-02", "2024-01-04"])
      markMaterialised(done, days.partitionOf(days.rangeOf(key).start));
    expect(done.size).toBe(2);
    const missing = missingPartitions(days, done, d("2024-01-01T00:00:00Z"), d("2024-01-07T00:00:00Z"));
    expect(missing.map((p) => p.key)).toEqual(["2024-01-03", "2024-01-05", "2024-01-06"]);
    expect(missing[0]).toEqual({
      key: "2024-01-03",
      start: d("2024-01-03T00:00:00Z"),
      end: d("2024-01-04T00:00:00Z"),
    });
  });

  it("counts a partially materialised partition as missing, once", () => {
    const done = new RangeSet()
      .add(d("2024-01-01T00:00:00Z"), d("2024-01-02T06:00:00Z"))
      .add(d("2024-01-02T08:00:00Z"), d("2024-01-02T09:00:00Z"));
    const missing = missingPartitions(days, done, d("2024-01-01T00:00:00Z"), d("2024-01-03T00:00:00Z"));
    expect(missing.map((p) => p.key)).toEqual(["2024-01-02"]);
  });

  it("widens a window that starts or ends inside a partition to whole partitions", () => {
    const missing = missingPartitions(
      days,
      new RangeSet(),
      d("2024-01-01T12:00:00Z"),
      d("2024-01-03T01:00:00Z"),
    );
    expect(missing.map((p) => p.key)).toEqual(["2024-01-01", "2024-01-02", "2024-01-03"]);
    expect(
      missingPartitions(days, new RangeSet(), d("2024-01-01T00:00:00Z"), d("2024-01-03T00:00:00Z")).map(
        (p) => p.key,
      ),
    ).toEqual(["2024-01-01", "2024-01-02"]);
  });

  it("is empty for an empty window and for a fully materialised one", () => {
    expect(
      missingPartitions(days, new RangeSet(), d("2024-01-02T00:00:00Z"), d("2024-01-01T00:00:00Z")),
    ).toEqual([]);
    const all = new RangeSet().add(d("2020-01-01T00:00:00Z"), d("2030-01-01T00:00:00Z"));
    expect(missingPartitions(days, all, d("2024-01-01T00:00:00Z"), d("2025-01-01T00:00:00Z"))).toEqual([]);
  });

  it("follows local days in a time zone (New York, fall-back day)", () => {
    const nyDays = partitionScheme({ grain: "daily", timezone: "America/New_York" });
    const done = new RangeSet();
    markMaterialised(done, {
      start: nyDays.rangeOf("2024-11-02").start,
      end: nyDays.rangeOf("2024-11-02").end,
    });
    markMaterialised(done, {
      start: nyDays.rangeOf("2024-11-04").start,
      end: nyDays.rangeOf("2024-11-04").end,
    });
    const missing = missingPartitions(
      nyDays,
      done,
      nyDays.rangeOf("2024-11-02").start,
      nyDays.rangeOf("2024-11-05").start,
    );
    expect(missing).toEqual([
      { key: "2024-11-03", start: d("2024-11-03T04:00:00Z"), end: d("2024-11-04T05:00:00Z") },
    ]);
  });

  it("plans a backfill over 100k+ hourly partitions by visiting only the holes", () => {
    const hours = counting(partitionScheme({ grain: "hourly", timezone: "Europe/Berlin" }));
    const from = d("2012-01-01T00:00:00Z");
    const all = hours.partitionsBetween(from, d("2025-01-01T00:00:00Z"));
    expect(all.length).toBeGreaterThan(113_000);
    hours.enumerated = 0;
    const done = new RangeSet();
    // Materialise every hour except three single hours and one day around a DST change.
    const skip = new Set(["2013-05-05T10:00+02:00", "2020-02-29T23:00+01:00", "2025-01-01T00:00+01:00"]);
    const dstDay = partitionScheme({ grain: "daily", timezone: "Europe/Berlin" }).rangeOf("2024-10-27");
    for (const p of all) {
      if (skip.has(p.key)) continue;
      if (p.start >= dstDay.start && p.end <= dstDay.end) continue;
      markMaterialised(done, p);
    }
    expect(done.size).toBe(4); // three single-hour holes and the 25-hour hole, in between four ranges
    expect(JSON.stringify(done).length).toBeLessThan(400);

    const missing = missingPartitions(hours, done, from, d("2025-01-01T00:00:00Z"));
    expect(missing.map((p) => p.key)).toEqual([
      "2013-05-05T10:00+02:00",
      "2020-02-29T23:00+01:00",
      ...hours.keysBetween(dstDay.start, dstDay.end),
      "2025-01-01T00:00+01:00", // the last hour before 2025-01-01T00:00Z
    ]);
    expect(missing).toHaveLength(3 + 25);
    // The work: the partitions of the holes (plus the wrapper's keysBetween above), not 113k.
    expect(hours.enumerated).toBe(28 + 25);
  });

  it("refuses to list more than `max` partitions", () => {
    const hours = partitionScheme("hourly");
    expect(() =>
      missingPartitions(hours, new RangeSet(), d("2024-01-01T00:00:00Z"), d("2024-02-01T00:00:00Z"), {
        max: 100,
      }),
    ).toThrow(
      /more than 100 hourly partitions are missing between 2024-01-01T00:00:00.000Z and 2024-02-01T00:00:00.000Z: narrow the range/,
    );
  });
});
