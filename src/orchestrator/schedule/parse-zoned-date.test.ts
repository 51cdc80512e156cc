import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { parseZonedDate } from "./parse-zoned-date.js";

describe("parseZonedDate", () => {
  it("reads a date as local midnight in the time zone", () => {
    expect(parseZonedDate("2024-01-01", "Europe/Berlin").toISOString()).toBe("2023-12-31T23:00:00.000Z");
    expect(parseZonedDate("2024-07-01", "America/New_York").toISOString()).toBe("2024-07-01T04:00:00.000Z");
    expect(parseZonedDate("2024-02-29").toISOString()).toBe("2024-02-29T00:00:00.000Z");
  });

  it("reads a local date-time as wall time, moving a time in a DST gap past the gap", () => {
    expect(parseZonedDate("2024-06-10T02:00", "Europe/Berlin").toISOString()).toBe(
      "2024-06-10T00:00:00.000Z",
    );
    expect(parseZonedDate("2024-03-10T02:30", "America/New_York").toISOString()).toBe(
      "2024-03-10T07:30:00.000Z",
    );
  });

  it("takes instants with an offset and Dates as they are", () => {
    expect(parseZonedDate("2024-01-01T00:00:00Z", "Europe/Berlin").toISOString()).toBe(
      "2024-01-01T00:00:00.000Z",
    );
    expect(parseZonedDate("2024-01-01T05:00+05:30", "UTC").toISOString()).toBe("2023-12-31T23:30:00.000Z");
    expect(parseZonedDate(new Date("2024-05-05T05:05:05Z"), "Asia/Tokyo").toISOString()).toBe(
      "2024-05-05T05:05:05.000Z",
    );
  });

  it.each([
    ["2024-02-30", /invalid pipeline "p" startDate "2024-02-30": no such date or time/],
    ["2023-02-29", /no such date/],
    ["2024-01-01T25:00", /no such date or time/],
    ["yesterday", /expected "YYYY-MM-DD" \(midnight in the pipeline's time zone\)/],
    ["01/02/2024", /expected "YYYY-MM-DD"/],
    ["2024-01-01T00:00:30", /expected/], // local times are whole minutes
  ])("rejects %j", (text, message) => {
    expect(() => parseZonedDate(text, "UTC", 'pipeline "p" startDate')).toThrow(ConfigError);
    expect(() => parseZonedDate(text, "UTC", 'pipeline "p" startDate')).toThrow(message);
  });

  it("rejects invalid Dates and unknown zones", () => {
    expect(() => parseZonedDate(new Date("x"))).toThrow(/invalid date Invalid Date/);
    expect(() => parseZonedDate("2024-01-01", "Moon/Base", "startDate")).toThrow(
      /startDate timezone "Moon\/Base"/,
    );
  });
});
