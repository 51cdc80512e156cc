import { describe, expect, it } from "vitest";
import { approxCountDistinct } from "./builders.js";
import { compileAggregate } from "./compile-aggregate.js";

function estimate(registers: number, distinct: number, prefix = "user-", repeats = 1): number {
  const a = compileAggregate(approxCountDistinct("x", { registers }));
  let s = a.init();
  for (let r = 0; r < repeats; r++) for (let i = 0; i < distinct; i++) s = a.add(s, `${prefix}${i}`);
  return a.result(s) as number;
}

/** 4 standard errors: a correct sketch fails this about once in 16,000 runs (and the inputs are fixed). */
const bound = (registers: number) => 4 * (1.04 / Math.sqrt(registers));

describe("approx_count_distinct (HyperLogLog)", () => {
  it("100k distinct values within its stated error, at several register counts", () => {
    for (const registers of [1024, 4096, 16384]) {
      const got = estimate(registers, 100_000);
      expect(Math.abs(got - 100_000) / 100_000, `m=${registers} gave ${got}`).toBeLessThan(bound(registers));
    }
  });

  it("stays unbiased over the whole range: small, mid (around 2.5m) and large counts", () => {
    const registers = 4096;
    let sumOfErrors = 0;
    let runs = 0;
    for (const n of [1, 10, 100, 1000, 5000, 10_000, 20_000, 50_000, 300_000]) {
      for (const prefix of ["a", "b", "c"]) {
        const got = estimate(registers, n, prefix);
        const error = (got - n) / n;
        expect(Math.abs(error), `n=${n} gave ${got}`).toBeLessThan(n <= 100 ? 0.03 : bound(registers));
        sumOfErrors += error;
        runs++;
      }
    }
    expect(Math.abs(sumOfErrors / runs)).toBeLessThan(0.01);
  });

  it("repeats do not count, numbers and strings hash apart", () => {
    expect(estimate(4096, 500, "k", 20)).toBe(estimate(4096, 500, "k", 1));
    const a = compileAggregate(approxCountDistinct("x"));
    let s = a.init();
    for (const v of [1, "1", true, false, 0, -0, null, undefined, { o: 1 }, 2.5]) s = a.add(s, v);
    expect(a.result(s)).toBe(6);
  });

  it("numbers: 100k distinct integers and fractions within the error", () => {
    const a = compileAggregate(approxCountDistinct("x", { registers: 16384 }));
    let s = a.init();
    for (let i = 0; i < 50_000; i++) s = a.add(a.add(s, i), i + 0.5);
    expect(Math.abs((a.result(s) as number) - 100_000) / 100_000).toBeLessThan(bound(16384));
  });

  it("save/load (sparse and dense) and merge give the same estimate as one pass", () => {
    for (const n of [50, 40_000]) {
      const a = compileAggregate(approxCountDistinct("x"));
      let whole = a.init();
      let left = a.init();
      let right = a.init();
      for (let i = 0; i < n; i++) {
        whole = a.add(whole, `v${i}`);
        if (i % 3 === 0) left = a.add(left, `v${i}`);
        else right = a.add(right, `v${i}`);
      }
      const restored = a.load(JSON.parse(JSON.stringify(a.save(left))));
      expect(a.result(restored)).toBe(a.result(left));
      expect(a.result(a.merge(restored, right))).toBe(a.result(whole));
      expect(a.result(a.merge(a.init(), whole))).toBe(a.result(whole));
    }
  });

  it("a small sketch saves small (sparse), a full one as base64 registers", () => {
    const a = compileAggregate(approxCountDistinct("x"));
    let s = a.init();
    for (let i = 0; i < 10; i++) s = a.add(s, i);
    expect(JSON.stringify(a.save(s)).length).toBeLessThan(200);
    for (let i = 0; i < 10_000; i++) s = a.add(s, i);
    const saved = a.save(s) as { dense?: string };
    expect(Buffer.from(saved.dense!, "base64").length).toBe(4096);
  });
});
