import { ConfigError } from "../core/errors.js";
import type { Schema, TableRef } from "../core/types.js";
import { tableLabel } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { sqlCheckProblem } from "./expectations/user-sql.js";

/** What a suite checks: a table of the engine, or any query (a lake scan, a file read by DuckDB). */
export type CheckTarget = TableRef | { sql: string };

export function isSqlTarget(target: CheckTarget): target is { sql: string } {
  return "sql" in target;
}

/** A FROM-able expression for the target. */
export function fromSql(engine: Engine, target: CheckTarget): string {
  // The newline ends a comment the query may close with, so it cannot swallow weir's SQL.
  return isSqlTarget(target) ? `(${target.sql}\n) AS weir_src` : engine.dialect.quoteTable(target);
}

/** How the target is named in messages. */
export function targetLabel(target: CheckTarget): string {
  return isSqlTarget(target) ? "query" : tableLabel(target);
}

/**
 * The target's columns and logical types. A query is asked for its result shape with
 * `LIMIT 0`, so nothing is read; it must be one query, as it is spliced in as a subquery.
 */
export async function targetSchema(engine: Engine, target: CheckTarget): Promise<Schema> {
  const problem = isSqlTarget(target) ? sqlCheckProblem(target.sql) : undefined;
  if (problem !== undefined) {
    throw new ConfigError(`the target query must be one SQL query (SELECT … or WITH …): ${problem}`, {
      details: { sql: (target as { sql: string }).sql },
    });
  }
  if (!isSqlTarget(target)) {
    const schema = await engine.describe(target);
    if (!schema) {
      throw new ConfigError(`table ${tableLabel(target)} does not exist`, {
        details: { table: tableLabel(target) },
      });
    }
    return schema;
  }
  for await (const batch of engine.stream(`SELECT * FROM ${fromSql(engine, target)} LIMIT 0`)) {
    return batch.schema;
  }
  return { fields: [] };
}
