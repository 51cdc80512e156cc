import type { Aggregator } from "./aggregator.js";
import { corruptState, loadNumber, numericValue, saveNumber } from "./numeric-value.js";

/**
 * A running sum with Neumaier's compensation: a window summing millions of amounts such
 * as 0.1 keeps the digits a plain `+=` loses, for a few extra flops per event. Mutated in
 * place (V8 updates its double fields without allocating).
 */
export class SumState {
  sum = 0;
  compensation = 0;
  /** Numbers added: tells an empty sum (null) from a zero one. */
  n = 0;

  add(x: number): void {
    const s = this.sum;
    const t = s + x;
    if (Math.abs(s) >= Math.abs(x)) this.compensation += s - t + x;
    else this.compensation += x - t + s;
    this.sum = t;
    this.n++;
  }

  merge(other: SumState): void {
    this.add(other.sum);
    this.compensation += other.compensation;
    this.n += other.n - 1;
  }

  /** The compensated total; a sum that overflowed (or saw ±Infinity) is reported as is. */
  total(): number {
    return Number.isFinite(this.sum) ? this.sum + this.compensation : this.sum;
  }

  save(): unknown {
    return [saveNumber(this.sum), saveNumber(this.compensation), this.n];
  }

  static load(saved: unknown): SumState {
    if (!Array.isArray(saved) || saved.length !== 3 || typeof saved[2] !== "number") {
      throw corruptState(`expected [sum, compensation, n], got ${JSON.stringify(saved)}`);
    }
    const state = new SumState();
    state.sum = loadNumber(saved[0]);
    state.compensation = loadNumber(saved[1]);
    state.n = saved[2];
    return state;
  }
}

function addNumber(state: SumState, value: unknown): SumState {
  const x = numericValue(value);
  if (!Number.isNaN(x)) state.add(x);
  return state;
}

/** `sum(field)`: null when the window saw no number. */
export const sumAggregator: Aggregator<SumState> = {
  outputType: "double",
  init: () => new SumState(),
  add: addNumber,
  merge: (into, from) => {
    into.merge(from);
    return into;
  },
  result: (state) => (state.n === 0 ? null : state.total()),
  save: (state) => state.save(),
  load: SumState.load,
};

/** `avg(field)`: the compensated sum over the count of numbers; null when there are none. */
export const avgAggregator: Aggregator<SumState> = {
  ...sumAggregator,
  result: (state) => (state.n === 0 ? null : state.total() / state.n),
};
