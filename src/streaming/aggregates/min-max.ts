import type { Aggregator } from "./aggregator.js";
import { corruptState, loadNumber, numericValue, saveNumber } from "./numeric-value.js";

/** The extreme so far, mutated in place; `n` tells "no number yet" (null) from ±Infinity seen. */
export class ExtremeState {
  value: number;
  n = 0;
  constructor(start: number) {
    this.value = start;
  }
}

function extreme(kind: "min" | "max"): Aggregator<ExtremeState> {
  const start = kind === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  const add =
    kind === "min"
      ? (state: ExtremeState, value: unknown): ExtremeState => {
          const x = numericValue(value);
          if (!Number.isNaN(x)) {
            if (x < state.value) state.value = x;
            state.n++;
          }
          return state;
        }
      : (state: ExtremeState, value: unknown): ExtremeState => {
          const x = numericValue(value);
          if (!Number.isNaN(x)) {
            if (x > state.value) state.value = x;
            state.n++;
          }
          return state;
        };
  return {
    outputType: "double",
    init: () => new ExtremeState(start),
    add,
    merge: (into, from) => {
      if (from.n > 0) {
        into.value = kind === "min" ? Math.min(into.value, from.value) : Math.max(into.value, from.value);
        into.n += from.n;
      }
      return into;
    },
    result: (state) => (state.n === 0 ? null : state.value),
    save: (state) => [saveNumber(state.value), state.n],
    load: (saved) => {
      if (!Array.isArray(saved) || saved.length !== 2 || typeof saved[1] !== "number") {
        throw corruptState(`expected [${kind}, n], got ${JSON.stringify(saved)}`);
      }
      const state = new ExtremeState(loadNumber(saved[0]));
      state.n = saved[1];
      return state;
    },
  };
}

/** `min(field)`: the smallest number; null when the window saw none. */
export const minAggregator = extreme("min");
/** `max(field)`: the largest number; null when the window saw none. */
export const maxAggregator = extreme("max");
