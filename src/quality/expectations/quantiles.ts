import type { EngineKind } from "../../engines/engine.js";
import type { Quantiles } from "./expectation-definition.js";

/**
 * Exact quantiles of a column's values, computed in JS from its value counts the way the
 * engine computes them from the sorted values, so the answer is the engine's to the bit.
 *
 * Discrete (percentile_disc): the value at the 1-based position ⌈q·n⌉ (at least 1).
 * PostgreSQL computes that position as `ceil(q * n)`, DuckDB as `n − floor(n − q·n)`; the
 * two differ only in floating-point rounding, so each engine's spelling is kept.
 * Continuous (percentile_cont): with r = q·(n − 1), lo the value at ⌊r⌋ and hi at ⌈r⌉
 * (0-based), PostgreSQL interpolates `lo + (hi − lo)·(r − ⌊r⌋)` and DuckDB
 * `lo·(⌈r⌉ − r) + hi·(r − ⌊r⌋)`; both spellings are kept, so even the last bit agrees.
 */
export function quantilesFromCounts(
  values: readonly number[],
  counts: readonly number[],
  engine: EngineKind,
): Quantiles {
  // ends[i] = number of values ≤ values[i] (values ascending).
  const ends: number[] = [];
  let total = 0;
  for (const c of counts) {
    total += c;
    ends.push(total);
  }
  /** The value at 0-based position `index` of the sorted values. */
  const at = (index: number): number => {
    let lo = 0;
    let hi = ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ends[mid]! > index) hi = mid;
      else lo = mid + 1;
    }
    return values[lo]!;
  };
  return {
    count: total,
    discrete: (q) => (total === 0 ? null : at(discreteIndex(q, total, engine))),
    continuous: (q) => {
      if (total === 0) return null;
      const r = q * (total - 1);
      const lo = at(Math.floor(r));
      if (Math.floor(r) === Math.ceil(r)) return lo;
      const hi = at(Math.ceil(r));
      // PostgreSQL's float8_lerp, and DuckDB's weighted sum.
      return engine === "postgres"
        ? lo + (hi - lo) * (r - Math.floor(r))
        : lo * (Math.ceil(r) - r) + hi * (r - Math.floor(r));
    },
  };
}

/** The 0-based position of the discrete quantile `q` among `n` sorted values. */
function discreteIndex(q: number, n: number, engine: EngineKind): number {
  const position = engine === "postgres" ? Math.ceil(q * n) : n - Math.floor(n - n * q);
  return Math.max(1, Math.min(n, position)) - 1;
}

/** Quantiles the engine computed itself: `discrete` and `continuous` hold the requested ones. */
export function quantilesFromAggregates(
  count: number,
  discrete: ReadonlyMap<number, number | null>,
  continuous: ReadonlyMap<number, number | null>,
): Quantiles {
  const read = (map: ReadonlyMap<number, number | null>, q: number) => {
    if (!map.has(q)) throw new Error(`quantile ${q} was not computed`);
    return map.get(q) ?? null;
  };
  return {
    count,
    discrete: (q) => read(discrete, q),
    continuous: (q) => read(continuous, q),
  };
}

/** Quantiles of no values. */
export const NO_VALUES: Quantiles = { count: 0, discrete: () => null, continuous: () => null };
