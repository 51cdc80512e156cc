import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { assertTimezone, formatOffset, zonedParts, zonedToInstant } from "./zoned-time.js";

describe("zonedParts", () => {
  it("reads the wall clock and offset in a zone", () => {
    expect(zonedParts(new Date("2024-07-01T12:34:56Z"), "Europe/Berlin")).toEqual({
      year: 2024,
      month: 7,
      day: 1,
      hour: 14,
      minute: 34,
      second: 56,
      offsetMinutes: 120,
    });
    expect(zonedParts(new Date("2024-01-01T00:30:00Z"), "America/New_York")).toMatchObject({
      year: 2023,
      month: 12,
      day: 31,
      hour: 19,
      offsetMinutes: -300,
    });
    expect(zonedParts(new Date("2024-01-01T00:00:00Z"), "Asia/Kolkata").offsetMinutes).toBe(330);
  });

  it("tells the two 01:30s of the New York fall-back day apart by their offset", () => {
    expect(zonedParts(new Date("2024-11-03T05:30:00Z"), "America/New_York")).toMatchObject({
      hour: 1,
      offsetMinutes: -240,
    });
    expect(zonedParts(new Date("2024-11-03T06:30:00Z"), "America/New_York")).toMatchObject({
      hour: 1,
      offsetMinutes: -300,
    });
  });
});

describe("zonedParts against Intl directly", () => {
  it("agrees every hour of 2024, and at a sample of quarter hours, in zones with odd offsets and DST rules", () => {
    for (const timezone of [
      "America/New_York",
      "Europe/Berlin",
      "Australia/Lord_Howe",
      "America/Santiago",
      "Asia/Kolkata",
    ]) {
      const intl = new Intl.DateTimeFormat("en-US", {
        timeZone: timezone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
      });
      const start = Date.parse("2024-01-01T00:00:00Z");
      for (let t = start; t < start + 366 * 86_400_000; t += 15 * 60_000) {
        if ((t - start) % 3_600_000 !== 0 && t % 7 !== 0) continue; // hourly plus a sprinkling of quarter hours
        const p = zonedParts(t, timezone);
        const expected = Object.fromEntries(intl.formatToParts(t).map((x) => [x.type, x.value]));
        const got = { year: p.year, month: p.month, day: p.day, hour: p.hour, minute: p.minute };
        expect(got, `${timezone} ${new Date(t).toISOString()}`).toEqual({
          year: Number(expected.year),
          month: Number(expected.month),
          day: Number(expected.day),
          hour: Number(expected.hour),
          minute: Number(expected.minute),
        });
      }
    }
  });
});

describe("zonedToInstant", () => {
  it("converts ordinary wall times", () => {
    expect(zonedToInstant({ year: 2024, month: 7, day: 1, hour: 14 }, "Europe/Berlin").toISOString()).toBe(
      "2024-07-01T12:00:00.000Z",
    );
    expect(zonedToInstant({ year: 2024, month: 13, day: 1 }, "UTC").toISOString()).toBe(
      "2025-01-01T00:00:00.000Z",
    );
  });

  it("picks the earlier instant for a repeated wall time", () => {
    expect(
      zonedToInstant(
        { year: 2024, month: 11, day: 3, hour: 1, minute: 30 },
        "America/New_York",
      ).toISOString(),
    ).toBe("2024-11-03T05:30:00.000Z");
    expect(
      zonedToInstant({ year: 2024, month: 10, day: 27, hour: 2, minute: 30 }, "Europe/Berlin").toISOString(),
    ).toBe("2024-10-27T00:30:00.000Z");
  });

  it("moves a wall time in a gap forward by the gap", () => {
    expect(zonedToInstant({ year: 2024, month: 3, day: 10, hour: 2 }, "America/New_York").toISOString()).toBe(
      "2024-03-10T07:00:00.000Z", // = 03:00 EDT, the end of the gap
    );
    expect(
      zonedToInstant({ year: 2024, month: 3, day: 31, hour: 2, minute: 30 }, "Europe/Berlin").toISOString(),
    ).toBe(
      "2024-03-31T01:30:00.000Z", // = 03:30 CEST
    );
  });

  it("finds the start of a day that begins in a gap (Santiago's midnight DST change)", () => {
    // America/Santiago springs forward at 2024-09-08 00:00 → 01:00: the day starts at 01:00 -03.
    expect(zonedToInstant({ year: 2024, month: 9, day: 8 }, "America/Santiago").toISOString()).toBe(
      "2024-09-08T04:00:00.000Z",
    );
  });
});

describe("assertTimezone and formatOffset", () => {
  it("accepts IANA names and rejects others with the name in the message", () => {
    expect(assertTimezone("Europe/Berlin")).toBe("Europe/Berlin");
    expect(() => assertTimezone("Europe/Atlantis", "pipeline timezone")).toThrow(ConfigError);
    expect(() => assertTimezone("Europe/Atlantis", "pipeline timezone")).toThrow(
      /pipeline timezone "Europe\/Atlantis" is not a known/,
    );
    expect(() => assertTimezone("")).toThrow(/must be an IANA time zone name/);
    expect(() => assertTimezone(3)).toThrow(/got 3/);
  });

  it("formats offsets as ISO designators", () => {
    expect(formatOffset(0)).toBe("Z");
    expect(formatOffset(120)).toBe("+02:00");
    expect(formatOffset(-240)).toBe("-04:00");
    expect(formatOffset(330)).toBe("+05:30");
    expect(formatOffset(-570)).toBe("-09:30");
  });
});
