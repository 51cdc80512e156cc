import { describe, expect, it } from "vitest";
import { FakeClock } from "../../core/clock.js";
import { dueRuns, nextDueAt } from "./due-runs.js";
import { parseSchedule } from "./parse-schedule.js";

const d = (iso: string) => new Date(iso);
const isos = (dates: Date[]) => dates.map((date) => date.toISOString());
const daily = parseSchedule("@daily");

describe("dueRuns with catchup", () => {
  const startDate = d("2024-01-01T00:00:00Z");

  it("creates nothing before the first interval has ended", () => {
    expect(dueRuns({ schedule: daily, startDate, now: d("2024-01-01T23:59:59Z"), catchup: true })).toEqual(
      [],
    );
  });

  it("creates the run for L exactly when its interval ends at next(L)", () => {
    expect(
      isos(dueRuns({ schedule: daily, startDate, now: d("2024-01-02T00:00:00Z"), catchup: true })),
    ).toEqual(["2024-01-01T00:00:00.000Z"]);
  });

  it("creates every missed interval, oldest first, and not the one in progress", () => {
    const due = dueRuns({ schedule: daily, startDate, now: d("2024-01-05T10:00:00Z"), catchup: true });
    expect(isos(due)).toEqual([
      "2024-01-01T00:00:00.000Z",
      "2024-01-02T00:00:00.000Z",
      "2024-01-03T00:00:00.000Z",
      "2024-01-04T00:00:00.000Z",
    ]);
  });

  it("continues after the last logical date", () => {
    const due = dueRuns({
      schedule: daily,
      startDate,
      lastLogicalDate: d("2024-01-03T00:00:00Z"),
      now: d("2024-01-06T10:00:00Z"),
      catchup: true,
    });
    expect(isos(due)).toEqual(["2024-01-04T00:00:00.000Z", "2024-01-05T00:00:00.000Z"]);
  });

  it("is empty when the last run is the latest ended interval", () => {
    const due = dueRuns({
      schedule: daily,
      startDate,
      lastLogicalDate: d("2024-01-05T00:00:00Z"),
      now: d("2024-01-06T10:00:00Z"),
      catchup: true,
    });
    expect(due).toEqual([]);
  });

  it("aligns a start date between fire times up to the next fire time", () => {
    const due = dueRuns({
      schedule: daily,
      startDate: d("2024-01-01T08:00:00Z"),
      now: d("2024-01-04T01:00:00Z"),
      catchup: true,
    });
    expect(isos(due)).toEqual(["2024-01-02T00:00:00.000Z", "2024-01-03T00:00:00.000Z"]);
  });

  it("stops at the end date (inclusive)", () => {
    const due = dueRuns({
      schedule: daily,
      startDate,
      endDate: d("2024-01-02T00:00:00Z"),
      now: d("2024-02-01T00:00:00Z"),
      catchup: true,
    });
    expect(isos(due)).toEqual(["2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00.000Z"]);
  });

  it("returns at most `limit` runs (e.g. the free maxActiveRuns slots)", () => {
    const due = dueRuns({
      schedule: daily,
      startDate,
      now: d("2024-12-31T00:00:00Z"),
      catchup: true,
      limit: 2,
    });
    expect(isos(due)).toEqual(["2024-01-01T00:00:00.000Z", "2024-01-02T00:00:00.000Z"]);
    expect(
      dueRuns({ schedule: daily, startDate, now: d("2024-12-31T00:00:00Z"), catchup: true, limit: 0 }),
    ).toEqual([]);
  });

  it("a start date in the future creates nothing", () => {
    expect(
      dueRuns({
        schedule: daily,
        startDate: d("2030-01-01T00:00:00Z"),
        now: d("2024-01-05T00:00:00Z"),
        catchup: true,
      }),
    ).toEqual([]);
  });

  it("catches up a year of a monthly schedule through Feb 29 2024", () => {
    const monthly = parseSchedule("@monthly");
    const due = dueRuns({
      schedule: monthly,
      startDate: d("2024-01-31T00:00:00Z"),
      now: d("2024-05-01T00:00:00Z"),
      catchup: true,
    });
    expect(isos(due)).toEqual([
      "2024-02-01T00:00:00.000Z",
      "2024-03-01T00:00:00.000Z",
      "2024-04-01T00:00:00.000Z",
    ]);
  });
});

describe("dueRuns across DST with catchup", () => {
  it("a 01:30 New York schedule over the fall-back week: one run per day, intervals of 24/25 hours", () => {
    const schedule = parseSchedule("30 1 * * *", { timezone: "America/New_York" });
    const due = dueRuns({
      schedule,
      startDate: d("2024-11-01T00:00:00Z"),
      now: d("2024-11-06T12:00:00Z"),
      catchup: true,
    });
    expect(isos(due)).toEqual([
      "2024-11-01T05:30:00.000Z",
      "2024-11-02T05:30:00.000Z",
      "2024-11-03T05:30:00.000Z", // the first 01:30 only
      "2024-11-04T06:30:00.000Z",
      "2024-11-05T06:30:00.000Z",
    ]);
    const hours = due.map((L) => {
      const { start, end } = schedule.interval(L);
      return (end.getTime() - start.getTime()) / 3_600_000;
    });
    expect(hours).toEqual([24, 24, 25, 24, 24]);
  });

  it("a 02:30 Berlin schedule over the spring-forward week: the Mar 31 run exists once, at 03:00 CEST", () => {
    const schedule = parseSchedule("30 2 * * *", { timezone: "Europe/Berlin" });
    const due = dueRuns({
      schedule,
      startDate: d("2024-03-29T00:00:00Z"),
      now: d("2024-04-02T12:00:00Z"),
      catchup: true,
    });
    expect(isos(due)).toEqual([
      "2024-03-29T01:30:00.000Z",
      "2024-03-30T01:30:00.000Z",
      "2024-03-31T01:00:00.000Z",
      "2024-04-01T00:30:00.000Z",
    ]);
    // Intervals tile time: the 30 Mar interval ends where the 31 Mar one starts.
    for (let i = 1; i < due.length; i++) expect(schedule.interval(due[i - 1] as Date).end).toEqual(due[i]);
  });
});

describe("dueRuns without catchup", () => {
  const startDate = d("2024-01-01T00:00:00Z");

  it("creates only the latest ended interval", () => {
    expect(
      isos(dueRuns({ schedule: daily, startDate, now: d("2024-01-05T10:00:00Z"), catchup: false })),
    ).toEqual(["2024-01-04T00:00:00.000Z"]);
  });

  it("skips the intervals between the last run and the latest", () => {
    const due = dueRuns({
      schedule: daily,
      startDate,
      lastLogicalDate: d("2024-01-01T00:00:00Z"),
      now: d("2024-01-10T00:00:00Z"),
      catchup: false,
    });
    expect(isos(due)).toEqual(["2024-01-09T00:00:00.000Z"]);
  });

  it("creates nothing when the latest interval already has its run", () => {
    const due = dueRuns({
      schedule: daily,
      startDate,
      lastLogicalDate: d("2024-01-09T00:00:00Z"),
      now: d("2024-01-10T23:00:00Z"),
      catchup: false,
    });
    expect(due).toEqual([]);
  });

  it("creates nothing before the first interval after the start date has ended", () => {
    expect(
      dueRuns({
        schedule: daily,
        startDate: d("2024-01-05T00:00:00Z"),
        now: d("2024-01-05T12:00:00Z"),
        catchup: false,
      }),
    ).toEqual([]);
    expect(
      isos(
        dueRuns({
          schedule: daily,
          startDate: d("2024-01-05T00:00:00Z"),
          now: d("2024-01-06T00:00:00Z"),
          catchup: false,
        }),
      ),
    ).toEqual(["2024-01-05T00:00:00.000Z"]);
  });

  it("creates nothing once the latest interval is past the end date", () => {
    expect(
      dueRuns({
        schedule: daily,
        startDate,
        endDate: d("2024-01-03T00:00:00Z"),
        now: d("2024-01-10T00:00:00Z"),
        catchup: false,
      }),
    ).toEqual([]);
  });

  it("daily at 02:00 in New York across spring-forward: the run for Mar 9 falls due at 03:00 EDT on Mar 10", () => {
    const schedule = parseSchedule("0 2 * * *", { timezone: "America/New_York" });
    const base = {
      schedule,
      startDate: d("2024-03-01T00:00:00Z"),
      lastLogicalDate: d("2024-03-08T07:00:00Z"),
      catchup: false,
    };
    expect(dueRuns({ ...base, now: d("2024-03-10T06:59:59Z") })).toEqual([]);
    expect(isos(dueRuns({ ...base, now: d("2024-03-10T07:00:00Z") }))).toEqual(["2024-03-09T07:00:00.000Z"]);
  });
});

describe("dueRuns for @once and no schedule", () => {
  const once = parseSchedule("@once");

  it("@once yields the start date once it has come, and never again", () => {
    const startDate = d("2024-01-01T12:00:00Z");
    expect(dueRuns({ schedule: once, startDate, now: d("2024-01-01T11:59:59Z"), catchup: true })).toEqual([]);
    expect(
      isos(dueRuns({ schedule: once, startDate, now: d("2024-01-01T12:00:00Z"), catchup: false })),
    ).toEqual(["2024-01-01T12:00:00.000Z"]);
    expect(
      dueRuns({
        schedule: once,
        startDate,
        lastLogicalDate: startDate,
        now: d("2025-01-01T00:00:00Z"),
        catchup: true,
      }),
    ).toEqual([]);
    expect(
      nextDueAt({ schedule: once, startDate, now: d("2024-01-01T00:00:00Z"), catchup: true })?.toISOString(),
    ).toBe("2024-01-01T12:00:00.000Z");
    expect(
      nextDueAt({
        schedule: once,
        startDate,
        lastLogicalDate: startDate,
        now: d("2024-01-01T00:00:00Z"),
        catchup: true,
      }),
    ).toBeUndefined();
  });

  it("no schedule never creates runs", () => {
    const none = parseSchedule(null);
    const options = {
      schedule: none,
      startDate: d("2020-01-01T00:00:00Z"),
      now: d("2024-01-01T00:00:00Z"),
      catchup: true,
    };
    expect(dueRuns(options)).toEqual([]);
    expect(nextDueAt(options)).toBeUndefined();
  });
});

describe("nextDueAt", () => {
  const startDate = d("2024-01-01T00:00:00Z");

  it("is in the past when runs are due now (catchup)", () => {
    expect(
      nextDueAt({ schedule: daily, startDate, now: d("2024-01-05T10:00:00Z"), catchup: true })?.toISOString(),
    ).toBe("2024-01-02T00:00:00.000Z");
  });

  it("is the end of the interval in progress when nothing is due", () => {
    const at = nextDueAt({
      schedule: daily,
      startDate,
      lastLogicalDate: d("2024-01-04T00:00:00Z"),
      now: d("2024-01-05T10:00:00Z"),
      catchup: false,
    });
    expect(at?.toISOString()).toBe("2024-01-06T00:00:00.000Z");
  });

  it("without catchup, after a long pause, is the due time of the latest interval (already past)", () => {
    const at = nextDueAt({
      schedule: daily,
      startDate,
      lastLogicalDate: startDate,
      now: d("2024-01-05T10:00:00Z"),
      catchup: false,
    });
    expect(at?.toISOString()).toBe("2024-01-05T00:00:00.000Z");
  });

  it("is undefined past the end date", () => {
    const at = nextDueAt({
      schedule: daily,
      startDate,
      endDate: d("2024-01-04T00:00:00Z"),
      lastLogicalDate: d("2024-01-04T00:00:00Z"),
      now: d("2024-01-05T10:00:00Z"),
      catchup: true,
    });
    expect(at).toBeUndefined();
  });
});

describe("a scheduler loop on a FakeClock", () => {
  // What the scheduler does: create due runs, then sleep on the clock until nextDueAt.
  async function simulate(catchup: boolean, clock: FakeClock, until: string) {
    const schedule = parseSchedule("0 2 * * *", { timezone: "Europe/Berlin" });
    const startDate = d("2024-03-28T00:00:00Z");
    const created: { logicalDate: Date; createdAt: Date }[] = [];
    const stop = new AbortController();
    const loop = (async () => {
      for (;;) {
        const last = created.at(-1)?.logicalDate;
        for (const logicalDate of dueRuns({
          schedule,
          startDate,
          lastLogicalDate: last,
          now: clock.now(),
          catchup,
        })) {
          created.push({ logicalDate, createdAt: clock.now() });
        }
        const wake = nextDueAt({
          schedule,
          startDate,
          lastLogicalDate: created.at(-1)?.logicalDate,
          now: clock.now(),
          catchup,
        });
        if (!wake) return;
        await clock.sleep(wake.getTime() - clock.now().getTime(), stop.signal);
      }
    })().catch(() => undefined);
    await clock.set(until);
    stop.abort();
    await loop;
    return created;
  }

  it("creates one run per day across the Berlin spring-forward, each at its due instant", async () => {
    const clock = new FakeClock("2024-03-28T00:00:00Z");
    const created = await simulate(true, clock, "2024-04-02T00:00:00Z");
    // Each run was created exactly when its interval ended (the next fire time).
    const schedule = parseSchedule("0 2 * * *", { timezone: "Europe/Berlin" });
    for (const run of created) expect(run.createdAt).toEqual(schedule.next(run.logicalDate));
    expect(isos(created.map((r) => r.logicalDate))).toEqual([
      "2024-03-28T01:00:00.000Z", // 02:00 CET
      "2024-03-29T01:00:00.000Z",
      "2024-03-30T01:00:00.000Z",
      "2024-03-31T01:00:00.000Z", // 02:00 does not exist on Mar 31 → 03:00 CEST = 01:00Z
      "2024-04-01T00:00:00.000Z", // 02:00 CEST, due at 04-02 00:00Z: the stop instant itself
    ]);
  });

  it("without catchup, a scheduler started late creates only the latest run, then one per day", async () => {
    const clock = new FakeClock("2024-04-05T12:00:00Z");
    const created = await simulate(false, clock, "2024-04-08T00:00:01Z");
    expect(created[0]?.createdAt.toISOString()).toBe("2024-04-05T12:00:00.000Z");
    expect(isos(created.map((r) => r.logicalDate))).toEqual([
      "2024-04-04T00:00:00.000Z", // the latest ended interval when started
      "2024-04-05T00:00:00.000Z",
      "2024-04-06T00:00:00.000Z",
      "2024-04-07T00:00:00.000Z", // due at 04-08 00:00Z, just before the stop
    ]);
  });
});
