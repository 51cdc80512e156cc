import type {
  MetricPoint,
  QualityCheckRecord,
  QualityChecksQuery,
  QualityResultRecord,
  QualityStore,
} from "./quality-store.js";
import { fromJson, optionalNumber, type SqlDatabase, toJson, toNumber } from "./sql-database.js";

interface CheckRow {
  id: string;
  run_id: string | null;
  dataset: string;
  suite: string;
  checked_at: string;
  success: unknown;
  row_count: unknown;
  score_checks: unknown;
  score_rows: unknown;
  columns: string | null;
  details: string | null;
}

interface ResultRow {
  name: string;
  type: string;
  severity: string;
  success: unknown;
  element_count: unknown;
  unexpected_count: unknown;
  unexpected_percent: unknown;
  observed_value: string | null;
  details: string | null;
}

/**
 * The quality tables (migration 2), written once for SQLite and PostgreSQL over
 * `SqlDatabase`: a check, its results and its metrics go in one transaction.
 */
export class SqlQualityStore implements QualityStore {
  constructor(private readonly db: SqlDatabase) {}

  async record(check: QualityCheckRecord): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO quality_checks (id, run_id, dataset, suite, checked_at, success, row_count, score_checks, score_rows, columns, details)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          check.id,
          check.runId ?? null,
          check.dataset,
          check.suite,
          check.checkedAt,
          check.success ? 1 : 0,
          check.rowCount ?? null,
          finite(check.score.checks),
          finite(check.score.rows),
          check.columns === undefined ? null : toJson(check.columns),
          toJson(check.details),
        ],
      );
      for (const [seq, r] of check.results.entries()) {
        await tx.run(
          `INSERT INTO quality_results (check_id, seq, name, type, severity, success, element_count, unexpected_count, unexpected_percent, observed_value, details)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            check.id,
            seq,
            r.name,
            r.type,
            r.severity,
            r.success ? 1 : 0,
            r.elementCount ?? null,
            r.unexpectedCount ?? null,
            finite(r.unexpectedPercent),
            toJson(r.observedValue),
            toJson(r.details),
          ],
        );
      }
      for (const [metric, value] of Object.entries(check.metrics)) {
        await tx.run(
          "INSERT INTO quality_metrics (check_id, dataset, metric, measured_at, value) VALUES (?, ?, ?, ?, ?)",
          [check.id, check.dataset, metric, check.checkedAt, finite(value)],
        );
      }
    });
  }

  async checks(query: QualityChecksQuery = {}): Promise<QualityCheckRecord[]> {
    const clauses: string[] = [];
    const params: (string | number)[] = [];
    if (query.dataset !== undefined) {
      clauses.push("dataset = ?");
      params.push(query.dataset);
    }
    if (query.before !== undefined) {
      clauses.push("(checked_at, id) < (?, ?)");
      params.push(query.before.checkedAt, query.before.id);
    }
    const where = clauses.length ? ` WHERE ${clauses.join(" AND ")}` : "";
    const rows = await this.db.all<CheckRow>(
      `SELECT * FROM quality_checks${where} ORDER BY checked_at DESC, id DESC LIMIT ?`,
      [...params, query.limit ?? 100],
    );
    const out: QualityCheckRecord[] = [];
    for (const row of rows) {
      const results = await this.db.all<ResultRow>(
        "SELECT * FROM quality_results WHERE check_id = ? ORDER BY seq",
        [row.id],
      );
      const metrics = await this.db.all<{ metric: string; value: unknown }>(
        "SELECT metric, value FROM quality_metrics WHERE check_id = ? ORDER BY metric",
        [row.id],
      );
      const rowCount = optionalNumber(row.row_count);
      const columns = fromJson<{ name: string; type: string }[]>(row.columns);
      const details = fromJson<unknown>(row.details);
      out.push({
        id: row.id,
        ...(row.run_id === null ? {} : { runId: row.run_id }),
        dataset: row.dataset,
        suite: row.suite,
        checkedAt: row.checked_at,
        success: toNumber(row.success) === 1,
        ...(rowCount === undefined ? {} : { rowCount }),
        score: {
          checks: optionalNumber(row.score_checks) ?? null,
          rows: optionalNumber(row.score_rows) ?? null,
        },
        ...(columns === undefined ? {} : { columns }),
        ...(details === undefined ? {} : { details }),
        results: results.map(toResult),
        metrics: Object.fromEntries(metrics.map((m) => [m.metric, optionalNumber(m.value) ?? null])),
      });
    }
    return out;
  }

  async metricHistory(
    dataset: string,
    metric: string,
    options: { limit?: number } = {},
  ): Promise<MetricPoint[]> {
    const rows = await this.db.all<{
      check_id: string;
      run_id: string | null;
      measured_at: string;
      value: unknown;
    }>(
      `SELECT m.check_id, c.run_id, m.measured_at, m.value FROM quality_metrics m
       JOIN quality_checks c ON c.id = m.check_id
       WHERE m.dataset = ? AND m.metric = ? ORDER BY m.measured_at DESC, m.check_id DESC LIMIT ?`,
      [dataset, metric, options.limit ?? 100],
    );
    return rows.reverse().map((r) => ({
      checkId: r.check_id,
      ...(r.run_id === null ? {} : { runId: r.run_id }),
      measuredAt: r.measured_at,
      value: optionalNumber(r.value) ?? null,
    }));
  }

  async latestColumns(dataset: string): Promise<{ name: string; type: string }[] | undefined> {
    const row = await this.db.get<{ columns: string }>(
      `SELECT columns FROM quality_checks WHERE dataset = ? AND columns IS NOT NULL
       ORDER BY checked_at DESC, id DESC LIMIT 1`,
      [dataset],
    );
    return fromJson(row?.columns);
  }
}

function toResult(row: ResultRow): QualityResultRecord {
  const elementCount = optionalNumber(row.element_count);
  const unexpectedCount = optionalNumber(row.unexpected_count);
  const unexpectedPercent = optionalNumber(row.unexpected_percent);
  const observedValue = fromJson<unknown>(row.observed_value);
  const details = fromJson<unknown>(row.details);
  return {
    name: row.name,
    type: row.type,
    severity: row.severity,
    success: toNumber(row.success) === 1,
    ...(elementCount === undefined ? {} : { elementCount }),
    ...(unexpectedCount === undefined ? {} : { unexpectedCount }),
    ...(unexpectedPercent === undefined ? {} : { unexpectedPercent }),
    ...(observedValue === undefined ? {} : { observedValue }),
    ...(details === undefined ? {} : { details }),
  };
}

/** NaN and Infinity have no portable SQL or JSON form: stored as NULL. */
function finite(value: number | null | undefined): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
