import { describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { DEFAULT_EXPONENTIAL_MAX_DELAY_MS, retryDelay } from "./backoff.js";

const MINUTE = 60_000;
const never = () => {
  throw new Error("random must not be called without jitter");
};

describe("retryDelay", () => {
  it("is constant without exponential backoff", () => {
    for (const attempt of [1, 2, 3, 10])
      expect(retryDelay(attempt, { retryDelay: "5m" }, never)).toBe(5 * MINUTE);
  });

  it("doubles per failed attempt with exponential backoff", () => {
    const policy = { retryDelay: MINUTE, exponential: true };
    expect([1, 2, 3, 4, 5].map((a) => retryDelay(a, policy, never))).toEqual(
      [1, 2, 4, 8, 16].map((m) => m * MINUTE),
    );
  });

  it("caps at maxDelay", () => {
    const policy = { retryDelay: "1m", exponential: true, maxDelay: "10m" };
    expect(retryDelay(4, policy, never)).toBe(8 * MINUTE);
    expect(retryDelay(5, policy, never)).toBe(10 * MINUTE);
    expect(retryDelay(50, policy, never)).toBe(10 * MINUTE);
  });

  it("caps exponential backoff at 24 hours by default and never overflows", () => {
    expect(retryDelay(2000, { retryDelay: "1s", exponential: true }, never)).toBe(
      DEFAULT_EXPONENTIAL_MAX_DELAY_MS,
    );
    expect(Number.isFinite(retryDelay(5000, { retryDelay: 1, exponential: true }, never))).toBe(true);
  });

  it("applies maxDelay to a constant delay too", () => {
    expect(retryDelay(1, { retryDelay: "1h", maxDelay: "30m" }, never)).toBe(30 * MINUTE);
  });

  it("draws jitter from [d × (1 − j), d] with the injected random", () => {
    const policy = { retryDelay: "1m", exponential: true, maxDelay: "10m", jitter: true };
    expect(retryDelay(3, policy, () => 0)).toBe(2 * MINUTE); // 4m × (1 − 0.5)
    expect(retryDelay(3, policy, () => 0.5)).toBe(3 * MINUTE);
    expect(retryDelay(3, policy, () => 0.999_999)).toBeLessThanOrEqual(4 * MINUTE);
    expect(retryDelay(3, policy, () => 0.999_999)).toBeGreaterThan(3.99 * MINUTE);
    expect(retryDelay(3, { ...policy, jitter: 1 }, () => 0)).toBe(0); // full jitter
    expect(retryDelay(3, { ...policy, jitter: 0.1 }, () => 0)).toBe(3.6 * MINUTE);
  });

  it("keeps jittered delays within bounds and never above maxDelay", () => {
    let seed = 42;
    const random = () => {
      // A small LCG: deterministic, spread over [0, 1).
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const policy = { retryDelay: "30s", exponential: true, maxDelay: "5m", jitter: 0.5 };
    const seen = new Set<number>();
    for (let attempt = 1; attempt <= 12; attempt++) {
      const capped = Math.min(30_000 * 2 ** (attempt - 1), 300_000);
      for (let i = 0; i < 200; i++) {
        const delay = retryDelay(attempt, policy, random);
        expect(delay).toBeGreaterThanOrEqual(capped / 2);
        expect(delay).toBeLessThanOrEqual(capped);
        seen.add(delay);
      }
    }
    expect(seen.size).toBeGreaterThan(100); // jitter actually spreads the delays
  });

  it("rejects bad attempts, bad jitter, bad random values and bad durations", () => {
    expect(() => retryDelay(0, { retryDelay: "1m" })).toThrow(
      /attempt must be a whole number of at least 1, got 0/,
    );
    expect(() => retryDelay(1.5, { retryDelay: "1m" })).toThrow(ConfigError);
    expect(() => retryDelay(1, { retryDelay: "1m", jitter: 2 })).toThrow(
      /retryJitter must be true, false or a fraction between 0 and 1, got 2/,
    );
    expect(() => retryDelay(1, { retryDelay: "1m", jitter: true }, () => 1)).toThrow(
      /random\(\) must return a number in \[0, 1\)/,
    );
    expect(() => retryDelay(1, { retryDelay: "soon" })).toThrow(/invalid duration "soon" for retryDelay/);
    expect(() => retryDelay(1, { retryDelay: "1m", maxDelay: "-1m" })).toThrow(/for maxRetryDelay/);
  });
});
