import { describe, expect, it } from "vitest";
import { EXACT_QUANTILE_LIMIT } from "./approx-quantile.js";
import { approxQuantile } from "./builders.js";
import { compileAggregate } from "./compile-aggregate.js";

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const QUANTILES = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1];

/** Each estimate within α of the exact value at rank q·(n−1) (either neighbour when the rank falls between two). */
function expectWithin(got: number[], sample: number[], alpha: number): void {
  const sorted = [...sample].sort((a, b) => a - b);
  QUANTILES.forEach((q, i) => {
    const rank = q * (sorted.length - 1);
    const lo = sorted[Math.floor(rank)]!;
    const hi = sorted[Math.ceil(rank)]!;
    const ok = (x: number) => Math.abs(got[i]! - x) <= alpha * Math.abs(x) + 1e-12;
    expect(ok(lo) || ok(hi), `q=${q}: got ${got[i]}, exact ${lo}…${hi}`).toBe(true);
  });
}

const distributions: [string, (r: () => number) => number][] = [
  ["uniform 0..1000", (r) => r() * 1000],
  [
    "log-normal latencies",
    (r) => Math.exp(3 + 1.5 * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r())),
  ],
  ["integers with ties", (r) => Math.floor(r() * 20)],
  ["negative, zero and positive", (r) => (r() < 0.1 ? 0 : (r() - 0.5) * 2e6)],
];

describe("approx_quantile (DDSketch)", () => {
  for (const [name, draw] of distributions) {
    it(`${name}: 100k values within the relative accuracy`, () => {
      for (const alpha of [0.01, 0.05]) {
        const a = compileAggregate(approxQuantile("x", QUANTILES, { relativeAccuracy: alpha }));
        const r = random(7);
        const sample: number[] = [];
        let s = a.init();
        for (let i = 0; i < 100_000; i++) {
          const x = draw(r);
          sample.push(x);
          s = a.add(s, x);
          if (i % 10 === 0) s = a.add(s, null);
        }
        expectWithin(JSON.parse(a.result(s) as string), sample, alpha);
      }
    });
  }

  it("q=0 and q=1 are the exact min and max; null with no numbers; strays ignored", () => {
    const a = compileAggregate(approxQuantile("x", [0, 1]));
    let s = a.init();
    expect(a.result(s)).toBeNull();
    for (const v of [3.3, "7", null, Number.NaN, Number.POSITIVE_INFINITY, 12.7, -4.1, true]) s = a.add(s, v);
    expect(JSON.parse(a.result(s) as string)).toEqual([-4.1, 12.7]);
  });

  it("save/load through JSON and merge (negative values too) give what one pass gives", () => {
    const a = compileAggregate(approxQuantile("x", QUANTILES));
    const r = random(11);
    let whole = a.init();
    let left = a.init();
    let right = a.init();
    const sample: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x = (r() - 0.3) * 1000;
      sample.push(x);
      whole = a.add(whole, x);
      if (i % 2 === 0) left = a.add(left, x);
      else right = a.add(right, x);
    }
    const restored = a.load(JSON.parse(JSON.stringify(a.save(left))));
    expect(a.result(restored)).toBe(a.result(left));
    const merged = a.merge(restored, a.load(JSON.parse(JSON.stringify(a.save(right)))));
    expect(a.result(merged)).toBe(a.result(whole));
    expectWithin(JSON.parse(a.result(merged) as string), sample, 0.01);
    expect(a.result(a.merge(a.init(), whole))).toBe(a.result(whole));
    expect(a.result(a.load(a.save(a.init())))).toBeNull();
  });

  it(`exact up to ${EXACT_QUANTILE_LIMIT} numbers: the value at rank ⌊q·(n−1)⌋`, () => {
    const a = compileAggregate(approxQuantile("x", QUANTILES));
    const r = random(5);
    for (const n of [1, 2, 3, 10, 11, EXACT_QUANTILE_LIMIT]) {
      const sample = Array.from({ length: n }, () => Math.round((r() - 0.5) * 1e4) / 10);
      let s = a.init();
      for (const x of sample) s = a.add(s, x);
      const sorted = [...sample].sort((x, y) => x - y);
      const want = QUANTILES.map((q) => sorted[Math.floor(Math.round(q * (n - 1) * 1e6) / 1e6)]);
      expect(JSON.parse(a.result(s) as string), `n=${n}`).toEqual(want);
      expect(a.result(a.load(JSON.parse(JSON.stringify(a.save(s)))))).toBe(a.result(s));
    }
  });

  it("merges across the exact/sketch switch give what one pass gives", () => {
    const a = compileAggregate(approxQuantile("x", QUANTILES));
    const r = random(3);
    const sample = Array.from({ length: 130 }, () => r() * 500);
    const pass = (xs: number[]) => xs.reduce((s, x) => a.add(s, x), a.init());
    const whole = a.result(pass(sample));
    for (const cut of [30, 50, 64, 100]) {
      const left = sample.slice(0, cut);
      const right = sample.slice(cut);
      expect(a.result(a.merge(pass(left), pass(right))), `cut ${cut}`).toBe(whole);
      expect(a.result(a.merge(pass(right), pass(left))), `cut ${cut} reversed`).toBe(whole);
    }
    const small = sample.slice(0, 40);
    expect(a.result(a.merge(pass(small.slice(0, 20)), pass(small.slice(20))))).toBe(a.result(pass(small)));
  });
});
