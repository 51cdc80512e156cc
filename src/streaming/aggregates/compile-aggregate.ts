import {
  type AggregateSpec,
  DEFAULT_HLL_REGISTERS,
  DEFAULT_RELATIVE_ACCURACY,
  normalizeAggregateSpec,
} from "./aggregate-spec.js";
import type { Aggregator } from "./aggregator.js";
import { approxCountDistinctAggregator } from "./approx-count-distinct.js";
import { approxQuantileAggregator } from "./approx-quantile.js";
import { collectSetAggregator } from "./collect-set.js";
import { countEvents, countValues } from "./count.js";
import { countDistinctAggregator } from "./count-distinct.js";
import { maxAggregator, minAggregator } from "./min-max.js";
import { avgAggregator, sumAggregator } from "./sum.js";

/**
 * The aggregator for a spec (checked first: STREAM_JOB_INVALID). Exact aggregators are
 * shared singletons; the sketches get their parameters (and a hasher of their own).
 */
export function compileAggregate(spec: AggregateSpec): Aggregator<unknown> {
  const s = normalizeAggregateSpec(spec);
  switch (s.kind) {
    case "count":
      return erase(s.field === undefined ? countEvents : countValues);
    case "sum":
      return erase(sumAggregator);
    case "avg":
      return erase(avgAggregator);
    case "min":
      return erase(minAggregator);
    case "max":
      return erase(maxAggregator);
    case "count_distinct":
      return erase(countDistinctAggregator);
    case "collect_set":
      return erase(collectSetAggregator);
    case "approx_count_distinct":
      return erase(approxCountDistinctAggregator(s.registers ?? DEFAULT_HLL_REGISTERS));
    case "approx_quantile":
      return erase(approxQuantileAggregator(s.quantiles, s.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY));
  }
}

/** The window state only hands an aggregator the states that aggregator made. */
function erase<S>(aggregator: Aggregator<S>): Aggregator<unknown> {
  return aggregator as unknown as Aggregator<unknown>;
}
