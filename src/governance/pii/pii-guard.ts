import type { Engine } from "../../engines/engine.js";
import type { CheckTarget } from "../../quality/suite-target.js";
import { type PiiGuardFinding, PiiUnmaskedError } from "./pii-unmasked-error.js";
import { type PiiScanOptions, scanTable } from "./scan-table.js";

export interface PiiGuardOptions extends PiiScanOptions {
  /** Columns allowed to hold PII as it is (a key kept raw on purpose): not reported. */
  allow?: readonly string[];
  /** False: return the error in the result instead of throwing it. Default true. */
  throwOnFindings?: boolean;
}

export interface PiiGuardResult {
  target: string;
  rowsScanned: number;
  /** Empty when the table holds no unmasked PII. */
  findings: PiiGuardFinding[];
  /** The error thrown (or, with `throwOnFindings: false`, returned) when there are findings. */
  error?: PiiUnmaskedError;
}

/**
 * Checks that a protected table holds no PII in the clear: scans it as `scanTable` does and
 * reports every column (outside `allow`) where a class is found in its values. Masked values
 * are not PII to the detectors — `a***@x.com`, `***5678`, 64-hex HMAC digests, `tok_…`
 * tokens — and a column whose name alone suggests a class (a `first_name` column that is
 * all NULL) is not a finding: only values are.
 *
 * Throws `PiiUnmaskedError` (PII_UNMASKED) with the findings, unless `throwOnFindings` is false.
 *
 * @example
 * await assertNoUnmaskedPii(engine, { schema: "processed", name: "customers" }, { allow: ["customer_id"] });
 */
export async function assertNoUnmaskedPii(
  engine: Engine,
  table: CheckTarget,
  options: PiiGuardOptions = {},
): Promise<PiiGuardResult> {
  const report = await scanTable(engine, table, options);
  const allowed = new Set(options.allow ?? []);
  const findings: PiiGuardFinding[] = [];
  for (const column of report.columns) {
    if (allowed.has(column.column)) continue;
    for (const found of column.classes) {
      if (found.evidence !== "name") findings.push({ column: column.column, ...found });
    }
  }
  const result: PiiGuardResult = { target: report.target, rowsScanned: report.rowsScanned, findings };
  if (findings.length === 0) return result;
  const error = new PiiUnmaskedError(report.target, findings);
  if (options.throwOnFindings ?? true) throw error;
  return { ...result, error };
}
