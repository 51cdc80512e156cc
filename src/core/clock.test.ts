import { describe, expect, it } from "vitest";
import { FakeClock } from "./clock.js";

describe("FakeClock", () => {
  it("wakes sleepers in time order only when advanced past their time", async () => {
    const clock = new FakeClock("2024-01-01T00:00:00Z");
    const woke: string[] = [];
    void clock.sleep(300).then(() => woke.push("b"));
    void clock.sleep(100).then(() => woke.push("a"));
    await clock.advance(99);
    expect(woke).toEqual([]);
    await clock.advance(1);
    expect(woke).toEqual(["a"]);
    await clock.advance(500);
    expect(woke).toEqual(["a", "b"]);
    expect(clock.now().toISOString()).toBe("2024-01-01T00:00:00.600Z");
  });

  it("wakes a loop that sleeps again within one advance", async () => {
    const clock = new FakeClock(0);
    let ticks = 0;
    const loop = (async () => {
      for (let i = 0; i < 5; i++) {
        await clock.sleep(1000);
        ticks++;
      }
    })();
    await clock.advance(5000);
    await loop;
    expect(ticks).toBe(5);
  });

  it("rejects an aborted sleep and forgets it", async () => {
    const clock = new FakeClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    controller.abort(new Error("stop"));
    await expect(sleeping).rejects.toThrow("stop");
    expect(clock.pending).toBe(0);
  });
});
