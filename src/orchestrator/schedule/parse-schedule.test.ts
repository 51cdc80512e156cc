import { describe, expect, it } from "vitest";
import { ConfigError } from "../../core/errors.js";
import { parseSchedule } from "./parse-schedule.js";

const d = (iso: string) => new Date(iso);
const iso = (date: Date | undefined) => date?.toISOString();

function runs(expr: string, timezone: string, from: string, n: number): string[] {
  const schedule = parseSchedule(expr, { timezone });
  const out: string[] = [];
  let cursor: Date | undefined = d(from);
  for (let i = 0; i < n && cursor; i++) {
    cursor = schedule.next(cursor);
    if (cursor) out.push(cursor.toISOString());
  }
  return out;
}

describe("parseSchedule: presets and kinds", () => {
  it.each([
    ["@hourly", "0 * * * *", "hourly at :00 (UTC)"],
    ["@daily", "0 0 * * *", "daily at 00:00 (UTC)"],
    ["@midnight", "0 0 * * *", "daily at 00:00 (UTC)"],
    ["@weekly", "0 0 * * 0", "weekly on Sunday at 00:00 (UTC)"],
    ["@monthly", "0 0 1 * *", "monthly on day 1 at 00:00 (UTC)"],
    ["@yearly", "0 0 1 1 *", "yearly on 1/1 (month/day) at 00:00 (UTC)"],
    ["@annually", "0 0 1 1 *", "yearly on 1/1 (month/day) at 00:00 (UTC)"],
    ["@quarterly", "0 0 1 */3 *", "cron 0 0 1 */3 * (UTC)"],
  ])("%s expands to %s", (expr, pattern, description) => {
    const schedule = parseSchedule(expr);
    expect(schedule.kind).toBe("cron");
    expect(schedule.expression).toBe(expr);
    expect(schedule.pattern).toBe(pattern);
    expect(schedule.description).toBe(description);
  });

  it("fires presets at the expected instants", () => {
    expect(runs("@hourly", "UTC", "2024-01-01T10:15:00Z", 2)).toEqual([
      "2024-01-01T11:00:00.000Z",
      "2024-01-01T12:00:00.000Z",
    ]);
    expect(runs("@weekly", "UTC", "2024-01-01T00:00:00Z", 2)).toEqual([
      "2024-01-07T00:00:00.000Z",
      "2024-01-14T00:00:00.000Z",
    ]);
    expect(runs("@yearly", "UTC", "2024-06-01T00:00:00Z", 1)).toEqual(["2025-01-01T00:00:00.000Z"]);
    expect(runs("@quarterly", "UTC", "2024-01-01T00:00:00Z", 3)).toEqual([
      "2024-04-01T00:00:00.000Z",
      "2024-07-01T00:00:00.000Z",
      "2024-10-01T00:00:00.000Z",
    ]);
  });

  it("reads presets case-insensitively", () => {
    expect(parseSchedule("@DAILY").pattern).toBe("0 0 * * *");
  });

  it.each([null, undefined, "", "  ", "@none", "none"])("treats %j as no schedule", (expr) => {
    const schedule = parseSchedule(expr as string | null | undefined);
    expect(schedule.kind).toBe("none");
    expect(schedule.next(d("2024-01-01T00:00:00Z"))).toBeUndefined();
    expect(schedule.previous(d("2024-01-01T00:00:00Z"))).toBeUndefined();
    expect(schedule.interval(d("2024-01-01T05:00:00Z"))).toEqual({
      start: d("2024-01-01T05:00:00Z"),
      end: d("2024-01-01T05:00:00Z"),
    });
  });

  it("parses @once as a schedule without fire times of its own", () => {
    const schedule = parseSchedule("@once", { timezone: "Europe/Berlin" });
    expect(schedule.kind).toBe("once");
    expect(schedule.timezone).toBe("Europe/Berlin");
    expect(schedule.next(d("2024-01-01T00:00:00Z"))).toBeUndefined();
    expect(schedule.matches(d("2024-01-01T00:00:00Z"))).toBe(false);
  });

  it("describes common cron shapes", () => {
    expect(parseSchedule("0 2 * * *", { timezone: "Europe/Berlin" }).description).toBe(
      "daily at 02:00 (Europe/Berlin)",
    );
    expect(parseSchedule("15 * * * *").description).toBe("hourly at :15 (UTC)");
    expect(parseSchedule("0 6 * * 1").description).toBe("weekly on Monday at 06:00 (UTC)");
    expect(parseSchedule("30 7 * * 1-5").description).toBe("weekdays at 07:30 (UTC)");
    expect(parseSchedule("*/15 * * * *").description).toBe("cron */15 * * * * (UTC)");
  });
});

describe("parseSchedule: errors name the expression", () => {
  const bad = (expr: string, timezone?: string) => () =>
    parseSchedule(expr, { what: 'pipeline "customers" schedule', ...(timezone ? { timezone } : {}) });

  it.each([
    [
      "0 0 32 * *",
      /invalid pipeline "customers" schedule "0 0 32 \* \*": day-of-month 32 is out of range 1–31/,
    ],
    ["61 * * * *", /"61 \* \* \* \*": minute 61 is out of range 0–59/],
    ["0 24 * * *", /hour 24 is out of range 0–23/],
    ["0 0 1 13 *", /month 13 is out of range 1–12/],
    ["0 0 * * 8", /day-of-week 8 is out of range 0–7/],
    ["* * * *", /"\* \* \* \*": expected 5 fields .* got 4 fields/],
    ["0 0 * * * *", /got 6 fields/],
    ["every day", /"every day": expected 5 fields/],
    ["*/0 * * * *", /minute step "\/0" must be a whole number of at least 1/],
    ["0 5-2 * * *", /hour range "5-2" runs backwards/],
    ["0 0 1,,2 * *", /empty list item/],
    ["@fortnightly", /"@fortnightly": unknown preset, expected one of @hourly, .*@once/],
    ["0 0 * FOO *", /invalid pipeline "customers" schedule "0 0 \* FOO \*"/],
  ])("rejects %j", (expr, message) => {
    expect(bad(expr)).toThrow(ConfigError);
    expect(bad(expr)).toThrow(message);
  });

  it("rejects an unknown time zone by name", () => {
    expect(bad("@daily", "Mars/Olympus")).toThrow(
      /pipeline "customers" schedule timezone "Mars\/Olympus" is not a known IANA time zone/,
    );
  });

  it("carries the expression in the error details and the CLI exit code", () => {
    try {
      parseSchedule("0 0 32 * *");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).details).toEqual({ expression: "0 0 32 * *" });
      expect((error as ConfigError).exitCode).toBe(2);
    }
  });

  it("rejects a non-string expression", () => {
    expect(() => parseSchedule(5 as unknown as string)).toThrow(/must be a cron expression or a preset/);
  });
});

describe("cron in a time zone across DST", () => {
  // America/New_York: 2024-03-10 02:00 EST → 03:00 EDT; 2024-11-03 02:00 EDT → 01:00 EST.
  // Europe/Berlin:    2024-03-31 02:00 CET → 03:00 CEST; 2024-10-27 03:00 CEST → 02:00 CET.

  it("New York, 02:30 daily on the spring-forward day fires once, at 03:00 EDT (the end of the gap)", () => {
    expect(runs("30 2 * * *", "America/New_York", "2024-03-09T00:00:00Z", 3)).toEqual([
      "2024-03-09T07:30:00.000Z", // 02:30 EST
      "2024-03-10T07:00:00.000Z", // 02:30 does not exist → 03:00 EDT
      "2024-03-11T06:30:00.000Z", // 02:30 EDT
    ]);
  });

  it("New York, 01:30 daily on the fall-back day fires once, at the first 01:30 (EDT)", () => {
    expect(runs("30 1 * * *", "America/New_York", "2024-11-02T00:00:00Z", 3)).toEqual([
      "2024-11-02T05:30:00.000Z", // 01:30 EDT
      "2024-11-03T05:30:00.000Z", // first 01:30 (EDT); the second one (06:30Z, EST) does not fire
      "2024-11-04T06:30:00.000Z", // 01:30 EST
    ]);
  });

  it("Berlin, 02:30 daily on the spring-forward day fires once, at 03:00 CEST", () => {
    expect(runs("30 2 * * *", "Europe/Berlin", "2024-03-30T00:00:00Z", 3)).toEqual([
      "2024-03-30T01:30:00.000Z", // 02:30 CET
      "2024-03-31T01:00:00.000Z", // 02:30 does not exist → 03:00 CEST
      "2024-04-01T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  it("Berlin, 02:30 daily on the fall-back day fires once, at the first 02:30 (CEST)", () => {
    expect(runs("30 2 * * *", "Europe/Berlin", "2024-10-26T12:00:00Z", 2)).toEqual([
      "2024-10-27T00:30:00.000Z", // first 02:30 (CEST); not again at 01:30Z (CET)
      "2024-10-28T01:30:00.000Z", // 02:30 CET
    ]);
  });

  it("Berlin, 01:30 daily on the fall-back day is an ordinary day (01:30 happens once)", () => {
    expect(runs("30 1 * * *", "Europe/Berlin", "2024-10-26T12:00:00Z", 2)).toEqual([
      "2024-10-26T23:30:00.000Z",
      "2024-10-28T00:30:00.000Z",
    ]);
  });

  it("an hourly schedule fires on every real hour: 23 on the spring-forward day, 25 on the fall-back day", () => {
    const count = (from: string, to: string) =>
      runs("0 * * * *", "America/New_York", from, 30).filter((t) => t < to).length;
    // Local midnight to midnight, in UTC: 2024-03-10 05:00Z → 2024-03-11 04:00Z.
    expect(count("2024-03-10T04:59:59Z", "2024-03-11T04:00:00.000Z")).toBe(23);
    // 2024-11-03 04:00Z → 2024-11-04 05:00Z.
    expect(count("2024-11-03T03:59:59Z", "2024-11-04T05:00:00.000Z")).toBe(25);
  });

  it("never fires twice within a minute on a DST day (no double runs)", () => {
    for (const [tz, from] of [
      ["America/New_York", "2024-11-02T00:00:00Z"],
      ["Europe/Berlin", "2024-10-26T00:00:00Z"],
      ["America/New_York", "2024-03-09T00:00:00Z"],
      ["Europe/Berlin", "2024-03-30T00:00:00Z"],
    ] as const) {
      for (const expr of ["30 1 * * *", "30 2 * * *", "0 2 * * *", "0 3 * * *"]) {
        const fired = runs(expr, tz, from, 4).map((t) => Date.parse(t));
        for (let i = 1; i < fired.length; i++) {
          expect((fired[i] as number) - (fired[i - 1] as number), `${expr} ${tz}`).toBeGreaterThanOrEqual(
            22 * 3_600_000,
          );
        }
      }
    }
  });

  it("data intervals of a daily midnight schedule are 23 and 25 hours long on DST days", () => {
    const schedule = parseSchedule("@daily", { timezone: "America/New_York" });
    const spring = schedule.interval(d("2024-03-10T05:00:00Z"));
    expect(spring).toEqual({ start: d("2024-03-10T05:00:00Z"), end: d("2024-03-11T04:00:00Z") });
    const fall = schedule.interval(d("2024-11-03T04:00:00Z"));
    expect(fall).toEqual({ start: d("2024-11-03T04:00:00Z"), end: d("2024-11-04T05:00:00Z") });
    expect(fall.end.getTime() - fall.start.getTime()).toBe(25 * 3_600_000);
  });

  it("previous() walks back across the gap the same way next() walks forward", () => {
    const schedule = parseSchedule("30 2 * * *", { timezone: "America/New_York" });
    expect(iso(schedule.previous(d("2024-03-11T06:30:00Z")))).toBe("2024-03-10T07:00:00.000Z");
    expect(iso(schedule.previous(d("2024-03-10T07:00:00Z")))).toBe("2024-03-09T07:30:00.000Z");
  });

  it("previous() on the fall-back day finds the single 01:30 run", () => {
    const schedule = parseSchedule("30 1 * * *", { timezone: "America/New_York" });
    expect(iso(schedule.previous(d("2024-11-04T00:00:00Z")))).toBe("2024-11-03T05:30:00.000Z");
    expect(schedule.matches(d("2024-11-03T05:30:00Z"))).toBe(true);
    expect(schedule.matches(d("2024-11-03T06:30:00Z"))).toBe(false); // the second 01:30
  });
});

describe("cron at month ends and in leap years", () => {
  it("0 0 31 * * only fires in months with 31 days", () => {
    expect(runs("0 0 31 * *", "UTC", "2024-01-30T00:00:00Z", 4)).toEqual([
      "2024-01-31T00:00:00.000Z",
      "2024-03-31T00:00:00.000Z",
      "2024-05-31T00:00:00.000Z",
      "2024-07-31T00:00:00.000Z",
    ]);
    const schedule = parseSchedule("0 0 31 * *");
    // The run for Jan 31 covers until the next 31st: two months.
    expect(schedule.interval(d("2024-01-31T00:00:00Z"))).toEqual({
      start: d("2024-01-31T00:00:00Z"),
      end: d("2024-03-31T00:00:00Z"),
    });
  });

  it("@monthly from Jan 31 2024 runs on Feb 1 and its interval covers the 29 days of February", () => {
    const schedule = parseSchedule("@monthly");
    const first = schedule.ceil(d("2024-01-31T00:00:00Z"));
    expect(iso(first)).toBe("2024-02-01T00:00:00.000Z");
    const feb = schedule.interval(first as Date);
    expect(feb.end.toISOString()).toBe("2024-03-01T00:00:00.000Z");
    expect((feb.end.getTime() - feb.start.getTime()) / 86_400_000).toBe(29);
    // A date inside January belongs to the January interval.
    expect(schedule.interval(d("2024-01-31T12:00:00Z"))).toEqual({
      start: d("2024-01-01T00:00:00Z"),
      end: d("2024-02-01T00:00:00Z"),
    });
  });

  it("Feb 29 fires only in leap years", () => {
    expect(runs("0 0 29 2 *", "UTC", "2023-01-01T00:00:00Z", 3)).toEqual([
      "2024-02-29T00:00:00.000Z",
      "2028-02-29T00:00:00.000Z",
      "2032-02-29T00:00:00.000Z",
    ]);
    // 2100 is not a leap year.
    expect(runs("0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z", 1)).toEqual(["2104-02-29T00:00:00.000Z"]);
  });

  it("a daily schedule steps through Feb 29 2024", () => {
    expect(runs("@daily", "UTC", "2024-02-28T00:00:00Z", 2)).toEqual([
      "2024-02-29T00:00:00.000Z",
      "2024-03-01T00:00:00.000Z",
    ]);
  });

  it("monthly in Berlin starts at local midnight (23:00Z in winter, 22:00Z in summer)", () => {
    expect(runs("@monthly", "Europe/Berlin", "2024-02-15T00:00:00Z", 4)).toEqual([
      "2024-02-29T23:00:00.000Z",
      "2024-03-31T22:00:00.000Z",
      "2024-04-30T22:00:00.000Z",
      "2024-05-31T22:00:00.000Z",
    ]);
  });
});

describe("Schedule helpers", () => {
  const daily = parseSchedule("0 2 * * *", { timezone: "Europe/Berlin" });

  it("next/previous are strict; floor/ceil include a fire time itself", () => {
    const fire = d("2024-06-10T00:00:00Z"); // 02:00 CEST
    expect(iso(daily.next(fire))).toBe("2024-06-11T00:00:00.000Z");
    expect(iso(daily.previous(fire))).toBe("2024-06-09T00:00:00.000Z");
    expect(iso(daily.floor(fire))).toBe(fire.toISOString());
    expect(iso(daily.ceil(fire))).toBe(fire.toISOString());
    expect(iso(daily.floor(d("2024-06-10T12:00:00Z")))).toBe("2024-06-10T00:00:00.000Z");
    expect(iso(daily.ceil(d("2024-06-10T12:00:00Z")))).toBe("2024-06-11T00:00:00.000Z");
  });

  it("matches only exact fire times", () => {
    expect(daily.matches(d("2024-06-10T00:00:00Z"))).toBe(true);
    expect(daily.matches(d("2024-06-10T00:00:00.001Z"))).toBe(false);
    expect(daily.matches(d("2024-06-10T00:01:00Z"))).toBe(false);
  });

  it("interval(L) of a fire time is [L, next(L)); of any other instant, the interval containing it", () => {
    expect(daily.interval(d("2024-06-10T00:00:00Z"))).toEqual({
      start: d("2024-06-10T00:00:00Z"),
      end: d("2024-06-11T00:00:00Z"),
    });
    expect(daily.interval(d("2024-06-10T23:59:59Z"))).toEqual({
      start: d("2024-06-10T00:00:00Z"),
      end: d("2024-06-11T00:00:00Z"),
    });
  });
});
