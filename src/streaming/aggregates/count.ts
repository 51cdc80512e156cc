import type { Aggregator } from "./aggregator.js";
import { corruptState } from "./numeric-value.js";

/** The state is the count itself: a small integer, so `add` allocates nothing. */
function loadCount(saved: unknown): number {
  if (typeof saved !== "number" || !Number.isInteger(saved) || saved < 0) {
    throw corruptState(`expected a count, got ${JSON.stringify(saved)}`);
  }
  return saved;
}

/** `count()`: every event, whatever its values (SQL's `count(*)`). */
export const countEvents: Aggregator<number> = {
  outputType: "bigint",
  init: () => 0,
  add: (state) => state + 1,
  merge: (into, from) => into + from,
  result: (state) => state,
  save: (state) => state,
  load: loadCount,
};

/** `count(field)`: events whose field is neither null nor missing (SQL's `count(x)`). */
export const countValues: Aggregator<number> = {
  outputType: "bigint",
  init: () => 0,
  add: (state, value) => (value === null || value === undefined ? state : state + 1),
  merge: (into, from) => into + from,
  result: (state) => state,
  save: (state) => state,
  load: loadCount,
};
