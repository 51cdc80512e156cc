import { describe, expect, it } from "vitest";
import { detectAnomaly } from "./anomaly.js";

/** A deterministic noisy series around `level` (±2 %), like daily row counts. */
function series(n: number, level: number, seed = 7): number[] {
  let s = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    out.push(Math.round(level * (0.98 + 0.04 * (s / 2 ** 31))));
  }
  return out;
}

describe("detectAnomaly (zscore)", () => {
  const history = series(30, 10_000);

  it("flags a planted drop and a planted spike", () => {
    const drop = detectAnomaly("row_count", 6_000, history);
    expect(drop).toMatchObject({ status: "anomaly", flagged: true, historyLength: 30 });
    expect(drop.score!).toBeLessThan(-3);
    expect(detectAnomaly("row_count", 13_000, history).flagged).toBe(true);
  });

  it("flags nothing along a series with no anomaly planted", () => {
    const values = series(60, 10_000, 99);
    const flagged = values
      .map((v, i) => (i >= 5 ? detectAnomaly("row_count", v, values.slice(0, i)) : undefined))
      .filter((r) => r?.flagged);
    expect(flagged).toEqual([]);
  });

  it("finds exactly the planted point when walking a series", () => {
    const values = series(40, 500, 3);
    values[25] = 50;
    const flaggedAt = values
      .map((v, i) =>
        i >= 5
          ? detectAnomaly(
              "row_count",
              v,
              values.slice(0, i).filter((_, j) => j !== 25),
            )
          : undefined,
      )
      .flatMap((r, i) => (r?.flagged ? [i] : []));
    expect(flaggedAt).toEqual([25]);
  });

  it("says insufficient history below minHistory and never flags then", () => {
    const r = detectAnomaly("row_count", 1, [1000, 1000, 1000, 1000]);
    expect(r).toMatchObject({ status: "insufficient_history", flagged: false, historyLength: 4 });
    expect(r.message).toMatch(/insufficient history \(4 of 5/);
    expect(detectAnomaly("row_count", 1, [1000, 1000], { minHistory: 2 }).flagged).toBe(true);
  });

  it("skips NULL history points and treats a constant history as zero spread", () => {
    const constant = [0.1, null, 0.1, 0.1, 0.1, 0.1, 0.1];
    expect(detectAnomaly("null_rate:email", 0.1, constant)).toMatchObject({ status: "ok", score: 0 });
    expect(detectAnomaly("null_rate:email", 0.12, constant)).toMatchObject({
      status: "anomaly",
      score: Number.POSITIVE_INFINITY,
    });
  });

  it("honours the threshold", () => {
    const h = [10, 12, 10, 12, 10, 12];
    // mean 11, stdev ~1.095: 14 is z ~2.74.
    expect(detectAnomaly("m", 14, h).flagged).toBe(false);
    expect(detectAnomaly("m", 14, h, { threshold: 2 }).flagged).toBe(true);
  });
});

describe("detectAnomaly (relative)", () => {
  it("compares against the previous value", () => {
    const h = [100, 101, 99, 100, 100];
    expect(detectAnomaly("distinct_count:id", 140, h, { method: "relative" })).toMatchObject({
      flagged: false,
      expected: { previous: 100 },
    });
    expect(detectAnomaly("distinct_count:id", 160, h, { method: "relative" })).toMatchObject({
      flagged: true,
      score: 0.6,
    });
    expect(detectAnomaly("m", 110, h, { method: "relative", threshold: 0.05 }).flagged).toBe(true);
  });

  it("treats a previous zero as an infinite change unless the value is zero too", () => {
    const h = [0, 0, 0, 0, 0];
    expect(detectAnomaly("m", 0, h, { method: "relative" }).flagged).toBe(false);
    expect(detectAnomaly("m", 1, h, { method: "relative" }).score).toBe(Number.POSITIVE_INFINITY);
  });
});
