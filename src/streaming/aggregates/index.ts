export {
  type AggregateKind,
  type AggregateSpec,
  aggregateOutputType,
  DEFAULT_HLL_REGISTERS,
  DEFAULT_RELATIVE_ACCURACY,
  type NamedAggregate,
  normalizeAggregateSpec,
} from "./aggregate-spec.js";
export type { Aggregator } from "./aggregator.js";
export {
  approxCountDistinct,
  approxQuantile,
  avg,
  collectSet,
  count,
  countDistinct,
  max,
  min,
  sum,
} from "./builders.js";
export { compileAggregate } from "./compile-aggregate.js";
