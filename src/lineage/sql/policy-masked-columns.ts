import type { DatasetPolicy } from "../../governance/policies/policy-types.js";

/**
 * The output columns a governance policy writes obfuscated (hash, tokenize, mask, redact,
 * generalize): weir's masking is generated SQL (HMAC over SHA-256, `regexp_replace`,
 * `CASE`…) that a parser cannot tell from other computations, so the load that applies a
 * policy names them to `statementLineage` as `maskedColumns`.
 *
 * @example
 * const lineage = await statementLineage(loadSql, catalog, { maskedColumns: policyMaskedColumns(policy) });
 */
export function policyMaskedColumns(policy: DatasetPolicy): string[] {
  return policy.columns.flatMap((column) => column.outputs.map((output) => output.as));
}
