import { type AggregateSpec, normalizeAggregateSpec } from "./aggregate-spec.js";

/**
 * Builders for job definitions: `aggregates: { events: count(), revenue: sum("amount") }`.
 * Each checks its arguments at once (STREAM_JOB_INVALID), so a broken job fails when its
 * file loads rather than when the first event arrives.
 */

/** Events in the window; with `field`, events whose field is not null. */
export function count(field?: string): AggregateSpec {
  return normalizeAggregateSpec(field === undefined ? { kind: "count" } : { kind: "count", field });
}

/** Sum of the field's numbers; null when there are none. */
export function sum(field: string): AggregateSpec {
  return normalizeAggregateSpec({ kind: "sum", field });
}

/** Smallest of the field's numbers; null when there are none. */
export function min(field: string): AggregateSpec {
  return normalizeAggregateSpec({ kind: "min", field });
}

/** Largest of the field's numbers; null when there are none. */
export function max(field: string): AggregateSpec {
  return normalizeAggregateSpec({ kind: "max", field });
}

/** Mean of the field's numbers; null when there are none. */
export function avg(field: string): AggregateSpec {
  return normalizeAggregateSpec({ kind: "avg", field });
}

/** Exact number of distinct values (strings, numbers, booleans). Memory grows with them. */
export function countDistinct(field: string): AggregateSpec {
  return normalizeAggregateSpec({ kind: "count_distinct", field });
}

/**
 * Estimated number of distinct values (HyperLogLog) in fixed memory: `registers` bytes at
 * most, standard error 1.04/√registers (default 4096 registers: 1.6%).
 */
export function approxCountDistinct(field: string, options: { registers?: number } = {}): AggregateSpec {
  return normalizeAggregateSpec({ kind: "approx_count_distinct", field, ...options });
}

/** The distinct values as a sorted JSON array. */
export function collectSet(field: string): AggregateSpec {
  return normalizeAggregateSpec({ kind: "collect_set", field });
}

/**
 * Quantiles, e.g. `approxQuantile("latency_ms", [0.5, 0.99])`: a JSON array with one value
 * per quantile; exact for up to 64 numbers per window and group, beyond that a DDSketch
 * within `relativeAccuracy` (default 1%) of the exact value.
 */
export function approxQuantile(
  field: string,
  quantiles: number[],
  options: { relativeAccuracy?: number } = {},
): AggregateSpec {
  return normalizeAggregateSpec({ kind: "approx_quantile", field, quantiles, ...options });
}
