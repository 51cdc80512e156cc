import type { AnomalyResult } from "./anomaly.js";
import type { ExpectationResult } from "./expectations/expectation.js";
import { roundStatistic } from "./expectations/result-values.js";
import type { FreshnessResult } from "./freshness.js";
import type { QualityScore } from "./quality-score.js";
import type { SchemaContractResult } from "./schema-contract.js";
import type { Severity } from "./suite.js";
import type { ValidationResult } from "./validation-result.js";

/** What a failing check does: fail the suite, only be recorded, or send its rows to quarantine. */
export type CheckAction = "fail" | "warn" | "quarantine";

/** One line of a suite's outcome, whatever kind of check it was; what reports and the CLI list. */
export interface SuiteCheck {
  name: string;
  kind: "expectation" | "freshness" | "schema" | "anomaly";
  /** The expectation type, or freshness / schema_contract / anomaly. */
  type: string;
  severity: Severity;
  /** What happens when it fails. */
  action: CheckAction;
  success: boolean;
  /** False for anomaly metrics without enough history: shown, but not scored. */
  scored: boolean;
  /** One line for people: counts, observed value or the reason. */
  message: string;
  /** Up to the sample size of unexpected values (map expectations). */
  samples?: unknown[];
  /** The expectation's own result, for expectations. */
  expectation?: ExpectationResult;
}

export interface SuiteRunResult {
  /** The check's id in the quality history. */
  checkId: string;
  suite: string;
  dataset: string;
  runId?: string;
  checkedAt: string;
  /** No check with action "fail" failed. */
  success: boolean;
  checks: SuiteCheck[];
  validation: ValidationResult;
  score: QualityScore;
  freshness?: FreshnessResult;
  schema?: SchemaContractResult;
  anomalies?: AnomalyResult[];
  /** Metric values measured by this check (kept as history for anomaly detection). */
  metrics: Record<string, number | null>;
  /** With quarantine: rows in = passed + quarantined, and quarantined rows per expectation. */
  quarantined?: {
    rowsIn: number;
    passed: number;
    rows: number;
    byExpectation: Record<string, number>;
    table: string;
  };
}

/** A one-line account of an expectation result: counts, percent, observed value or the exception. */
export function describeExpectationResult(result: ExpectationResult): string {
  if (result.exception_info?.raised_exception) {
    return `could not be evaluated: ${result.exception_info.exception_message ?? "unknown error"}`;
  }
  const r = result.result;
  if (r.unexpected_count !== undefined) {
    const of = r.element_count !== undefined ? ` of ${r.element_count}` : "";
    const pct = typeof r.unexpected_percent === "number" ? ` (${trim(r.unexpected_percent)} %)` : "";
    const missing = r.missing_count ? `, ${r.missing_count} missing` : "";
    return `${r.unexpected_count}${of} unexpected${pct}${missing}`;
  }
  if (r.observed_value !== undefined) return `observed ${short(r.observed_value)}`;
  return result.success ? "passed" : "failed";
}

function trim(n: number): string {
  return n === 0 || n >= 1 ? n.toFixed(n % 1 === 0 ? 0 : 2) : n.toPrecision(2);
}

/** JSON, floating-point statistics shown to 12 significant digits (results keep the full value). */
function short(value: unknown): string {
  const text =
    JSON.stringify(value, (_k, v) =>
      typeof v === "bigint" ? v.toString() : typeof v === "number" ? roundStatistic(v) : v,
    ) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 197)}…` : text;
}
