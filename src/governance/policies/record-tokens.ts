import type { Engine } from "../../engines/engine.js";
import type { TokenPair, TokenVault } from "../vault/token-vault.js";
import { text, tokenSql } from "./policy-expressions.js";
import type { PolicySecrets } from "./policy-secrets.js";
import { outputContext } from "./policy-select.js";
import { type PolicySource, SOURCE_ALIAS, sourceFrom } from "./policy-source.js";
import type { DatasetPolicy } from "./policy-types.js";

/** Rows per batch read back from the engine. */
const BATCH_ROWS = 2048;

export interface RecordTokensResult {
  /** Distinct (token, value) pairs the source holds. */
  tokens: number;
  /** Pairs the vault did not have yet. */
  added: number;
}

/**
 * Stores in `vault` the value behind every token the policy's `tokenize` outputs give the
 * rows of `source`: the distinct (token, value) pairs are computed on the engine with the
 * same SQL `policySelect` uses, streamed back in columnar batches and recorded (existing
 * tokens skipped, concurrent recorders settled by the vault). Run it after the landing
 * query, on the same source; running it again adds nothing.
 *
 * @example
 * await engine.run(`CREATE TABLE clean.customers AS ${await policySelect(engine, source, policy)}`);
 * await recordTokens(engine, source, policy, new TokenVault(store.database));
 */
export async function recordTokens(
  engine: Engine,
  source: PolicySource,
  policy: DatasetPolicy,
  vault: TokenVault,
  options: { secrets?: PolicySecrets } = {},
): Promise<RecordTokensResult> {
  const ctx = outputContext(engine, policy, options.secrets ?? {});
  const result: RecordTokensResult = { tokens: 0, added: 0 };
  for (const rule of policy.columns) {
    const output = rule.outputs.find((o) => o.kind === "tokenize");
    if (output?.kind !== "tokenize") continue;
    const ref = `${SOURCE_ALIAS}.${engine.dialect.quoteIdent(rule.column)}`;
    const sql = `SELECT DISTINCT ${tokenSql(ref, ctx)} AS token, ${text(ref)} AS value FROM ${sourceFrom(engine, source)} WHERE ${ref} IS NOT NULL`;
    for await (const batch of engine.stream(sql, [], { batchSize: BATCH_ROWS })) {
      const [tokens, values] = batch.columns as [string[], string[]];
      const pairs: TokenPair[] = [];
      for (let i = 0; i < batch.numRows; i++) {
        pairs.push({ token: tokens[i]!, value: values[i]!, piiClass: output.piiClass });
      }
      result.tokens += pairs.length;
      if (pairs.length > 0) result.added += await vault.record(pairs);
    }
  }
  return result;
}
