import { describe, expect, it } from "vitest";
import { definePipeline } from "../orchestrator/define-pipeline.js";
import { defineTask } from "../orchestrator/define-task.js";
import { resolveRunDate } from "./run-date.js";

const task = defineTask({ id: "t", run: async () => 0 });
const pipeline = (spec: Partial<Parameters<typeof definePipeline>[0]>) =>
  definePipeline({ id: "p", tasks: [task], ...spec });
const iso = (s: { logicalDate: Date; interval: { start: Date; end: Date } }) => [
  s.logicalDate.toISOString(),
  s.interval.start.toISOString(),
  s.interval.end.toISOString(),
];

describe("weir run --date: the interval containing the date, with its own logical date", () => {
  const monthly = pipeline({ schedule: "@monthly" });

  it("a @monthly pipeline's date is its month, whatever the day", () => {
    for (const date of ["2001-03-01", "2001-03-15", "2001-03-31T23:59:00Z"]) {
      const slot = resolveRunDate(monthly, { date });
      expect(iso(slot)).toEqual([
        "2001-03-01T00:00:00.000Z",
        "2001-03-01T00:00:00.000Z",
        "2001-04-01T00:00:00.000Z",
      ]);
    }
    // Only a date that is not the interval's own start is told where it went.
    expect(resolveRunDate(monthly, { date: "2001-03-15" }).note).toContain(
      "2001-03-01T00:00Z → 2001-04-01T00:00Z (logical date 2001-03-01T00:00Z)",
    );
  });

  it("a plain date of a schedule firing later in the day is that day's run (as backfill --from D --to D)", () => {
    const slot = resolveRunDate(pipeline({ schedule: "0 2 * * *" }), { date: "2024-01-15" });
    expect(iso(slot)).toEqual([
      "2024-01-15T02:00:00.000Z",
      "2024-01-15T02:00:00.000Z",
      "2024-01-16T02:00:00.000Z",
    ]);
    // An instant is the interval containing it: 01:00 is still in the 14th's.
    const instant = resolveRunDate(pipeline({ schedule: "0 2 * * *" }), { date: "2024-01-15T01:00:00Z" });
    expect(instant.logicalDate.toISOString()).toBe("2024-01-14T02:00:00.000Z");
  });

  it("a plain date is a day of the pipeline's time zone", () => {
    const berlin = pipeline({ schedule: "@daily", timezone: "Europe/Berlin" });
    expect(iso(resolveRunDate(berlin, { date: "2024-01-15" }))).toEqual([
      "2024-01-14T23:00:00.000Z",
      "2024-01-14T23:00:00.000Z",
      "2024-01-15T23:00:00.000Z",
    ]);
  });

  it("a partitioned pipeline's date is the partition containing it", () => {
    const parts = pipeline({ partitions: "monthly" });
    expect(iso(resolveRunDate(parts, { date: "2024-02-10" }))).toEqual([
      "2024-02-01T00:00:00.000Z",
      "2024-02-01T00:00:00.000Z",
      "2024-03-01T00:00:00.000Z",
    ]);
  });

  it("a pipeline without schedule or partitions keeps the UTC day", () => {
    expect(iso(resolveRunDate(pipeline({}), { date: "2024-01-15" }))).toEqual([
      "2024-01-15T00:00:00.000Z",
      "2024-01-15T00:00:00.000Z",
      "2024-01-16T00:00:00.000Z",
    ]);
  });

  it("without --date, the latest complete interval (Airflow's manual data interval)", () => {
    const now = new Date("2024-05-17T10:00:00Z");
    expect(resolveRunDate(monthly, {}, now).logicalDate.toISOString()).toBe("2024-04-01T00:00:00.000Z");
    expect(resolveRunDate(pipeline({ schedule: "@daily" }), {}, now).logicalDate.toISOString()).toBe(
      "2024-05-16T00:00:00.000Z",
    );
    expect(resolveRunDate(pipeline({}), {}, now).logicalDate.toISOString()).toBe("2024-05-16T00:00:00.000Z");
  });

  it("another span is explicit: --interval, refused where it would pose as a scheduled interval", () => {
    const slot = resolveRunDate(monthly, {
      interval: "2001-03-01..2001-03-08",
      date: "2001-03-01T12:00:00Z",
    });
    expect(iso(slot)).toEqual([
      "2001-03-01T12:00:00.000Z",
      "2001-03-01T00:00:00.000Z",
      "2001-03-08T00:00:00.000Z",
    ]);
    expect(() => resolveRunDate(monthly, { interval: "2001-03-01..2001-03-08" })).toThrow(
      /not the interval of logical date 2001-03-01T00:00:00.000Z, which is 2001-03-01T00:00Z → 2001-04-01T00:00Z.*--date 2001-03-01T00:00:01.000Z/,
    );
    // The interval's own span is fine.
    expect(resolveRunDate(monthly, { interval: "2001-03-01..2001-04-01" }).logicalDate.toISOString()).toBe(
      "2001-03-01T00:00:00.000Z",
    );
    expect(() => resolveRunDate(monthly, { interval: "2001-03-08..2001-03-01" })).toThrow(
      /start must be before/,
    );
    expect(() => resolveRunDate(monthly, { interval: "2001-03-08" })).toThrow(/expected <start>..<end>/);
  });

  it("refuses impossible days and instants without a zone", () => {
    expect(() => resolveRunDate(monthly, { date: "2024-02-30" })).toThrow(
      'invalid date "2024-02-30": no such day',
    );
    expect(() => resolveRunDate(monthly, { date: "2024-02-03T10:00" })).toThrow(/with Z or an offset/);
  });
});
