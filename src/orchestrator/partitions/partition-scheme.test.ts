import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { partitionScheme } from "./partition-scheme.js";

const d = (iso: string) => new Date(iso);
const range = (r: { start: Date; end: Date }) => [r.start.toISOString(), r.end.toISOString()];

describe("daily partitions", () => {
  it("in UTC: keys are dates, ranges are 24 hours, Feb 29 2024 exists", () => {
    const days = partitionScheme("daily");
    expect(days.keyOf(d("2024-02-29T23:59:59.999Z"))).toBe("2024-02-29");
    expect(range(days.rangeOf("2024-02-29"))).toEqual([
      "2024-02-29T00:00:00.000Z",
      "2024-03-01T00:00:00.000Z",
    ]);
    expect(days.keysBetween(d("2024-02-28T00:00:00Z"), d("2024-03-02T00:00:00Z"))).toEqual([
      "2024-02-28",
      "2024-02-29",
      "2024-03-01",
    ]);
  });

  it("in Berlin: local days, 23 hours on spring-forward and 25 on fall-back", () => {
    const days = partitionScheme({ grain: "daily", timezone: "Europe/Berlin" });
    expect(days.keyOf(d("2024-03-30T23:30:00Z"))).toBe("2024-03-31");
    expect(range(days.rangeOf("2024-03-31"))).toEqual([
      "2024-03-30T23:00:00.000Z",
      "2024-03-31T22:00:00.000Z",
    ]);
    expect(range(days.rangeOf("2024-10-27"))).toEqual([
      "2024-10-26T22:00:00.000Z",
      "2024-10-27T23:00:00.000Z",
    ]);
  });

  it("in New York across both DST days", () => {
    const days = partitionScheme({ grain: "daily", timezone: "America/New_York" });
    const hours = (key: string) => {
      const r = days.rangeOf(key);
      return (r.end.getTime() - r.start.getTime()) / 3_600_000;
    };
    expect([hours("2024-03-09"), hours("2024-03-10"), hours("2024-11-03"), hours("2024-11-04")]).toEqual([
      24, 23, 25, 24,
    ]);
    expect(days.partitionOf(d("2024-11-04T04:59:59Z"))).toEqual({
      key: "2024-11-03",
      start: d("2024-11-03T04:00:00Z"),
      end: d("2024-11-04T05:00:00Z"),
    });
  });

  it("partitions tile time: each end is the next start, every instant in exactly one", () => {
    const days = partitionScheme({ grain: "daily", timezone: "America/New_York" });
    const parts = days.partitionsBetween(d("2024-01-01T05:00:00Z"), d("2025-01-01T05:00:00Z"));
    expect(parts).toHaveLength(366);
    for (let i = 1; i < parts.length; i++) expect(parts[i]?.start).toEqual(parts[i - 1]?.end);
    for (const p of parts) expect(days.keyOf(p.start)).toBe(p.key);
  });
});

describe("monthly partitions", () => {
  it("from Jan 31 2024: February has 29 days", () => {
    const months = partitionScheme("monthly");
    expect(months.keyOf(d("2024-01-31T12:00:00Z"))).toBe("2024-01");
    const feb = months.rangeOf("2024-02");
    expect(range(feb)).toEqual(["2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"]);
    expect((feb.end.getTime() - feb.start.getTime()) / 86_400_000).toBe(29);
    expect(
      (months.rangeOf("2023-02").end.getTime() - months.rangeOf("2023-02").start.getTime()) / 86_400_000,
    ).toBe(28);
    expect(months.keysBetween(d("2024-01-31T00:00:00Z"), d("2024-04-01T00:00:00Z"))).toEqual([
      "2024-01",
      "2024-02",
      "2024-03",
    ]);
    expect(range(months.rangeOf("2024-12"))).toEqual([
      "2024-12-01T00:00:00.000Z",
      "2025-01-01T00:00:00.000Z",
    ]);
  });

  it("in Berlin: months start at local midnight", () => {
    const months = partitionScheme({ grain: "monthly", timezone: "Europe/Berlin" });
    expect(range(months.rangeOf("2024-03"))).toEqual([
      "2024-02-29T23:00:00.000Z",
      "2024-03-31T22:00:00.000Z",
    ]);
    expect(months.keyOf(d("2024-02-29T23:00:00Z"))).toBe("2024-03");
  });
});

describe("hourly partitions", () => {
  it("in UTC: ISO keys with Z", () => {
    const hours = partitionScheme("hourly");
    expect(hours.keyOf(d("2024-03-10T05:59:59Z"))).toBe("2024-03-10T05:00Z");
    expect(range(hours.rangeOf("2024-03-10T05:00Z"))).toEqual([
      "2024-03-10T05:00:00.000Z",
      "2024-03-10T06:00:00.000Z",
    ]);
    expect(hours.keysBetween(d("2024-03-10T05:30:00Z"), d("2024-03-10T07:00:00Z"))).toEqual([
      "2024-03-10T05:00Z",
      "2024-03-10T06:00Z",
    ]);
  });

  it("in New York: the fall-back day has 25 distinct keys, the two 01:00 hours told apart by offset", () => {
    const hours = partitionScheme({ grain: "hourly", timezone: "America/New_York" });
    const keys = hours.keysBetween(d("2024-11-03T04:00:00Z"), d("2024-11-04T05:00:00Z"));
    expect(keys).toHaveLength(25);
    expect(new Set(keys).size).toBe(25);
    expect(keys.slice(0, 4)).toEqual([
      "2024-11-03T00:00-04:00",
      "2024-11-03T01:00-04:00",
      "2024-11-03T01:00-05:00",
      "2024-11-03T02:00-05:00",
    ]);
    expect(range(hours.rangeOf("2024-11-03T01:00-05:00"))).toEqual([
      "2024-11-03T06:00:00.000Z",
      "2024-11-03T07:00:00.000Z",
    ]);
    // Without an offset, an ambiguous hour means the first one.
    expect(range(hours.rangeOf("2024-11-03T01:00"))).toEqual([
      "2024-11-03T05:00:00.000Z",
      "2024-11-03T06:00:00.000Z",
    ]);
  });

  it("in New York: the spring-forward day has 23 keys and no 02:00", () => {
    const hours = partitionScheme({ grain: "hourly", timezone: "America/New_York" });
    const keys = hours.keysBetween(d("2024-03-10T05:00:00Z"), d("2024-03-11T04:00:00Z"));
    expect(keys).toHaveLength(23);
    expect(keys.slice(1, 3)).toEqual(["2024-03-10T01:00-05:00", "2024-03-10T03:00-04:00"]);
    expect(() => hours.rangeOf("2024-03-10T02:00-05:00")).toThrow(/no such hour in America\/New_York/);
    expect(() => hours.rangeOf("2024-03-10T02:00")).toThrow(/no such hour/);
  });

  it("in Kolkata (+05:30): hours start at :30 UTC", () => {
    const hours = partitionScheme({ grain: "hourly", timezone: "Asia/Kolkata" });
    expect(hours.keyOf(d("2024-01-01T00:10:00Z"))).toBe("2024-01-01T05:00+05:30"); // 05:40 local
    expect(hours.partitionOf(d("2024-01-01T00:10:00Z")).start.toISOString()).toBe("2023-12-31T23:30:00.000Z");
    expect(range(hours.rangeOf("2024-01-01T00:00+05:30"))).toEqual([
      "2023-12-31T18:30:00.000Z",
      "2023-12-31T19:30:00.000Z",
    ]);
  });

  it("rejects a key whose offset does not belong to the zone at that time", () => {
    const hours = partitionScheme({ grain: "hourly", timezone: "Europe/Berlin" });
    expect(hours.rangeOf("2024-07-01T12:00+02:00").start.toISOString()).toBe("2024-07-01T10:00:00.000Z");
    expect(() => hours.rangeOf("2024-07-01T12:00+01:00")).toThrow(/no such hour in Europe\/Berlin/);
  });
});

describe("partition scheme errors", () => {
  it("rejects unknown grains and time zones", () => {
    expect(() => partitionScheme("weekly" as never)).toThrow(
      /partition grain "weekly" is unknown: expected hourly, daily, monthly/,
    );
    expect(() => partitionScheme({ grain: "daily", timezone: "Nowhere/Land" })).toThrow(
      /partition timezone "Nowhere\/Land"/,
    );
  });

  it.each([
    ["daily", "2024-02-30", /invalid daily partition key "2024-02-30" \(UTC\): no such date/],
    ["daily", "2023-02-29", /no such date/],
    ["daily", "2024-3-1", /expected "YYYY-MM-DD"/],
    ["monthly", "2024-13", /no such date/],
    ["monthly", "2024-03-01", /expected "YYYY-MM"/],
    ["hourly", "2024-03-10T24:00Z", /no such date or hour/],
    ["hourly", "2024-03-10 05:00", /expected "YYYY-MM-DDTHH:00"/],
    ["hourly", "2024-03-10T05:30Z", /expected/],
  ] as const)("%s rejects key %j", (grain, key, message) => {
    expect(() => partitionScheme(grain).rangeOf(key)).toThrow(ConfigError);
    expect(() => partitionScheme(grain).rangeOf(key)).toThrow(message);
  });

  it("rejects invalid dates", () => {
    expect(() => partitionScheme("daily").keyOf(new Date("garbage"))).toThrow(/expected a valid Date/);
  });
});
