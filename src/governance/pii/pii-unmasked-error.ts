import { WeirError } from "../../core/errors.js";
import type { PiiEvidence } from "./classify-column.js";
import type { PiiClass, PiiPolicy } from "./pii-class.js";

/** One column of a protected table holding one PII class unmasked. */
export interface PiiGuardFinding {
  column: string;
  class: PiiClass;
  confidence: number;
  matchedShare: number;
  suggestedPolicy: PiiPolicy;
  evidence: PiiEvidence;
}

/**
 * A protected table holds PII that no policy masked (PII_UNMASKED). Not retryable: the
 * same data fails the same way until a policy covers the column or the column is allowed.
 */
export class PiiUnmaskedError extends WeirError {
  readonly findings: readonly PiiGuardFinding[];

  constructor(table: string, findings: readonly PiiGuardFinding[]) {
    const listed = findings
      .map(
        (f) =>
          `${f.column}: ${f.class} (${Math.round(f.matchedShare * 1000) / 10}% of values, suggested policy ${f.suggestedPolicy})`,
      )
      .join("; ");
    super(
      "PII_UNMASKED",
      `${table} holds unmasked PII in ${findings.length} column${findings.length === 1 ? "" : "s"}: ${listed}. Apply a policy to these columns before they land here, or allow them`,
      { details: { table, findings } },
    );
    this.findings = findings;
  }
}
