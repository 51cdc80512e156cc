/**
 * Anomaly detection on a metric's history, as Deequ's anomaly strategies and Soda's
 * anomaly checks do: a new value is flagged when it lies outside what the history
 * predicts. Two methods:
 * - `zscore` — |value − mean| / stdev of the history (sample stdev) above the threshold
 *   (default 3). A constant history flags any different value.
 * - `relative` — |value − previous| / |previous| above the threshold (default 0.5, i.e. a
 *   50 % change against the last value).
 * Fewer than `minHistory` points (default 5) give "insufficient_history", never a flag:
 * a new dataset must not page anyone.
 */

export type AnomalyMethod = "zscore" | "relative";

export interface AnomalyOptions {
  method?: AnomalyMethod;
  /** |z| (zscore) or relative change (relative) above which a value is an anomaly. */
  threshold?: number;
  /** Points of history needed before anything is flagged; default 5. */
  minHistory?: number;
}

export type AnomalyStatus = "ok" | "anomaly" | "insufficient_history";

export interface AnomalyResult {
  metric: string;
  value: number | null;
  method: AnomalyMethod;
  threshold: number;
  status: AnomalyStatus;
  /** True only for status "anomaly". */
  flagged: boolean;
  /** Non-null history points used. */
  historyLength: number;
  /** What history predicts: mean and stdev (zscore) or the previous value (relative). */
  expected?: { mean: number; stdev: number } | { previous: number };
  /** The z-score or the relative change; Infinity when history has no spread (or previous is 0). */
  score?: number;
  /** A sentence for reports. */
  message: string;
}

export const DEFAULT_THRESHOLDS: Record<AnomalyMethod, number> = { zscore: 3, relative: 0.5 };
export const DEFAULT_MIN_HISTORY = 5;

/**
 * Judges `value` of `metric` against its `history` (oldest first; NULLs are skipped).
 *
 * @example
 * detectAnomaly("row_count", 40, [1000, 1010, 990, 1005, 995]).flagged; // true
 */
export function detectAnomaly(
  metric: string,
  value: number | null,
  history: readonly (number | null)[],
  options: AnomalyOptions = {},
): AnomalyResult {
  const method = options.method ?? "zscore";
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS[method];
  const minHistory = Math.max(1, options.minHistory ?? DEFAULT_MIN_HISTORY);
  const points = history.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const base = { metric, value, method, threshold, historyLength: points.length };
  if (value === null || !Number.isFinite(value)) {
    return {
      ...base,
      status: "insufficient_history",
      flagged: false,
      message: `${metric}: no value to judge`,
    };
  }
  if (points.length < minHistory) {
    return {
      ...base,
      status: "insufficient_history",
      flagged: false,
      message: `${metric} = ${fmt(value)}: insufficient history (${points.length} of ${minHistory} points needed)`,
    };
  }
  if (method === "relative") {
    const previous = points[points.length - 1]!;
    const change =
      previous === 0
        ? value === 0
          ? 0
          : Number.POSITIVE_INFINITY
        : Math.abs(value - previous) / Math.abs(previous);
    const flagged = change > threshold;
    return {
      ...base,
      status: flagged ? "anomaly" : "ok",
      flagged,
      expected: { previous },
      score: change,
      message: `${metric} = ${fmt(value)}: ${fmt(change * 100)} % change against the previous ${fmt(previous)} (limit ${fmt(threshold * 100)} %)`,
    };
  }
  const mean = points.reduce((a, b) => a + b, 0) / points.length;
  const variance =
    points.length > 1 ? points.reduce((a, b) => a + (b - mean) ** 2, 0) / (points.length - 1) : 0;
  const stdev = Math.sqrt(variance);
  // Relative epsilon: float noise in a constant history must not read as spread.
  const flat = stdev <= 1e-12 * Math.max(1, Math.abs(mean));
  const z = flat
    ? Math.abs(value - mean) <= 1e-12 * Math.max(1, Math.abs(mean))
      ? 0
      : Number.POSITIVE_INFINITY
    : (value - mean) / stdev;
  const flagged = Math.abs(z) > threshold;
  return {
    ...base,
    status: flagged ? "anomaly" : "ok",
    flagged,
    expected: { mean, stdev },
    score: z,
    message: `${metric} = ${fmt(value)}: z-score ${fmt(z)} against mean ${fmt(mean)} ± ${fmt(stdev)} of ${points.length} points (limit ±${fmt(threshold)})`,
  };
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? "∞" : "-∞";
  return Number.isInteger(n) ? String(n) : n.toPrecision(4).replace(/\.?0+$/, "");
}
