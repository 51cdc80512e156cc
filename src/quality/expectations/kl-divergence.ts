import type { CategoricalPartition, CategoricalValue, ContinuousPartition } from "./partition-object.js";

/**
 * The arithmetic of `expect_column_kl_divergence_to_be_less_than`, as GX's `_validate`
 * (great_expectations/expectations/core/expect_column_kl_divergence_to_be_less_than.py) with
 * scipy's `stats.entropy(pk, qk)`: both distributions are normalised to sum to 1, then
 * Σ pk·ln(pk/qk) — a term with pk = 0 adds 0, one with qk = 0 < pk makes the divergence
 * infinite, and an empty column (no weights at all) makes it NaN.
 */
export function entropy(pk: readonly number[], qk: readonly number[]): number {
  const sp = pk.reduce((a, b) => a + b, 0);
  const sq = qk.reduce((a, b) => a + b, 0);
  let total = 0;
  for (let i = 0; i < pk.length; i++) total += relativeEntropy(pk[i]! / sp, qk[i]! / sq);
  return total;
}

/** scipy's `rel_entr(p, q)`. */
function relativeEntropy(p: number, q: number): number {
  if (Number.isNaN(p) || Number.isNaN(q)) return Number.NaN;
  if (p > 0 && q > 0) return p * Math.log(p / q);
  return p === 0 && q >= 0 ? 0 : Number.POSITIVE_INFINITY;
}

export interface Divergence {
  kl: number;
  details: Record<string, unknown>;
}

/** What a GROUP BY of the column found for a categorical partition. */
export interface CategoricalCounts {
  /** Non-NULL values considered. */
  nonNull: number;
  /** Rows per partition value, in the partition's order. */
  expected: number[];
  /** Values outside the partition, ascending, with their rows (possibly only the first ones). */
  unexpected: { value: unknown; count: number }[];
  /** Whether `unexpected` lists every value outside the partition. */
  complete: boolean;
  /** Distinct values outside the partition, their rows, and Σ rows·ln(rows) over them (for an incomplete list). */
  unexpectedDistinct: number;
  unexpectedRows: number;
  unexpectedRowsLogRows: number;
}

/**
 * Categorical: observed weights are value counts over non-NULL values; values the partition
 * does not name share `tail_weight_holdout` equally (the partition's weights shrink by it),
 * and partition values the data lacks weigh 0 (GX's pandas concat of the two series).
 */
export function categoricalDivergence(
  partition: CategoricalPartition,
  counts: CategoricalCounts,
  tailWeightHoldout: number,
): Divergence {
  const n = counts.nonNull;
  const m = counts.unexpectedDistinct;
  const shrink = m > 0 ? 1 - tailWeightHoldout : 1;
  const pk = [...counts.expected.map((c) => c / n), ...counts.unexpected.map((u) => u.count / n)];
  const qk = [
    ...partition.weights.map((w) => w * shrink),
    ...counts.unexpected.map(() => tailWeightHoldout / m),
  ];
  const values: unknown[] = [...partition.values, ...counts.unexpected.map((u) => u.value)];
  let kl: number;
  if (counts.complete || m === 0) kl = n === 0 ? Number.NaN : entropy(pk, qk);
  else {
    // Not every outside value was listed: the outside terms from their sums, as entropy() would add them.
    const inside = counts.expected.reduce((a, b) => a + b, 0);
    const sp = (inside + counts.unexpectedRows) / n;
    const sq = partition.weights.reduce((a, b) => a + b, 0) * shrink + tailWeightHoldout;
    kl = counts.expected.reduce(
      (total, c, i) => total + relativeEntropy(c / n / sp, (partition.weights[i]! * shrink) / sq),
      0,
    );
    const qOut = tailWeightHoldout / m / sq;
    kl +=
      qOut === 0
        ? Number.POSITIVE_INFINITY
        : (counts.unexpectedRowsLogRows - counts.unexpectedRows * Math.log(n * sp * qOut)) / (n * sp);
  }
  return {
    kl,
    details: {
      observed_partition: { values, weights: pk.map((w) => (Number.isNaN(w) ? 0 : w)) },
      expected_partition: { values, weights: qk },
      ...(counts.complete ? {} : { observed_values_truncated: true }),
    },
  };
}

/** What the main scan counted for a continuous partition. */
export interface HistogramCounts {
  nonNull: number;
  /** Rows per bin (numpy's bins: [b_i, b_i+1), the last one closed). */
  bins: number[];
  /** Rows below the first edge / above the last (finite edges only). */
  below: number;
  above: number;
}

/**
 * Continuous: the histogram over the partition's bins, the rows outside it as tails, the
 * expected weights scaled by 1 − tail_weight_holdout − internal_weight_holdout, the internal
 * holdout split among zero-weight bins and the tail holdout among the finite ends.
 */
export function continuousDivergence(
  partition: ContinuousPartition,
  counts: HistogramCounts,
  tailWeightHoldout: number,
  internalWeightHoldout: number,
): Divergence {
  const n = counts.nonNull;
  const observed = counts.bins.map((c) => c / n);
  const expected = partition.weights.map((w) => w * (1 - tailWeightHoldout - internalWeightHoldout));
  if (internalWeightHoldout > 0) {
    const zeros = expected.filter((w) => w === 0).length;
    if (zeros > 0)
      for (const [i, w] of expected.entries()) if (w === 0) expected[i] = internalWeightHoldout / zeros;
  }
  const bins = partition.bins;
  const lowInfinite = bins[0] === Number.NEGATIVE_INFINITY;
  const highInfinite = bins.at(-1) === Number.POSITIVE_INFINITY;
  const below = counts.below / n;
  const above = counts.above / n;
  let combObserved: number[];
  let combExpected: number[];
  let shown: { bins: number[]; obs: number[]; exp: number[]; obsTails: number[]; expTails: number[] };
  if (lowInfinite && highInfinite) {
    combObserved = observed;
    combExpected = expected;
    shown = {
      bins: bins.slice(1, -1),
      obs: observed.slice(1, -1),
      exp: expected.slice(1, -1),
      obsTails: [observed[0]!, observed.at(-1)!],
      expTails: [expected[0]!, expected.at(-1)!],
    };
  } else if (lowInfinite) {
    combObserved = [...observed, above];
    combExpected = [...expected, tailWeightHoldout];
    shown = {
      bins: bins.slice(1),
      obs: observed.slice(1),
      exp: expected.slice(1),
      obsTails: [observed[0]!, above],
      expTails: [expected[0]!, tailWeightHoldout],
    };
  } else if (highInfinite) {
    combObserved = [below, ...observed];
    combExpected = [tailWeightHoldout, ...expected];
    shown = {
      bins: bins.slice(0, -1),
      obs: observed.slice(0, -1),
      exp: expected.slice(0, -1),
      obsTails: [below, observed.at(-1)!],
      expTails: [tailWeightHoldout, expected.at(-1)!],
    };
  } else {
    const tails = partition.tail_weights ?? [tailWeightHoldout / 2, tailWeightHoldout / 2];
    combObserved = [below, ...observed, above];
    combExpected = [tails[0], ...expected, tails[1]];
    shown = { bins, obs: observed, exp: expected, obsTails: [below, above], expTails: [...tails] };
  }
  const json = (list: number[]) => list.map((w) => (Number.isNaN(w) ? null : w));
  return {
    kl: entropy(combObserved, combExpected),
    details: {
      observed_partition: { bins: shown.bins, weights: json(shown.obs), tail_weights: json(shown.obsTails) },
      expected_partition: { bins: shown.bins, weights: shown.exp, tail_weights: shown.expTails },
    },
  };
}

/** Whether a value read back from the engine is the partition value `v` (numbers by value, the rest by text). */
export function sameValue(value: unknown, v: CategoricalValue): boolean {
  if (typeof v === "number") return value !== null && value !== "" && Number(value) === v;
  if (typeof v === "boolean") return value === v;
  return value === v || (value !== null && typeof value !== "object" && String(value) === v);
}
