/**
 * Quality history in the metadata store: every suite run on a dataset (its time, run,
 * scores and the columns it saw), one row per check result, and the metrics anomaly
 * detection reads as time series. Plain records so the store needs nothing from
 * `quality/`; `quality/quality-history.ts` maps suite results onto them.
 */

/** One check's outcome within a suite run. */
export interface QualityResultRecord {
  /** The check's name in the suite (`valid_email`, `freshness(updated_at)`, …). */
  name: string;
  /** The expectation type, or `freshness` / `schema_contract` / `anomaly`. */
  type: string;
  severity: string;
  success: boolean;
  elementCount?: number;
  unexpectedCount?: number;
  unexpectedPercent?: number | null;
  observedValue?: unknown;
  /** Anything else worth keeping (kwargs, samples, the exception), stored as JSON. */
  details?: unknown;
}

/** One suite run on one dataset. */
export interface QualityCheckRecord {
  id: string;
  /** The pipeline run that checked, when a pipeline did. */
  runId?: string;
  dataset: string;
  suite: string;
  /** ISO-8601 instant. */
  checkedAt: string;
  success: boolean;
  rowCount?: number;
  /** Share of passed checks, and share of rows passing every row-level expectation (null: no rows). */
  score: { checks: number | null; rows: number | null };
  /** The dataset's columns as seen by this check, for schema contracts against the previous run. */
  columns?: { name: string; type: string }[];
  /** Freshness, schema, anomalies and quarantine outcomes, as JSON. */
  details?: unknown;
  results: QualityResultRecord[];
  /** Metric values measured by this check (`row_count`, `null_rate:email`, …). */
  metrics: Record<string, number | null>;
}

export interface MetricPoint {
  checkId: string;
  runId?: string;
  measuredAt: string;
  value: number | null;
}

export interface QualityChecksQuery {
  dataset?: string;
  /** Keyset pagination: only checks after this one in the newest-first order. */
  before?: { checkedAt: string; id: string };
  /** Newest first; default 100. */
  limit?: number;
}

export interface QualityStore {
  /** Stores a check with its results and metrics in one transaction. */
  record(check: QualityCheckRecord): Promise<void>;
  /** Checks, newest first, with their results and metrics. */
  checks(query?: QualityChecksQuery): Promise<QualityCheckRecord[]>;
  /** The newest `limit` (default 100) values of a metric, oldest first. */
  metricHistory(dataset: string, metric: string, options?: { limit?: number }): Promise<MetricPoint[]>;
  /** The columns the newest check of the dataset that recorded them saw. */
  latestColumns(dataset: string): Promise<{ name: string; type: string }[] | undefined>;
}
