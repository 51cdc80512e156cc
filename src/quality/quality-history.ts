import type { Schema } from "../core/types.js";
import type { QualityCheckRecord, QualityStore } from "../metadata/quality-store.js";
import type { SuiteRunResult } from "./suite-result.js";

/** Stores a suite run (its results, metrics, scores and the columns seen) in the quality history. */
export async function recordSuiteRun(
  store: QualityStore,
  result: SuiteRunResult,
  schema: Schema,
): Promise<void> {
  await store.record({
    id: result.checkId,
    ...(result.runId === undefined ? {} : { runId: result.runId }),
    dataset: result.dataset,
    suite: result.suite,
    checkedAt: result.checkedAt,
    success: result.success,
    rowCount: result.validation.rowCount,
    score: { checks: result.score.checks, rows: result.score.rows },
    columns: schema.fields.map((f) => ({ name: f.name, type: f.type })),
    details: {
      ...(result.freshness ? { freshness: result.freshness } : {}),
      ...(result.schema
        ? { schema: { violations: result.schema.violations, changes: result.schema.changes } }
        : {}),
      ...(result.anomalies ? { anomalies: result.anomalies } : {}),
      ...(result.quarantined ? { quarantined: result.quarantined } : {}),
    },
    results: result.checks.map((c) => {
      const r = c.expectation?.result;
      return {
        name: c.name,
        type: c.type,
        severity: c.severity,
        success: c.success,
        ...(r?.element_count === undefined ? {} : { elementCount: r.element_count }),
        ...(r?.unexpected_count === undefined ? {} : { unexpectedCount: r.unexpected_count }),
        ...(r?.unexpected_percent === undefined ? {} : { unexpectedPercent: r.unexpected_percent }),
        ...(r?.observed_value === undefined ? {} : { observedValue: r.observed_value }),
        details: {
          action: c.action,
          message: c.message,
          ...(c.expectation ? { kwargs: c.expectation.expectation.kwargs } : {}),
          ...(c.samples ? { samples: c.samples } : {}),
          ...(c.expectation?.exception_info ? { exception: c.expectation.exception_info } : {}),
        },
      };
    }),
    metrics: result.metrics,
  });
}

/**
 * The stored checks of a dataset, newest first: time, run, suite, success, both scores,
 * every result and the metrics.
 *
 * @example
 * const trend = (await qualityHistory(metadata.quality, "customers")).map((c) => [c.checkedAt, c.score.rows]);
 */
export function qualityHistory(
  store: QualityStore,
  dataset: string,
  options: { limit?: number } = {},
): Promise<QualityCheckRecord[]> {
  return store.checks({ dataset, ...(options.limit === undefined ? {} : { limit: options.limit }) });
}

const CSV_COLUMNS = [
  "checked_at",
  "dataset",
  "suite",
  "run_id",
  "check_id",
  "check_success",
  "score_checks",
  "score_rows",
  "row_count",
  "name",
  "type",
  "severity",
  "success",
  "element_count",
  "unexpected_count",
  "unexpected_percent",
  "observed_value",
] as const;

/**
 * The history as JSON (the records themselves) or CSV (one line per check result, with
 * its check's time, run and scores), for spreadsheets and dashboards.
 */
export function exportQualityHistory(records: readonly QualityCheckRecord[], format: "json" | "csv"): string {
  if (format === "json") return `${JSON.stringify(records, null, 2)}\n`;
  const lines = [CSV_COLUMNS.join(",")];
  for (const c of records) {
    for (const r of c.results) {
      const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
        checked_at: c.checkedAt,
        dataset: c.dataset,
        suite: c.suite,
        run_id: c.runId,
        check_id: c.id,
        check_success: c.success,
        score_checks: c.score.checks,
        score_rows: c.score.rows,
        row_count: c.rowCount,
        name: r.name,
        type: r.type,
        severity: r.severity,
        success: r.success,
        element_count: r.elementCount,
        unexpected_count: r.unexpectedCount,
        unexpected_percent: r.unexpectedPercent,
        observed_value: r.observedValue === undefined ? undefined : JSON.stringify(r.observedValue),
      };
      lines.push(CSV_COLUMNS.map((k) => csvField(row[k])).join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}

function csvField(value: unknown): string {
  if (value === undefined || value === null) return "";
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
