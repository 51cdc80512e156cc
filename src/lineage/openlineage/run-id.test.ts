import { version } from "uuid";
import { describe, expect, it } from "vitest";
import { isRunId, newRunId, runIdTime } from "./run-id.js";

describe("newRunId", () => {
  it("makes UUID v7 ids", () => {
    const id = newRunId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(version(id)).toBe(7);
    expect(isRunId(id)).toBe(true);
    expect(isRunId("run-1")).toBe(false);
  });

  it("sorts as text in creation order, also within one millisecond", () => {
    const ids = Array.from({ length: 20_000 }, () => newRunId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("sorts ids made in different milliseconds by time", async () => {
    const first = newRunId();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = newRunId();
    expect(first < second).toBe(true);
    expect(runIdTime(second)!.getTime()).toBeGreaterThan(runIdTime(first)!.getTime());
  });

  it("carries its creation time", () => {
    const before = Date.now();
    const time = runIdTime(newRunId())!.getTime();
    expect(time).toBeGreaterThanOrEqual(before);
    expect(time).toBeLessThanOrEqual(Date.now());
    expect(runIdTime("3b452093-782c-4ef2-9c0c-aafe2aa6f34d")).toBeUndefined(); // v4
  });
});
