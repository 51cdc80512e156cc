import { type DatasetNote, noteAssertions, noteDataset, withoutObserver } from "../core/activity-scope.js";
import { ConfigError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import { type TableRef, tableLabel } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { QualityStore } from "../metadata/quality-store.js";
import { type AnomalyResult, detectAnomaly } from "./anomaly.js";
import { prepareExpectationSql } from "./expectations/prepare-engine.js";
import { freshnessSql, judgeFreshness } from "./freshness.js";
import { locateSuiteError } from "./locate-suite-error.js";
import { recordSuiteRun } from "./quality-history.js";
import { qualityScore } from "./quality-score.js";
import { type QuarantineResult, quarantine, quarantineTable } from "./quarantine.js";
import { resolveSuiteParameters } from "./resolve-suite-parameters.js";
import type { ResultFormatInput } from "./result-format.js";
import { splitRows } from "./row-split.js";
import { compareSchema } from "./schema-contract.js";
import type { Severity, Suite } from "./suite.js";
import { SuiteFailedError } from "./suite-failed-error.js";
import { metricSql, metricValue } from "./suite-metrics.js";
import { describeExpectationResult, type SuiteCheck, type SuiteRunResult } from "./suite-result.js";
import { suiteRowRules } from "./suite-row-rules.js";
import { type CheckTarget, isSqlTarget, targetLabel, targetSchema } from "./suite-target.js";
import { type ValidationResult, validateDataset } from "./validate-dataset.js";

export interface SuiteQuarantineOptions {
  /** Replaced with the rows that fail no `quarantine: true` expectation. */
  passed: TableRef;
  /**
   * Make `passed` a view over the target (the same filter) instead of a table: no copy of
   * nearly every row. For a reader that runs before the target changes — a pipeline's load
   * step right after its check. Default false.
   */
  passedAsView?: boolean;
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
  /**
   * GX's `result_format` for this run, over every expectation's own (as a GX checkpoint's);
   * without it an expectation's `result_format` applies, then the suite's, then SUMMARY.
   */
  resultFormat?: ResultFormatInput;
  /** Throw a `SuiteFailedError` when a check with severity error fails (default true). */
  failOnError?: boolean;
  /**
   * Values for the suite's `{"$PARAMETER": …}` kwargs (GX's suite parameters), over the
   * suite's own `suite_parameters`; expressions such as `now() - timedelta(days=1)` read `now`.
   */
  suiteParameters?: Record<string, unknown>;
}

/**
 * Runs a suite on a table or query: the expectations (`validateDataset`: one scan, plus one
 * per column for uniqueness), then ONE more scan for the row-level score, the anomaly
 * metrics and freshness (and with quarantine, one write of the passed rows — or a view —
 * and one of the few failed ones); the schema contract against the previous run's
 * columns; anomaly detection on the stored metric history. Everything is stored in the
 * quality history (with `options.store`) and scored.
 *
 * Actions: a failed check with severity `error` fails the suite (a `SuiteFailedError`,
 * code QUALITY_FAILED, carrying the result, unless `failOnError: false`); `warn` only
 * records. With `options.quarantine`, rows failing a `quarantine: true` expectation go to
 * `quarantine.<dataset>` with every failing expectation and a reason, the rest to
 * `quarantine.passed` (in = passed + quarantined, exactly), and those expectations do not
 * fail the suite; without it they act by their severity.
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
  unresolved: Suite,
  options: RunSuiteOptions = {},
): Promise<SuiteRunResult> {
  // The checks' own scans are not the data flow: lineage gets the dataset, its assertions
  // and the split's outputs instead (see noteSuiteRun).
  let result: SuiteRunResult | undefined;
  try {
    result = await withoutObserver(() => runSuiteUnobserved(engine, target, unresolved, options));
    return result;
  } catch (error) {
    if (error instanceof SuiteFailedError) result = error.result;
    throw error;
  } finally {
    if (result) noteSuiteRun(engine, target, unresolved, options, result);
  }
}

/** Reports a suite's run to the watching unit of work (a task attempt's lineage). */
function noteSuiteRun(
  engine: Engine,
  target: CheckTarget,
  suite: Suite,
  options: RunSuiteOptions,
  result: SuiteRunResult,
): void {
  const checked: DatasetNote = isSqlTarget(target)
    ? { direction: "input", kind: "table", name: result.dataset, engine, sourceSql: target.sql }
    : { direction: "input", kind: "table", name: tableLabel(target), engine };
  noteDataset(checked);
  noteAssertions({
    dataset: checked,
    rowCount: result.validation.rowCount,
    assertions: result.checks.map((c, i) => {
      const column = c.kind === "expectation" ? suite.expectations[i]?.config.kwargs?.column : undefined;
      return { assertion: c.type, success: c.success, ...(typeof column === "string" ? { column } : {}) };
    }),
  });
  const q = options.quarantine;
  if (!q || !result.quarantined) return;
  const from = { kind: "table" as const, name: checked.name, engine };
  noteDataset({
    direction: "output",
    kind: "table",
    name: tableLabel(q.passed),
    engine,
    rows: result.quarantined.passed,
    identityFrom: from,
  });
  noteDataset({
    direction: "output",
    kind: "table",
    name: result.quarantined.table,
    engine,
    rows: result.quarantined.rows,
    identityFrom: from,
  });
}

async function runSuiteUnobserved(
  engine: Engine,
  target: CheckTarget,
  unresolved: Suite,
  options: RunSuiteOptions,
): Promise<SuiteRunResult> {
  const now = options.now ?? new Date();
  // $PARAMETER kwargs take their values now, before anything reads the data.
  const suite = resolveSuiteParameters(unresolved, { parameters: options.suiteParameters, now });
  const dataset = options.dataset ?? suite.dataset ?? (isSqlTarget(target) ? "query" : tableLabel(target));
  const checkId = newId("chk_");
  const q = options.quarantine;
  const configs = suite.expectations.map((e) => e.config);
  // Created (once) before the read-only session, which could not.
  if (configs.some((c) => c.type === "expect_column_values_to_be_json_parseable"))
    await prepareExpectationSql(engine);
  const metricNames = [...new Set(suite.anomalies?.metrics ?? [])].filter((m) => m !== "row_count");

  // The checks read in one read-only session; only the quarantine split (a write) leaves it.
  const checked = await engine
    .readOnly(async (ro) => {
      const schema = await targetSchema(ro, target);
      const columns = schema.fields.map((f) => f.name);
      if (suite.freshness && !columns.includes(suite.freshness.column)) {
        throw new ConfigError(
          `freshness column "${suite.freshness.column}" is not a column of ${targetLabel(target)} (columns: ${columns.join(", ")})`,
          { details: { column: suite.freshness.column, dataset } },
        );
      }
      const validation = await validateDataset(ro, target, configs, {
        ...(options.sampleSize === undefined ? {} : { sampleSize: options.sampleSize }),
        ...(options.resultFormat === undefined ? {} : { resultFormat: options.resultFormat }),
        ...(suite.result_format === undefined ? {} : { suiteResultFormat: suite.result_format }),
      });
      // One more scan does the rest: row-level score, the quarantine split, metrics and freshness.
      const rules = suiteRowRules(
        ro,
        suite.expectations,
        target,
        schema,
        q !== undefined,
        validation.results,
      );
      const aggregates = [
        ...metricNames.map((m) => metricSql(ro, m, columns, target)),
        ...(suite.freshness ? [freshnessSql(ro, suite.freshness)] : []),
      ];
      const split =
        q !== undefined
          ? undefined
          : rules.length === 0 && aggregates.length === 0
            ? { rowCount: validation.rowCount, invalidRows: 0, quarantined: 0, byRule: {}, aggregates: [] }
            : await splitRows(ro, target, columns, rules, undefined, aggregates);
      return { schema, columns, validation, rules, aggregates, split };
    })
    .catch((error: unknown) => {
      throw locateSuiteError(error, suite);
    });
  const { schema, columns, validation, rules, aggregates } = checked;
  const failedTable = q ? (q.failed ?? { ...q.passed, name: `${q.passed.name}_quarantined` }) : undefined;
  const split =
    checked.split ??
    (await splitRows(
      engine,
      target,
      columns,
      rules,
      q ? { passed: q.passed, failed: failedTable!, passedAsView: q.passedAsView ?? false } : undefined,
      aggregates,
    ));
  const metrics: Record<string, number | null> = {
    row_count: validation.rowCount,
    ...Object.fromEntries(metricNames.map((m, i) => [m, metricValue(split.aggregates[i])])),
  };
  const freshness = suite.freshness
    ? judgeFreshness(suite.freshness, split.aggregates[metricNames.length], now)
    : undefined;

  let quarantined: SuiteRunResult["quarantined"];
  if (q) {
    const request = {
      dataset,
      stage: q.stage,
      failed: failedTable!,
      location: isSqlTarget(target) ? dataset : tableLabel(target),
    };
    const filed = q.write
      ? await q.write(request)
      : await quarantine(engine, { ...request, runId: options.runId ?? checkId, logicalDate: q.logicalDate });
    quarantined = {
      rowsIn: split.rowCount,
      passed: split.rowCount - split.quarantined,
      rows: filed.rows,
      byExpectation: Object.fromEntries(
        rules.filter((r) => r.quarantine).map((r) => [r.name, split.byRule[r.name] ?? 0]),
      ),
      table: tableLabel(quarantineTable(dataset)),
    };
  }

  const checks = expectationChecks(suite, validation, q !== undefined);
  if (freshness && suite.freshness) {
    checks.push(
      otherCheck(
        `freshness(${freshness.column})`,
        "freshness",
        "freshness",
        suite.freshness.severity,
        freshness,
      ),
    );
  }
  const previousColumns = suite.schema ? await options.store?.latestColumns(dataset) : undefined;
  const schemaResult = suite.schema ? compareSchema(schema, suite.schema, previousColumns) : undefined;
  if (schemaResult && suite.schema) {
    checks.push(
      otherCheck("schema_contract", "schema", "schema_contract", suite.schema.severity, schemaResult),
    );
  }
  let anomalies: AnomalyResult[] | undefined;
  if (suite.anomalies) {
    const { metrics: names, method, threshold, minHistory, severity } = suite.anomalies;
    anomalies = [];
    for (const metric of names) {
      const history = options.store ? await options.store.metricHistory(dataset, metric, { limit: 100 }) : [];
      const found = detectAnomaly(
        metric,
        metrics[metric] ?? null,
        history.map((p) => p.value),
        {
          method,
          ...(threshold === undefined ? {} : { threshold }),
          ...(minHistory === undefined ? {} : { minHistory }),
        },
      );
      anomalies.push(found);
      const check = otherCheck(`anomaly(${metric})`, "anomaly", "anomaly", severity, {
        success: !found.flagged,
        message: found.message,
      });
      check.scored = found.status !== "insufficient_history";
      checks.push(check);
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

function actionOf(severity: Severity): "fail" | "warn" {
  return severity === "error" ? "fail" : "warn";
}

function expectationChecks(suite: Suite, validation: ValidationResult, quarantining: boolean): SuiteCheck[] {
  return suite.expectations.map((e, i) => {
    const result = validation.results[i]!;
    const samples = result.result.partial_unexpected_list;
    return {
      name: e.name,
      kind: "expectation",
      type: e.config.type,
      severity: e.severity,
      // Without a quarantine to send rows to (or when it could not be evaluated at all), a
      // quarantine expectation acts by its severity.
      action:
        e.quarantine && quarantining && !result.exception_info?.raised_exception
          ? "quarantine"
          : actionOf(e.severity),
      success: result.success,
      scored: true,
      message: describeExpectationResult(result),
      ...(samples && samples.length > 0 ? { samples } : {}),
      expectation: result,
    };
  });
}

function otherCheck(
  name: string,
  kind: SuiteCheck["kind"],
  type: string,
  severity: Severity,
  outcome: { success: boolean; message: string },
): SuiteCheck {
  return {
    name,
    kind,
    type,
    severity,
    action: actionOf(severity),
    success: outcome.success,
    scored: true,
    message: outcome.message,
  };
}
