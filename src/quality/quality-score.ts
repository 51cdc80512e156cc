/**
 * The quality score of a check, two ways: the share of checks that passed (every
 * expectation, freshness, the schema contract and each anomaly metric that had enough
 * history), and the share of rows that pass every row-level expectation.
 */
export interface QualityScore {
  /** passedChecks / totalChecks; null when nothing was checked. */
  checks: number | null;
  /** validRows / rowCount; null for an empty dataset. */
  rows: number | null;
  passedChecks: number;
  totalChecks: number;
  validRows: number;
  rowCount: number;
}

/**
 * @example
 * qualityScore([true, true, false], { rowCount: 100, invalidRows: 3 }); // checks 2/3, rows 0.97
 */
export function qualityScore(
  checks: readonly boolean[],
  rows: { rowCount: number; invalidRows: number },
): QualityScore {
  const passedChecks = checks.filter(Boolean).length;
  const validRows = rows.rowCount - rows.invalidRows;
  return {
    checks: checks.length === 0 ? null : passedChecks / checks.length,
    rows: rows.rowCount === 0 ? null : validRows / rows.rowCount,
    passedChecks,
    totalChecks: checks.length,
    validRows,
    rowCount: rows.rowCount,
  };
}

/** "97.5 %", "100 %", "99.987 %" (three decimals near 0 and 100 %), or "n/a". */
export function formatScore(score: number | null): string {
  if (score === null) return "n/a";
  const pct = score * 100;
  if (Number.isInteger(pct)) return `${pct} %`;
  const digits = (pct > 99.9 && pct < 100) || (pct > 0 && pct < 0.1) ? 3 : 1;
  return `${pct.toFixed(digits)} %`;
}
