export { AggregateRefreshError } from "./aggregate-error.js";
export {
  type AggregateComparison,
  compareWithFullRecompute,
  recomputeAggregate,
} from "./compare-with-full-recompute.js";
export { refreshMaterializedView } from "./materialized-view.js";
export { type RefreshResult, refreshAggregate } from "./refresh-aggregate.js";
