import { ConfigError, QualityError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import { type TableRef, tableLabel } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { QualityStore } from "../metadata/quality-store.js";
import { type AnomalyResult, detectAnomaly } from "./anomaly.js";
import { checkFreshness } from "./freshness.js";
import { recordSuiteRun } from "./quality-history.js";
import { qualityScore } from "./quality-score.js";
import { type QuarantineResult, quarantine, quarantineTable } from "./quarantine.js";
import { type RowRule, splitRows } from "./row-split.js";
import { compareSchema } from "./schema-contract.js";
import type { Suite, SuiteExpectation } from "./suite.js";
import { computeMetrics } from "./suite-metrics.js";
import { describeExpectationResult, type SuiteCheck, type SuiteRunResult } from "./suite-result.js";
import { type CheckTarget, isSqlTarget, targetSchema } from "./suite-target.js";
import { failingRowPredicate, validateDataset } from "./validate-dataset.js";

export interface SuiteQuarantineOptions {
  /** Replaced with the rows that fail no `quarantine: true` expectation. */
  passed: TableRef;
  /** Replaced with the failing rows before they are filed; default `<passed>_quarantined`. */
  failed?: TableRef;
  /** "YYYY-MM-DD": re-running the date replaces its quarantine rows for the stage. */
  logicalDate: string;
  stage: string;
  /**
   * Files the failed table; default `quarantine()` on the same engine. A pipeline passes
   * `ctx.quarantine` so the rows count in the run summary.
   */
  write?: (request: {
    dataset: string;
    stage: string;
    failed: TableRef;
    location: string;
  }) => Promise<QuarantineResult>;
}

export interface RunSuiteOptions {
  /** The dataset results are stored under and quarantine is named after; default the suite's, else the target's name. */
  dataset?: string;
  /** The pipeline run this check belongs to. */
  runId?: string;
  /** Where results and metric history go (`metadata.quality`); without it nothing is stored and anomalies lack history. */
  store?: QualityStore;
  quarantine?: SuiteQuarantineOptions;
  /** "Now" for freshness and the history's timestamp; default the wall clock. Pipelines pass the interval's end. */
  now?: Date;
  /** Unexpected values kept per expectation; default 20. */
  sampleSize?: number;
  /** Throw a `SuiteFailedError` when a check with severity error fails (default true). */
  failOnError?: boolean;
}

/** A suite's checks with severity error failed; `result` holds everything that was found. */
export class SuiteFailedError extends QualityError {
  constructor(readonly result: SuiteRunResult) {
    const failed = result.checks.filter((c) => !c.success && c.action === "fail");
    super(
      `suite "${result.suite}" failed on ${result.dataset}: ${failed.map((c) => `${c.name} (${c.message})`).join("; ")}`,
      { details: { dataset: result.dataset, suite: result.suite, checkId: result.checkId, failed: failed.map((c) => c.name) } },
    );
  }
}

/**
 * Runs a suite on a table or query: the expectations (compiled to SQL, few scans),
 * quarantine of failing rows, freshness, the schema contract and anomaly detection on the
 * stored metric history; stores everything in the quality history and scores it.
 * Checks with severity `error` that fail make the suite fail (a `SuiteFailedError` unless
 * `failOnError: false`); `warn` only records; `quarantine: true` expectations move their
 * failing rows to `quarantine.<dataset>` and let the rest continue (in = passed + quarantined).
 *
 * @example
 * const result = await runSuite(engine, { schema: "staging", name: "customers" }, suite, {
 *   dataset: "customers", store: metadata.quality,
 *   quarantine: { passed: { schema: "staging", name: "customers_passed" }, logicalDate: "2024-01-15", stage: "check" },
 * });
 */
export async function runSuite(
  engine: Engine,
  target: CheckTarget,
  suite: Suite,
  options: RunSuiteOptions = {},
): Promise<SuiteRunResult> {
  const dataset = options.dataset ?? suite.dataset ?? (isSqlTarget(target) ? "query" : tableLabel(target));
  const now = options.now ?? new Date();
  const checkId = newId("chk_");
  const schema = await targetSchema(engine, target);
  const columns = schema.fields.map((f) => f.name);

  const validation = await validateDataset(
    engine,
    target,
    suite.expectations.map((e) => e.config),
    options.sampleSize === undefined ? {} : { sampleSize: options.sampleSize },
  );

  const q = options.quarantine;
  const rules = suite.expectations.flatMap((e) => rowRule(engine, e, q !== undefined));
  const failedTable = q ? (q.failed ?? { ...q.passed, name: `${q.passed.name}_quarantined` }) : undefined;
  const split = await splitRows(engine, target, columns, rules, q ? { passed: q.passed, failed: failedTable! } : undefined);
  let quarantined: SuiteRunResult["quarantined"];
  if (q) {
    const request = { dataset, stage: q.stage, failed: failedTable!, location: isSqlTarget(target) ? dataset : tableLabel(target) };
    const filed = q.write
      ? await q.write(request)
      : await quarantine(engine, { ...request, runId: options.runId ?? checkId, logicalDate: q.logicalDate });
    quarantined = {
      rowsIn: split.rowCount,
      passed: split.rowCount - split.quarantined,
      rows: filed.rows,
      byExpectation: Object.fromEntries(rules.filter((r) => r.quarantine).map((r) => [r.name, split.byRule[r.name] ?? 0])),
      table: tableLabel(quarantineTable(dataset)),
    };
  }

  const checks: SuiteCheck[] = suite.expectations.map((e, i) => {
    const result = validation.results[i]!;
    const samples = result.result.partial_unexpected_list;
    return {
      name: e.name,
      kind: "expectation",
      type: e.config.type,
      severity: e.severity,
      // Without a quarantine to send rows to, a quarantine expectation acts by its severity.
      action: e.quarantine && q ? "quarantine" : actionOf(e.severity),
      success: result.success,
      scored: true,
      message: describeExpectationResult(result),
      ...(samples && samples.length > 0 ? { samples } : {}),
      expectation: result,
    };
  });

  const freshness = suite.freshness ? await checkFreshness(engine, target, suite.freshness, now) : undefined;
  if (freshness && suite.freshness) {
    checks.push({
      name: `freshness(${freshness.column})`,
      kind: "freshness",
      type: "freshness",
      severity: suite.freshness.severity,
      action: actionOf(suite.freshness.severity),
      success: freshness.success,
      scored: true,
      message: freshness.message,
    });
  }

  const previousColumns = suite.schema ? await options.store?.latestColumns(dataset) : undefined;
  const schemaResult = suite.schema ? compareSchema(schema, suite.schema, previousColumns) : undefined;
  if (schemaResult && suite.schema) {
    checks.push({
      name: "schema_contract",
      kind: "schema",
      type: "schema_contract",
      severity: suite.schema.severity,
      action: actionOf(suite.schema.severity),
      success: schemaResult.success,
      scored: true,
      message: schemaResult.message,
    });
  }

  const metricNames = [...new Set(["row_count", ...(suite.anomalies?.metrics ?? [])])];
  const measured = await computeMetrics(engine, target, metricNames.filter((m) => m !== "row_count"), columns);
  const metrics: Record<string, number | null> = { row_count: validation.rowCount, ...measured };
  let anomalies: AnomalyResult[] | undefined;
  if (suite.anomalies) {
    const a = suite.anomalies;
    anomalies = [];
    for (const metric of a.metrics) {
      const history = options.store ? await options.store.metricHistory(dataset, metric, { limit: 100 }) : [];
      const result = detectAnomaly(
        metric,
        metrics[metric] ?? null,
        history.map((p) => p.value),
        {
          method: a.method,
          ...(a.threshold === undefined ? {} : { threshold: a.threshold }),
          ...(a.minHistory === undefined ? {} : { minHistory: a.minHistory }),
        },
      );
      anomalies.push(result);
      checks.push({
        name: `anomaly(${metric})`,
        kind: "anomaly",
        type: "anomaly",
        severity: a.severity,
        action: actionOf(a.severity),
        success: !result.flagged,
        scored: result.status !== "insufficient_history",
        message: result.message,
      });
    }
  }

  const score = qualityScore(
    checks.filter((c) => c.scored).map((c) => c.success),
    { rowCount: validation.rowCount, invalidRows: split.invalidRows },
  );
  const result: SuiteRunResult = {
    checkId,
    suite: suite.name,
    dataset,
    ...(options.runId === undefined ? {} : { runId: options.runId }),
    checkedAt: now.toISOString(),
    success: checks.every((c) => c.success || c.action !== "fail"),
    checks,
    validation,
    score,
    ...(freshness ? { freshness } : {}),
    ...(schemaResult ? { schema: schemaResult } : {}),
    ...(anomalies ? { anomalies } : {}),
    metrics,
    ...(quarantined ? { quarantined } : {}),
  };
  if (options.store) await recordSuiteRun(options.store, result, schema);
  if (!result.success && (options.failOnError ?? true)) throw new SuiteFailedError(result);
  return result;
}

function actionOf(severity: "error" | "warn"): "fail" | "warn" {
  return severity === "error" ? "fail" : "warn";
}

/** The row rule of a row-level expectation; quarantine on any other kind is a configuration error. */
function rowRule(engine: Engine, e: SuiteExpectation, quarantining: boolean): RowRule[] {
  const predicate = failingRowPredicate(engine, e.config);
  if (predicate === undefined) {
    if (e.quarantine) {
      throw new ConfigError(
        `expectation "${e.name}" (${e.config.type}) is not row-level, so it cannot quarantine rows: drop "quarantine: true" or use a per-row expectation`,
        { details: { expectation: e.name, type: e.config.type } },
      );
    }
    return [];
  }
  return [{ name: e.name, predicate, reason: reasonSql(engine, e), quarantine: e.quarantine && quarantining }];
}

/** `age 7 fails age_13_120: expect_column_values_to_be_between(min_value=13, max_value=120)`, built in SQL. */
function reasonSql(engine: Engine, e: SuiteExpectation): string {
  const d = engine.dialect;
  const { column, ...rest } = e.config.kwargs;
  const args = Object.entries(rest)
    .filter(([k]) => k !== "result_format" && k !== "catch_exceptions")
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(", ");
  const what = `${e.config.type}(${args.length > 160 ? `${args.slice(0, 157)}…` : args})`;
  const tail = e.name === e.config.type || e.name.startsWith(`${e.config.type}(`) ? what : `${e.name}: ${what}`;
  if (typeof column !== "string") return d.quoteLiteral(`fails ${tail}`);
  return `${d.quoteLiteral(`${column} `)} || COALESCE(CAST(${d.quoteIdent(column)} AS VARCHAR), 'NULL') || ${d.quoteLiteral(` fails ${tail}`)}`;
}
