import { ConfigError } from "../../core/errors.js";
import { type TableRef, tableLabel } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";

/** What a policy reads: a query (its columns found by running it with LIMIT 0, unless given) or a table. */
export type PolicySource = { sql: string; columns?: readonly string[] } | TableRef;

/** The alias the source gets, so column references cannot meet an output's alias. */
export const SOURCE_ALIAS = "weir_policy_source";

/** `FROM` text for the source, aliased {@link SOURCE_ALIAS}. */
export function sourceFrom(engine: Engine, source: PolicySource): string {
  return "sql" in source
    ? `(${source.sql}) AS ${SOURCE_ALIAS}`
    : `${engine.dialect.quoteTable(source)} AS ${SOURCE_ALIAS}`;
}

/** The source's column names, in order. */
export async function sourceColumns(engine: Engine, source: PolicySource): Promise<string[]> {
  if ("sql" in source) {
    if (source.columns) return [...source.columns];
    for await (const batch of engine.stream(`SELECT * FROM (${source.sql}) AS ${SOURCE_ALIAS} LIMIT 0`)) {
      return batch.schema.fields.map((f) => f.name);
    }
    return [];
  }
  const schema = await engine.describe(source);
  if (!schema) {
    throw new ConfigError(`cannot apply a policy to ${tableLabel(source)}: the table does not exist`, {
      details: { table: tableLabel(source) },
    });
  }
  return schema.fields.map((f) => f.name);
}
