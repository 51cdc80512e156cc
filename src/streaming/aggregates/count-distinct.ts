import type { Aggregator } from "./aggregator.js";
import { addDistinct, type DistinctValue, loadSet, mergeSets, saveSet } from "./distinct-values.js";

/** `count_distinct(field)`: exact, so its state holds every distinct value of the window. */
export const countDistinctAggregator: Aggregator<Set<DistinctValue>> = {
  outputType: "bigint",
  init: () => new Set(),
  add: addDistinct,
  merge: mergeSets,
  result: (state) => state.size,
  save: saveSet,
  load: loadSet,
};
