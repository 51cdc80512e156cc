import { describe, expect, it } from "vitest";
import { WeirError } from "../../core/errors.js";
import type { AggregateSpec } from "./aggregate-spec.js";
import { avg, collectSet, count, countDistinct, max, min, sum } from "./builders.js";
import { compileAggregate } from "./compile-aggregate.js";

/** mulberry32: a failure replays from its seed. */
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

/** Numbers (ints and fractions, negative too), nulls, undefined, and the odd string/boolean/object. */
function values(seed: number, n: number): unknown[] {
  const r = random(seed);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const x = r();
    if (x < 0.1) out.push(null);
    else if (x < 0.15) out.push(undefined);
    else if (x < 0.2) out.push(`s${Math.floor(r() * 30)}`);
    else if (x < 0.23) out.push(r() < 0.5);
    else if (x < 0.25) out.push({ nested: 1 });
    else if (x < 0.6) out.push(Math.floor(r() * 200) - 100);
    else out.push((r() - 0.5) * 1e4);
  }
  return out;
}

function run(spec: AggregateSpec, input: readonly unknown[]): unknown {
  const a = compileAggregate(spec);
  let s = a.init();
  for (const v of input) s = a.add(s, v);
  return a.result(s);
}

const numbers = (input: readonly unknown[]) => input.filter((v): v is number => typeof v === "number");
const distinct = (input: readonly unknown[]) =>
  new Set(input.filter((v) => typeof v === "string" || typeof v === "boolean" || typeof v === "number"));

/** What each exact aggregate must give, computed the obvious way. */
const oracles: [string, AggregateSpec, (input: readonly unknown[]) => unknown][] = [
  ["count()", count(), (input) => input.length],
  ["count(field)", count("x"), (input) => input.filter((v) => v !== null && v !== undefined).length],
  [
    "sum",
    sum("x"),
    (input) => (numbers(input).length === 0 ? null : numbers(input).reduce((a, b) => a + b, 0)),
  ],
  ["min", min("x"), (input) => (numbers(input).length === 0 ? null : Math.min(...numbers(input)))],
  ["max", max("x"), (input) => (numbers(input).length === 0 ? null : Math.max(...numbers(input)))],
  [
    "avg",
    avg("x"),
    (input) =>
      numbers(input).length === 0 ? null : numbers(input).reduce((a, b) => a + b, 0) / numbers(input).length,
  ],
  ["count_distinct", countDistinct("x"), (input) => distinct(input).size],
  [
    "collect_set",
    collectSet("x"),
    (input) => {
      const set = [...distinct(input)];
      const rank = (v: unknown) => (typeof v === "boolean" ? 0 : typeof v === "number" ? 1 : 2);
      set.sort((a, b) =>
        rank(a) !== rank(b)
          ? rank(a) - rank(b)
          : typeof a === "number"
            ? a - (b as number)
            : String(a) < String(b)
              ? -1
              : String(a) > String(b)
                ? 1
                : 0,
      );
      return JSON.stringify(set);
    },
  ],
];

function expectSame(got: unknown, want: unknown): void {
  if (typeof want === "number" && !Number.isInteger(want)) expect(got as number).toBeCloseTo(want, 6);
  else expect(got).toEqual(want);
}

describe("exact aggregates against brute force", () => {
  for (const [name, spec, oracle] of oracles) {
    it(`${name} over random values with nulls and strays`, () => {
      for (const [seed, n] of [
        [1, 0],
        [2, 1],
        [3, 17],
        [4, 1000],
        [5, 20_000],
      ] as const) {
        const input = values(seed, n);
        expectSame(run(spec, input), oracle(input));
      }
    });

    it(`${name}: save/load mid-stream and merge give what one pass gives`, () => {
      const a = compileAggregate(spec);
      const input = values(42, 5000);
      const whole = run(spec, input);
      // Save/load through JSON text half-way.
      let s = a.init();
      for (const v of input.slice(0, 2500)) s = a.add(s, v);
      s = a.load(JSON.parse(JSON.stringify(a.save(s))));
      for (const v of input.slice(2500)) s = a.add(s, v);
      expectSame(a.result(s), whole);
      // Two halves merged.
      let left = a.init();
      let right = a.init();
      for (const v of input.slice(0, 1234)) left = a.add(left, v);
      for (const v of input.slice(1234)) right = a.add(right, v);
      expectSame(a.result(a.merge(left, right)), whole);
      // Merging empty states either way changes nothing.
      expectSame(a.result(a.merge(a.init(), a.load(a.save(a.merge(a.init(), a.init()))))), run(spec, []));
    });
  }

  it("ignores null for every aggregate but count()", () => {
    const input = [null, undefined, null];
    expect(run(count(), input)).toBe(3);
    expect(run(count("x"), input)).toBe(0);
    expect(run(sum("x"), input)).toBeNull();
    expect(run(min("x"), input)).toBeNull();
    expect(run(max("x"), input)).toBeNull();
    expect(run(avg("x"), input)).toBeNull();
    expect(run(countDistinct("x"), input)).toBe(0);
    expect(run(collectSet("x"), input)).toBe("[]");
  });

  it("sum keeps the digits a plain loop loses, and reads bigints as numbers", () => {
    const tenths = new Array(1_000_000).fill(0.1);
    expect(run(sum("x"), tenths)).toBe(100_000);
    expect(run(sum("x"), [1e16, 1, -1e16])).toBe(1);
    expect(run(sum("x"), [2n, 3])).toBe(5);
    expect(run(max("x"), [2n, 3n, "99"])).toBe(3);
  });

  it("count_distinct and collect_set tell 1 from '1' and 0 from false, and -0 is 0", () => {
    expect(run(countDistinct("x"), [1, "1", true, 0, -0, false, "a", "a"])).toBe(6);
    expect(run(collectSet("x"), ["b", 10, "a", true, 9, false, 10])).toBe('[false,true,9,10,"a","b"]');
  });

  it("output types", () => {
    expect(compileAggregate(count()).outputType).toBe("bigint");
    expect(compileAggregate(countDistinct("x")).outputType).toBe("bigint");
    expect(compileAggregate(sum("x")).outputType).toBe("double");
    expect(compileAggregate(avg("x")).outputType).toBe("double");
    expect(compileAggregate(collectSet("x")).outputType).toBe("json");
  });

  it("refuses damaged saved state", () => {
    expect(() => compileAggregate(sum("x")).load("nope")).toThrow(WeirError);
    expect(() => compileAggregate(count()).load(-1)).toThrow(/saved aggregate state/);
    expect(() => compileAggregate(collectSet("x")).load([{}])).toThrow(/saved aggregate state/);
  });
});
