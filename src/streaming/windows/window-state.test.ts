import { describe, expect, it } from "vitest";
import { StreamError } from "../../core/errors.js";
import {
  approxCountDistinct,
  approxQuantile,
  avg,
  collectSet,
  count,
  countDistinct,
  max,
  min,
  type NamedAggregate,
  sum,
} from "../aggregates/index.js";
import type { WindowRow } from "./window-row.js";
import type { WindowSpec } from "./window-spec.js";
import { WindowState } from "./window-state.js";

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

interface Event {
  key: string;
  t: number;
  v: number | string | null;
}

/** Aggregates whose brute-force value is obvious: count, count(v), sum, max, distinct, set. */
const AGGREGATES: NamedAggregate[] = [
  { name: "n", spec: count() },
  { name: "nv", spec: count("v") },
  { name: "total", spec: sum("v") },
  { name: "high", spec: max("v") },
  { name: "kinds", spec: countDistinct("v") },
  { name: "set", spec: collectSet("v") },
];

function bruteResults(values: readonly (number | string | null)[]): unknown[] {
  const nums = values.filter((v): v is number => typeof v === "number");
  const set = [...new Set(values.filter((v) => v !== null))].sort((a, b) =>
    typeof a !== typeof b
      ? typeof a === "number"
        ? -1
        : 1
      : typeof a === "number"
        ? a - (b as number)
        : a < b
          ? -1
          : 1,
  );
  return [
    values.length,
    values.filter((v) => v !== null).length,
    nums.length === 0 ? null : nums.reduce((a, b) => a + b, 0),
    nums.length === 0 ? null : Math.max(...nums),
    set.length,
    JSON.stringify(set),
  ];
}

interface ExpectedWindow {
  start: number;
  end: number;
  key: string;
  values: (number | string | null)[];
}

/** Every window of every event, found the slow way (no modulo tricks, sessions by sorting). */
function oracle(spec: WindowSpec, events: readonly Event[]): Map<string, ExpectedWindow> {
  const windows = new Map<string, ExpectedWindow>();
  const put = (start: number, end: number, e: Event) => {
    const id = `${start}|${e.key}`;
    let w = windows.get(id);
    if (!w) {
      w = { start, end, key: e.key, values: [] };
      windows.set(id, w);
    }
    w.values.push(e.v);
  };
  if (spec.kind !== "session") {
    const size = spec.sizeMs;
    const slide = spec.kind === "hop" ? spec.slideMs : spec.sizeMs;
    for (const e of events) {
      for (let k = Math.floor((e.t - size) / slide) - 1; k * slide <= e.t; k++) {
        const s = k * slide;
        if (s <= e.t && e.t < s + size) put(s, s + size, e);
      }
    }
    return windows;
  }
  const byKey = new Map<string, Event[]>();
  for (const e of events) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
  for (const list of byKey.values()) {
    list.sort((a, b) => a.t - b.t);
    let group: Event[] = [];
    const flush = () => {
      for (const e of group) put(group[0]!.t, group[group.length - 1]!.t + spec.gapMs, e);
      group = [];
    };
    for (const e of list) {
      if (group.length > 0 && e.t - group[group.length - 1]!.t >= spec.gapMs) flush();
      group.push(e);
    }
    flush();
  }
  return windows;
}

function byStartAndKey(a: WindowRow, b: WindowRow): number {
  const ka = String(a.keyValues[0]);
  const kb = String(b.keyValues[0]);
  return a.start - b.start || (ka < kb ? -1 : ka > kb ? 1 : 0);
}

function expectRowsMatch(rows: readonly WindowRow[], expected: Map<string, ExpectedWindow>): void {
  const sorted = [...expected.values()].sort(
    (a, b) => a.start - b.start || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  expect(rows.map((r) => `${r.start}|${r.keyValues[0]}`)).toEqual(sorted.map((w) => `${w.start}|${w.key}`));
  rows.forEach((row, i) => {
    const w = sorted[i]!;
    expect(row.end).toBe(w.end);
    const want = bruteResults(w.values);
    expect(row.results.slice(0, 2)).toEqual(want.slice(0, 2));
    if (want[2] === null) expect(row.results[2]).toBeNull();
    else expect(row.results[2] as number).toBeCloseTo(want[2] as number, 6);
    expect(row.results.slice(3)).toEqual(want.slice(3));
  });
}

/** Events over ~2 hours around the epoch (some before it), clustered per key so sessions form and merge. */
function events(seed: number, n: number, keys = 12): Event[] {
  const r = random(seed);
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    const key = `u${Math.floor(r() * keys)}`;
    const burst = Math.floor(r() * 40) * 180_000 - 600_000;
    const t = burst + Math.floor(r() * 90_000);
    const x = r();
    const v = x < 0.15 ? null : x < 0.25 ? `s${Math.floor(r() * 4)}` : Math.floor(r() * 50) - 10;
    out.push({ key, t, v });
  }
  return out;
}

function shuffle<T>(items: T[], seed: number): T[] {
  const r = random(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const SPECS: [string, WindowSpec][] = [
  ["tumbling 5m", { kind: "tumbling", sizeMs: 300_000 }],
  ["tumbling 7s (not dividing a minute)", { kind: "tumbling", sizeMs: 7_000 }],
  ["hop 10m/5m", { kind: "hop", sizeMs: 600_000, slideMs: 300_000 }],
  ["hop 7m/3m (size not a multiple of slide)", { kind: "hop", sizeMs: 420_000, slideMs: 180_000 }],
  ["hop 5m/5m (tumbling)", { kind: "hop", sizeMs: 300_000, slideMs: 300_000 }],
  ["session 30s", { kind: "session", gapMs: 30_000 }],
  ["session 2m (many merges)", { kind: "session", gapMs: 120_000 }],
];

function addAll(state: WindowState, list: readonly Event[]): void {
  const keyValues: unknown[] = [null];
  const values: unknown[] = new Array(AGGREGATES.length);
  for (const e of list) {
    // Reused arrays, as the runtime does: the state must copy what it keeps.
    keyValues[0] = e.key;
    values.fill(e.v);
    state.add(e.key, keyValues, e.t, values);
  }
}

interface Step {
  closed: WindowRow[];
  changed: WindowRow[];
}

/**
 * Replays `list` as a stream: bounded disorder, the watermark at max event time − bound,
 * events behind it dropped as late, windows closed and changes drained every `chunk`
 * events. `restartEvery` saves and reloads the state (through text) every that many chunks.
 */
function stream(
  spec: WindowSpec,
  list: readonly Event[],
  aggregates: NamedAggregate[],
  restartEvery?: number,
) {
  const bound = 60_000;
  let state = new WindowState(spec, aggregates);
  let maxT = Number.NEGATIVE_INFINITY;
  const kept: Event[] = [];
  const steps: Step[] = [];
  const keyValues: unknown[] = [null];
  const values: unknown[] = new Array(aggregates.length);
  let watermark = Number.NEGATIVE_INFINITY;
  const touched: Set<string>[] = [new Set()];
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    if (e.t < watermark) continue;
    maxT = Math.max(maxT, e.t);
    keyValues[0] = e.key;
    values.fill(e.v);
    state.add(e.key, keyValues, e.t, values);
    kept.push(e);
    touched[touched.length - 1]!.add(`${e.t}|${e.key}`);
    if (i % 97 === 96 || i === list.length - 1) {
      watermark = maxT - bound;
      const closed = state.close(watermark);
      for (const row of closed) expect(row.end).toBeLessThanOrEqual(watermark);
      steps.push({ closed, changed: state.drainChanged() });
      touched.push(new Set());
      if (restartEvery !== undefined && steps.length % restartEvery === 0) {
        state = WindowState.load(spec, aggregates, state.save());
      }
    }
  }
  steps.push({ closed: state.close(Number.POSITIVE_INFINITY), changed: state.drainChanged() });
  expect(state.size).toBe(0);
  return { steps, kept, touched };
}

/** Events roughly in time order: each displaced by up to 80 s, so some arrive behind the watermark. */
function roughlyOrdered(list: Event[], seed: number): Event[] {
  const r = random(seed);
  return list
    .map((e) => ({ e, at: e.t + r() * 80_000 }))
    .sort((a, b) => a.at - b.at)
    .map((x) => x.e);
}

describe("WindowState against a brute-force oracle", () => {
  for (const [name, spec] of SPECS) {
    it(`${name}: every window of shuffled events, in (start, key) order`, () => {
      for (const seed of [1, 2, 3]) {
        const list = events(seed, 3000);
        const state = new WindowState(spec, AGGREGATES);
        let merges = 0;
        for (const e of shuffle([...list], seed)) {
          const before = state.size;
          addAll(state, [e]);
          if (state.size < before) merges++;
        }
        // Only a session join makes the state smaller.
        if (spec.kind === "session") expect(merges).toBeGreaterThan(10);
        else expect(merges).toBe(0);
        const expected = oracle(spec, list);
        expect(state.size).toBe(expected.size);
        expect(state.drainChanged().length).toBe(expected.size);
        expect(state.drainChanged()).toEqual([]);
        const rows = state.close(Number.POSITIVE_INFINITY);
        expectRowsMatch(rows, expected);
        expect(state.size).toBe(0);
        expect(JSON.parse(state.save())).toMatchObject({ groups: [], windows: [] });
      }
    });

    it(`${name}: streamed with a watermark, closed rows are exactly the oracle's and update-mode upserts converge`, () => {
      const list = roughlyOrdered(events(9, 6000), 9);
      const { steps, kept, touched } = stream(spec, list, AGGREGATES);
      expect(kept.length).toBeLessThan(list.length); // some were late
      const expected = oracle(spec, kept);
      // Each close is ordered; across closes, sessions close by end, so compare as one sorted set.
      expectRowsMatch(steps.flatMap((s) => s.closed).sort(byStartAndKey), expected);
      const sink = new Map<string, WindowRow>();
      steps.forEach((step, i) => {
        for (const rows of [step.closed, step.changed]) {
          const order = rows.map((r) => [r.start, String(r.keyValues[0])] as const);
          const sorted = [...order].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
          expect(order).toEqual(sorted);
          for (const row of rows) sink.set(`${row.start}|${row.keyValues[0]}`, row);
        }
        const closedIds = new Set(step.closed.map((r) => `${r.start}|${r.keyValues[0]}`));
        for (const row of step.changed) expect(closedIds.has(`${row.start}|${row.keyValues[0]}`)).toBe(false);
        if (spec.kind !== "session") {
          // Drained = the still-open windows this chunk's events touched.
          const want = new Set<string>();
          for (const id of touched[i] ?? []) {
            const [t, key] = id.split("|") as [string, string];
            for (const w of oracle(spec, [{ key, t: Number(t), v: null }]).values()) {
              if (!closedIds.has(`${w.start}|${key}`)) want.add(`${w.start}|${key}`);
            }
          }
          expect(new Set(step.changed.map((r) => `${r.start}|${r.keyValues[0]}`))).toEqual(want);
        }
      });
      if (spec.kind !== "session") {
        // Update mode upserts by (start, key): the last write of each window is its final value.
        expectRowsMatch([...sink.values()].sort(byStartAndKey), expected);
      }
    });

    it(`${name}: save/load mid-stream gives identical output to an uninterrupted run (every aggregate kind)`, () => {
      const all: NamedAggregate[] = [
        ...AGGREGATES,
        { name: "low", spec: min("v") },
        { name: "mean", spec: avg("v") },
        { name: "approx", spec: approxCountDistinct("v", { registers: 64 }) },
        { name: "q", spec: approxQuantile("v", [0.1, 0.5, 0.9]) },
      ];
      const list = roughlyOrdered(events(21, 5000), 21);
      const straight = stream(spec, list, all);
      const restarted = stream(spec, list, all, 3);
      expect(restarted.steps).toEqual(straight.steps);
      expect(straight.steps.some((s) => s.changed.length > 0 && s.closed.length > 0)).toBe(true);
    });
  }
});

describe("WindowState details", () => {
  const at = (state: WindowState, key: string, t: number, v: unknown = 1) => state.add(key, [key], t, [v]);

  it("tumbling windows align to the epoch, before it too", () => {
    const state = new WindowState({ kind: "tumbling", sizeMs: 1000 }, [{ name: "n", spec: count() }]);
    for (const t of [-1, -1000, -1001, 0, 999, 1000]) at(state, "k", t);
    expect(state.close(Number.POSITIVE_INFINITY).map((r) => [r.start, r.end, r.results[0]])).toEqual([
      [-2000, -1000, 1],
      [-1000, 0, 2],
      [0, 1000, 2],
      [1000, 2000, 1],
    ]);
  });

  it("an event between two sessions joins them; one before a session moves its start", () => {
    const state = new WindowState({ kind: "session", gapMs: 10 }, [
      { name: "n", spec: count() },
      { name: "set", spec: collectSet("v") },
    ]);
    const add = (t: number) => state.add("k", ["k"], t, [1, t]);
    add(0);
    add(30);
    add(35);
    expect(state.size).toBe(2);
    add(21); // within 10 of 30 only: moves that session's start
    expect(state.drainChanged().map((r) => [r.start, r.end])).toEqual([
      [0, 10],
      [21, 45],
    ]);
    add(12); // 12 − 0 ≥ 10 but 21 − 12 < 10: joins the second only
    expect(state.size).toBe(2);
    add(5); // within 10 of 0 and of 12: joins both
    expect(state.size).toBe(1);
    expect(state.drainChanged().map((r) => [r.start, r.end, r.results[0], r.results[1]])).toEqual([
      [0, 45, 6, "[0,5,12,21,30,35]"],
    ]);
    add(55); // 55 − 35 ≥ 10: a new session
    expect(state.close(44).length).toBe(0);
    expect(state.close(45).map((r) => [r.start, r.end])).toEqual([[0, 45]]);
    expect(state.drainChanged().map((r) => [r.start, r.end])).toEqual([[55, 65]]);
    expect(state.size).toBe(1);
  });

  it("two events exactly the gap apart are two sessions", () => {
    const state = new WindowState({ kind: "session", gapMs: 10 }, [{ name: "n", spec: count() }]);
    at(state, "k", 0);
    at(state, "k", 10);
    at(state, "k", -10);
    expect(state.size).toBe(3);
  });

  it("close() frees what it returns: windows, then groups with no window left", () => {
    const state = new WindowState({ kind: "hop", sizeMs: 100, slideMs: 50 }, [{ name: "n", spec: count() }]);
    for (let i = 0; i < 1000; i++) at(state, `k${i % 50}`, i);
    expect(state.size).toBe(21 * 50);
    const groupsIn = (s: WindowState) => (JSON.parse(s.save()) as { groups: unknown[] }).groups.length;
    expect(groupsIn(state)).toBe(50);
    expect(state.close(500).length).toBe(10 * 50);
    expect(state.size).toBe(11 * 50);
    at(state, "late-only", 900);
    expect(state.close(1000).length).toBe(10 * 50 + 2);
    expect(groupsIn(state)).toBe(50);
    expect(state.close(2000).length).toBe(50);
    expect(state.size).toBe(0);
    expect(groupsIn(state)).toBe(0);
  });

  it("append mode (never drained) does not keep closed windows in the changed list", () => {
    const state = new WindowState({ kind: "tumbling", sizeMs: 10 }, [{ name: "n", spec: count() }]);
    for (let i = 0; i < 100_000; i++) {
      at(state, "k", i);
      if (i % 100 === 99) state.close(i);
    }
    expect(state.drainChanged().map((r) => r.start)).toEqual([99_990]);
  });

  it("keeps its own copy of the key values", () => {
    const state = new WindowState({ kind: "tumbling", sizeMs: 10 }, [{ name: "n", spec: count() }]);
    const keyValues: unknown[] = ["a", 1];
    state.add('["a",1]', keyValues, 5, [null]);
    keyValues[0] = "changed";
    expect(state.close(10)[0]!.keyValues).toEqual(["a", 1]);
  });

  it("saves key values JSON cannot hold (bigint, Date) and the changed marks", () => {
    const spec: WindowSpec = { kind: "tumbling", sizeMs: 10 };
    const aggregates = [{ name: "n", spec: count() }];
    const state = new WindowState(spec, aggregates);
    const when = new Date("2024-01-02T03:04:05.000Z");
    state.add("a", [12n, when, { x: 1 }, null], 1, [1]);
    state.add("b", ["b", 1.5, true, [1]], 2, [1]);
    state.drainChanged();
    state.add("b", ["b", 1.5, true, [1]], 3, [1]);
    const loaded = WindowState.load(spec, aggregates, state.save());
    expect(loaded.size).toBe(2);
    expect(loaded.drainChanged().map((r) => r.keyValues[0])).toEqual(["b"]);
    expect(loaded.close(10).map((r) => [r.keyValues, r.results])).toEqual([
      [[12n, when, { x: 1 }, null], [1]],
      [["b", 1.5, true, [1]], [2]],
    ]);
  });

  it("refuses a checkpoint made by other windows or aggregates, and damaged text", () => {
    const aggregates = [{ name: "n", spec: count() }];
    const saved = new WindowState({ kind: "tumbling", sizeMs: 10 }, aggregates).save();
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        expect(error).toBeInstanceOf(StreamError);
        return (error as StreamError).code;
      }
      return undefined;
    };
    expect(code(() => WindowState.load({ kind: "tumbling", sizeMs: 20 }, aggregates, saved))).toBe(
      "STREAM_JOB_INVALID",
    );
    expect(
      code(() => WindowState.load({ kind: "tumbling", sizeMs: 10 }, [{ name: "n", spec: sum("x") }], saved)),
    ).toBe("STREAM_JOB_INVALID");
    // Renaming an output column keeps the state.
    expect(
      code(() =>
        WindowState.load({ kind: "tumbling", sizeMs: 10 }, [{ name: "events", spec: count() }], saved),
      ),
    ).toBe(undefined);
    expect(code(() => WindowState.load({ kind: "tumbling", sizeMs: 10 }, aggregates, "{"))).toBe("INTERNAL");
    expect(code(() => WindowState.load({ kind: "tumbling", sizeMs: 10 }, aggregates, "[]"))).toBe("INTERNAL");
  });

  it("refuses bad definitions and non-finite event times", () => {
    expect(() => new WindowState({ kind: "tumbling", sizeMs: 0 }, [])).toThrow(/above 0/);
    expect(
      () =>
        new WindowState({ kind: "tumbling", sizeMs: 10 }, [
          { name: "n", spec: count() },
          { name: "n", spec: count() },
        ]),
    ).toThrow(/defined twice/);
    const state = new WindowState({ kind: "tumbling", sizeMs: 10 }, []);
    expect(() => state.add("k", ["k"], Number.NaN, [])).toThrow(/finite/);
    expect(state.size).toBe(0);
  });
});
