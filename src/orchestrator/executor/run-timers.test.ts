import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../core/clock.js";
import { RunTimers } from "./run-timers.js";

describe("RunTimers", () => {
  it("fires timers in clock order with one abort listener on the shared signal, however many wait", async () => {
    const clock = new FakeClock();
    const done = new AbortController();
    const timers = new RunTimers(clock, done.signal);
    const fired: number[] = [];
    for (let i = 0; i < 50; i++) timers.after(1_000 * (50 - i), () => fired.push(50 - i));
    expect(getEventListeners(done.signal, "abort")).toHaveLength(1);
    expect(timers.size).toBe(50);
    await clock.advance(3_000);
    expect(fired).toEqual([1, 2, 3]);
    expect(timers.size).toBe(47);
    await clock.advance(47_000);
    expect(fired).toHaveLength(50);
    expect(timers.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("cancels every pending timer when the shared signal aborts, and schedules none after", async () => {
    const clock = new FakeClock();
    const done = new AbortController();
    const timers = new RunTimers(clock, done.signal);
    const fired: string[] = [];
    timers.after(1_000, () => fired.push("a"));
    timers.after(2_000, () => fired.push("b"));
    await clock.advance(1_000);
    done.abort();
    expect(timers.size).toBe(0);
    expect(clock.pending).toBe(0);
    timers.after(0, () => fired.push("late"));
    await clock.advance(5_000);
    expect(fired).toEqual(["a"]);
    expect(clock.pending).toBe(0);
  });
});
