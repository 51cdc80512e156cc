import { DDSketch } from "@datadog/sketches-js";
import type { Aggregator } from "./aggregator.js";
import { corruptState, numericValue } from "./numeric-value.js";

/** The bins of one DDSketch store, as checkpoints keep them: first key and counts from it. */
interface SavedBins {
  key: number;
  counts: number[];
}

interface SavedSketch {
  positive: SavedBins;
  negative: SavedBins;
  zeros: number;
  min: number | null;
  max: number | null;
  sum: number;
}

type Store = DDSketch["store"];

function saveBins(store: Store): SavedBins {
  if (store.count === 0) return { key: 0, counts: [] };
  const from = store.minKey - store.offset;
  return { key: store.minKey, counts: store.bins.slice(from, store.maxKey - store.offset + 1) };
}

function addBins(store: Store, key: number, counts: readonly number[]): void {
  for (let i = 0; i < counts.length; i++) {
    const n = counts[i]!;
    if (n > 0) store.add(key + i, n);
  }
}

function isBins(value: unknown): value is SavedBins {
  const v = value as SavedBins | null;
  return (
    typeof v === "object" &&
    v !== null &&
    Number.isInteger(v.key) &&
    Array.isArray(v.counts) &&
    v.counts.every((n) => typeof n === "number" && n >= 0)
  );
}

/**
 * Folds `from` into `into` bin by bin. DDSketch's own `merge` is not used: in
 * @datadog/sketches-js 2.1.1 it skips the negative store (and copies by reference into an
 * empty sketch).
 */
function mergeSketch(into: DDSketch, from: DDSketch): DDSketch {
  if (from.count === 0) return into;
  for (const [mine, theirs] of [
    [into.store, from.store],
    [into.negativeStore, from.negativeStore],
  ] as const) {
    if (theirs.count === 0) continue;
    for (let key = theirs.minKey; key <= theirs.maxKey; key++) {
      const n = theirs.bins[key - theirs.offset]!;
      if (n > 0) mine.add(key, n);
    }
  }
  into.zeroCount += from.zeroCount;
  into.count += from.count;
  into.sum += from.sum;
  if (from.min < into.min) into.min = from.min;
  if (from.max > into.max) into.max = from.max;
  return into;
}

/** Numbers a state keeps exactly before it turns into a DDSketch. */
export const EXACT_QUANTILE_LIMIT = 64;

/**
 * The values themselves while there are few, then a DDSketch. Most window×group states see
 * a handful of values, and a DDSketch costs about 2 KB and microseconds of bin shuffling
 * to set up (its dense store allocates 128 bins and re-centres them as the range grows),
 * which a 2M-event run pays per group and window. A plain array of doubles costs neither,
 * and its quantiles are exact.
 */
export class QuantileState {
  values: number[] | null = [];
  sketch: DDSketch | null = null;
}

function spill(state: QuantileState, relativeAccuracy: number): DDSketch {
  const sketch = new DDSketch({ relativeAccuracy });
  for (const x of state.values!) sketch.accept(x);
  state.values = null;
  state.sketch = sketch;
  return sketch;
}

function addNumber(state: QuantileState, x: number, relativeAccuracy: number): void {
  const values = state.values;
  if (values === null) state.sketch!.accept(x);
  else if (values.length < EXACT_QUANTILE_LIMIT) values.push(x);
  else spill(state, relativeAccuracy).accept(x);
}

/**
 * `approx_quantile(field, quantiles, relativeAccuracy)`: exact up to
 * `EXACT_QUANTILE_LIMIT` numbers per window×group, a DDSketch beyond (log buckets of
 * relative width `relativeAccuracy`, so memory grows with the log of the value range, not
 * the count). Each reported quantile is the value at rank ⌊q·(n−1)⌋ (exact mode) or within
 * `relativeAccuracy` of the exact value at rank q·(n−1) (one of the two neighbours when
 * that falls between ranks), clamped to the exact min and max the sketch tracks; q = 0 and
 * q = 1 are those exact min and max. The result is a JSON array text, one number per
 * quantile in the order asked; null when no number was seen. Non-finite numbers are
 * ignored.
 *
 * Checkpoints keep the sketch's bins as JSON rather than `toProto()`: the protobuf encoder
 * (`protobufjs`) is not installed with the package here, and `fromProto` drops min/max.
 */
export function approxQuantileAggregator(
  quantiles: readonly number[],
  relativeAccuracy: number,
): Aggregator<QuantileState> {
  const fromSketch = (sketch: DDSketch, out: number[]): void => {
    for (let i = 0; i < quantiles.length; i++) {
      const q = quantiles[i]!;
      const v = q === 0 ? sketch.min : q === 1 ? sketch.max : sketch.getValueAtQuantile(q);
      out[i] = Math.min(Math.max(v, sketch.min), sketch.max);
    }
  };
  const exact = (values: readonly number[], out: number[]): void => {
    const sorted = Float64Array.from(values).sort();
    const last = sorted.length - 1;
    // The small epsilon keeps q·(n−1) = 2.9999999999999996 on rank 3.
    for (let i = 0; i < quantiles.length; i++) out[i] = sorted[Math.floor(quantiles[i]! * last + 1e-9)]!;
  };
  return {
    outputType: "json",
    init: () => new QuantileState(),
    add: (state, value) => {
      const x = numericValue(value);
      if (Number.isFinite(x)) addNumber(state, x, relativeAccuracy);
      return state;
    },
    merge: (into, from) => {
      if (from.sketch !== null) {
        mergeSketch(into.sketch ?? spill(into, relativeAccuracy), from.sketch);
      } else {
        for (const x of from.values!) addNumber(into, x, relativeAccuracy);
      }
      return into;
    },
    result: (state) => {
      const out = new Array<number>(quantiles.length);
      if (state.sketch !== null) fromSketch(state.sketch, out);
      else if (state.values!.length === 0) return null;
      else exact(state.values!, out);
      return JSON.stringify(out);
    },
    save: (state) =>
      state.sketch === null ? { values: state.values!.slice() } : { sketch: saveSketch(state.sketch) },
    load: (saved) => {
      const s = saved as { values?: unknown; sketch?: unknown } | null;
      const state = new QuantileState();
      if (typeof s === "object" && s !== null && Array.isArray(s.values)) {
        if (!s.values.every((x) => typeof x === "number" && Number.isFinite(x))) {
          throw corruptState("expected finite numbers");
        }
        state.values = s.values.slice();
        return state;
      }
      if (typeof s !== "object" || s === null) throw corruptState("expected saved quantile values or sketch");
      state.values = null;
      state.sketch = loadSketch(s.sketch, relativeAccuracy);
      return state;
    },
  };
}

function saveSketch(sketch: DDSketch): SavedSketch {
  return {
    positive: saveBins(sketch.store),
    negative: saveBins(sketch.negativeStore),
    zeros: sketch.zeroCount,
    min: sketch.count === 0 ? null : sketch.min,
    max: sketch.count === 0 ? null : sketch.max,
    sum: sketch.sum,
  };
}

function loadSketch(saved: unknown, relativeAccuracy: number): DDSketch {
  const s = saved as SavedSketch | null;
  if (
    typeof s !== "object" ||
    s === null ||
    !isBins(s.positive) ||
    !isBins(s.negative) ||
    typeof s.zeros !== "number" ||
    typeof s.sum !== "number"
  ) {
    throw corruptState("expected a saved DDSketch");
  }
  const sketch = new DDSketch({ relativeAccuracy });
  addBins(sketch.store, s.positive.key, s.positive.counts);
  addBins(sketch.negativeStore, s.negative.key, s.negative.counts);
  sketch.zeroCount = s.zeros;
  sketch.count = sketch.store.count + sketch.negativeStore.count + s.zeros;
  sketch.sum = s.sum;
  if (sketch.count > 0) {
    sketch.min = typeof s.min === "number" ? s.min : Number.NEGATIVE_INFINITY;
    sketch.max = typeof s.max === "number" ? s.max : Number.POSITIVE_INFINITY;
  }
  return sketch;
}
