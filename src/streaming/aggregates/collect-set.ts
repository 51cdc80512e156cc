import type { Aggregator } from "./aggregator.js";
import {
  addDistinct,
  compareDistinct,
  type DistinctValue,
  loadSet,
  mergeSets,
  saveSet,
} from "./distinct-values.js";

/**
 * `collect_set(field)`: the distinct values as JSON array text, sorted so the same window
 * always writes the same text (`[]` when none: an empty set, not an unknown one).
 */
export const collectSetAggregator: Aggregator<Set<DistinctValue>> = {
  outputType: "json",
  init: () => new Set(),
  add: addDistinct,
  merge: mergeSets,
  result: (state) => {
    if (state.size === 0) return "[]";
    const values = Array.from(state);
    if (values.length > 1) values.sort(compareDistinct);
    return JSON.stringify(values);
  },
  save: saveSet,
  load: loadSet,
};
