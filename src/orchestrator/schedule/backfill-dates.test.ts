import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { parseLogicalDate } from "../../core/interval.js";
import { backfillDates } from "./backfill-dates.js";
import { parseSchedule } from "./parse-schedule.js";

const d = (iso: string) => new Date(iso);

describe("backfillDates", () => {
  it("plans one run per day of 2024 (366, a leap year), both ends included", () => {
    const dates = backfillDates({
      schedule: parseSchedule("@daily"),
      from: parseLogicalDate("2024-01-01"),
      to: parseLogicalDate("2024-12-31"),
    });
    expect(dates).toHaveLength(366);
    expect(dates[0]?.toISOString()).toBe("2024-01-01T00:00:00.000Z");
    expect(dates[59]?.toISOString()).toBe("2024-02-29T00:00:00.000Z");
    expect(dates.at(-1)?.toISOString()).toBe("2024-12-31T00:00:00.000Z");
  });

  it("leaves out logical dates that already have a run", () => {
    const dates = backfillDates({
      schedule: parseSchedule("@daily"),
      from: d("2024-01-01T00:00:00Z"),
      to: d("2024-01-05T00:00:00Z"),
      existing: [d("2024-01-02T00:00:00Z"), d("2024-01-04T00:00:00Z")],
    });
    expect(dates.map((x) => x.toISOString().slice(0, 10))).toEqual([
      "2024-01-01",
      "2024-01-03",
      "2024-01-05",
    ]);
  });

  it("aligns to the schedule's fire times in its time zone", () => {
    const dates = backfillDates({
      schedule: parseSchedule("0 2 * * *", { timezone: "America/New_York" }),
      from: d("2024-03-09T00:00:00Z"),
      to: d("2024-03-11T23:59:59Z"),
    });
    expect(dates.map((x) => x.toISOString())).toEqual([
      "2024-03-09T07:00:00.000Z",
      "2024-03-10T07:00:00.000Z", // 02:00 does not exist: 03:00 EDT
      "2024-03-11T06:00:00.000Z",
    ]);
  });

  it("refuses a schedule without fire times, a backwards range and an unbounded plan", () => {
    const base = { from: d("2024-01-01T00:00:00Z"), to: d("2024-01-02T00:00:00Z") };
    expect(() => backfillDates({ ...base, schedule: parseSchedule(null) })).toThrow(
      /schedule is not set: backfill needs a cron schedule/,
    );
    expect(() => backfillDates({ ...base, schedule: parseSchedule("@once") })).toThrow(ConfigError);
    expect(() => backfillDates({ schedule: parseSchedule("@daily"), from: base.to, to: base.from })).toThrow(
      /backwards/,
    );
    expect(() =>
      backfillDates({
        schedule: parseSchedule("* * * * *"),
        from: d("2024-01-01T00:00:00Z"),
        to: d("2024-12-31T00:00:00Z"),
        max: 1000,
      }),
    ).toThrow(/more than 1000 runs for schedule "\* \* \* \* \*"/);
  });
});
