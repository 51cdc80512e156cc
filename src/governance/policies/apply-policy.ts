import type { TableRef } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { sqlDatabaseOf } from "../../metadata/sql-database-of.js";
import { AuditLog } from "../audit/audit-log.js";
import { TokenVault } from "../vault/token-vault.js";
import type { PolicySecrets } from "./policy-secrets.js";
import { policySelect } from "./policy-select.js";
import { recordPolicyState } from "./policy-state.js";
import type { DatasetPolicy } from "./policy-types.js";
import { recordTokens } from "./record-tokens.js";

export interface ApplyPolicyOptions {
  secrets?: PolicySecrets;
  actor?: string;
}

/**
 * What a task does where data lands in a protected zone or table: the SELECT that applies
 * `policy` to `source` on the engine (hash, mask, tokenize, redact, drop, generalize — one
 * statement, same output on DuckDB and PostgreSQL), after recording the policy (a changed
 * policy is written to the audit log once) and the tokens a `tokenize` column needs in the
 * vault. Write the returned SQL with `writeTable` or a lake `write`.
 *
 * @example
 * const { sql } = await applyPolicy(ctx, { sql: `SELECT * FROM ${passed}` }, customersPolicy);
 * await writeTable(ctx.engine, { name: "dim_customers" }, { engine: ctx.engine, sql }, { mode: "upsert", key: ["customer_id"] });
 */
export async function applyPolicy(
  ctx: { engine: Engine; metadata: MetadataStore },
  source: { sql: string } | TableRef,
  policy: DatasetPolicy,
  options: ApplyPolicyOptions = {},
): Promise<{ sql: string; tokensAdded: number; policyChanged: boolean }> {
  const secrets = options.secrets ?? {};
  const db = sqlDatabaseOf(ctx.metadata);
  let policyChanged = false;
  let tokensAdded = 0;
  if (db) {
    const audit = new AuditLog(db);
    policyChanged = (await recordPolicyState(db, policy, options.actor, { audit })).changed;
    if (policy.columns.some((c) => c.outputs.some((o) => o.kind === "tokenize"))) {
      const vault = new TokenVault(db, { audit });
      tokensAdded = (await recordTokens(ctx.engine, source, policy, vault, { secrets })).added;
    }
  }
  const sql = await policySelect(ctx.engine, source, policy, { secrets });
  return { sql, tokensAdded, policyChanged };
}
