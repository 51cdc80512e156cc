import { ConfigError } from "../../core/errors.js";
import type { Engine } from "../../engines/engine.js";
import { tokenKeys } from "../vault/token-key.js";
import { hmacPads } from "./hmac-sql.js";
import { type OutputSqlContext, outputSql } from "./policy-expressions.js";
import { PreparedValues } from "./policy-prepared-values.js";
import { hashKeyOf, type PolicySecrets, tokenKeyOf } from "./policy-secrets.js";
import { type PolicySource, SOURCE_ALIAS, sourceColumns } from "./policy-source.js";
import { policySqlFunctions } from "./policy-sql-functions.js";
import type { DatasetPolicy } from "./policy-types.js";

export interface PolicySelectOptions {
  /** The hash and token keys (default: from `WEIR_PII_HASH_KEY` and `WEIR_TOKEN_KEY`). */
  secrets?: PolicySecrets;
}

/**
 * ONE SELECT statement that applies `policy` to `source` on `engine`: columns the policy
 * does not name pass through unchanged and in order; a named column is replaced, at its
 * place, by its outputs (its raw value first when `allowRaw` keeps it); a dropped column is
 * gone. DuckDB and PostgreSQL give the same rows byte for byte. Land data with it (`CREATE
 * TABLE … AS`, `writeTable`'s `{ engine, sql }`, a lake write), then `recordTokens` when the
 * policy tokenizes.
 *
 * Hash and token keys appear in the SQL as HMAC pads, which are as secret as the keys: they
 * are registered for scrubbing, so logs, errors and the metadata store never keep them.
 *
 * @example
 * const sql = await policySelect(engine, { sql: "SELECT * FROM staging.customers" }, customersPolicy);
 * await engine.run(`CREATE TABLE clean.customers AS ${sql}`);
 */
export async function policySelect(
  engine: Engine,
  source: PolicySource,
  policy: DatasetPolicy,
  options: PolicySelectOptions = {},
): Promise<string> {
  const columns = await sourceColumns(engine, source);
  checkColumns(policy, columns);
  const prepared = new PreparedValues(engine, columns);
  const ctx = outputContext(engine, policy, options.secrets ?? {}, (expr) => prepared.ref(expr));
  const q = (name: string) => engine.dialect.quoteIdent(name);
  const byColumn = new Map(policy.columns.map((c) => [c.column, c]));
  const items = columns.flatMap((column) => {
    const ref = `${SOURCE_ALIAS}.${q(column)}`;
    const rule = byColumn.get(column);
    if (!rule) return [ref];
    return [
      ...(rule.keepRaw ? [ref] : []),
      ...rule.outputs.map((output) => `${outputSql(output, ref, ctx)} AS ${q(output.as)}`),
    ];
  });
  if (items.length === 0) {
    throw new ConfigError(`policy "${policy.dataset}" drops every column of its source`, {
      details: { dataset: policy.dataset },
    });
  }
  return `SELECT ${items.join(", ")} FROM ${prepared.from(source)}`;
}

/**
 * The engine's functions and literals, and the keys' HMAC pads computed the first time an
 * output needs them (a policy without `hash` needs no hash key). `prepare` computes a value
 * once per row (`PreparedValues.ref`); by default it is written out at each reference.
 */
export function outputContext(
  engine: Engine,
  policy: DatasetPolicy,
  secrets: PolicySecrets,
  prepare: (expr: string) => string = (expr) => expr,
): OutputSqlContext {
  const needer = (kind: string) => {
    const rule = policy.columns.find((c) => c.outputs.some((o) => o.kind === kind));
    return `the ${kind} policy of ${policy.dataset}.${rule?.column ?? "?"}`;
  };
  let hash: ReturnType<OutputSqlContext["hashPads"]> | undefined;
  let token: ReturnType<OutputSqlContext["tokenPads"]> | undefined;
  return {
    fn: policySqlFunctions(engine.kind),
    literal: (value) => engine.dialect.quoteLiteral(value),
    prepare,
    hashPads: () => {
      if (hash === undefined) {
        const key = hashKeyOf(secrets, needer("hash"));
        hash = hmacPads(Buffer.from(key.reveal(), "utf8"), key.name);
      }
      return hash;
    },
    tokenPads: () => {
      if (token === undefined) {
        const key = tokenKeyOf(secrets, needer("tokenize"));
        token = hmacPads(tokenKeys(key).idKey, key.name);
      }
      return token;
    },
  };
}

/** Every column the policy names is in the source, and no output takes a passing column's name. */
function checkColumns(policy: DatasetPolicy, columns: readonly string[]): void {
  const present = new Set(columns);
  const listed = columns.length > 12 ? `${columns.slice(0, 12).join(", ")}, …` : columns.join(", ");
  const named = [...policy.columns.map((c) => c.column), ...policy.allowRaw];
  for (const column of named) {
    if (!present.has(column)) {
      throw new ConfigError(
        `policy "${policy.dataset}": column "${column}" is not in the source (its columns: ${listed})`,
        { details: { dataset: policy.dataset, column } },
      );
    }
  }
  const ruled = new Set(policy.columns.map((c) => c.column));
  for (const rule of policy.columns) {
    for (const output of rule.outputs) {
      if (output.as !== rule.column && present.has(output.as) && !ruled.has(output.as)) {
        throw new ConfigError(
          `policy "${policy.dataset}": column "${rule.column}" writes "${output.as}", which the source has already; name the output otherwise or add a policy for "${output.as}"`,
          { details: { dataset: policy.dataset, column: rule.column, output: output.as } },
        );
      }
    }
  }
}
