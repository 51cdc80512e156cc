import type { Sample } from "./metric-family.js";

/**
 * Upper bounds (seconds) of the run and task duration histograms: from a second to a day,
 * roughly ×2–×3 apart, so a fast task and a nightly batch both land in a useful bucket.
 */
export const DURATION_BUCKETS: readonly number[] = [
  1, 5, 15, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 14_400, 43_200, 86_400,
];

/**
 * The SELECT list that computes a histogram in SQL: one cumulative `SUM(CASE …)` per bucket
 * (`b0`, `b1`, …), the count and the sum of `seconds` (rows where it is NULL count nowhere). Used with GROUP BY, so 100k runs are
 * one scan and a few numbers per group cross into JS, never the runs themselves.
 */
export function histogramColumns(seconds: string): string {
  const buckets = DURATION_BUCKETS.map(
    (le, i) => `SUM(CASE WHEN ${seconds} <= ${le} THEN 1 ELSE 0 END) AS b${i}`,
  );
  return [...buckets, `COUNT(${seconds}) AS n`, `SUM(${seconds}) AS total`].join(", ");
}

/** The `_bucket`, `_sum` and `_count` samples of one histogram group read with `histogramColumns`. */
export function histogramSamples(
  name: string,
  labels: Record<string, string>,
  row: Record<string, unknown>,
): Sample[] {
  const samples: Sample[] = DURATION_BUCKETS.map((le, i) => ({
    metricName: `${name}_bucket`,
    labels: { ...labels, le },
    value: Number(row[`b${i}`] ?? 0),
  }));
  const count = Number(row.n ?? 0);
  samples.push(
    { metricName: `${name}_bucket`, labels: { ...labels, le: "+Inf" }, value: count },
    { metricName: `${name}_sum`, labels, value: Number(row.total ?? 0) },
    { metricName: `${name}_count`, labels, value: count },
  );
  return samples;
}
