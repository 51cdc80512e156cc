import { EngineError, messageOf } from "../core/errors.js";
import type { EngineKind } from "./engine.js";

/**
 * One call, one statement. Weir splices text it does not own into its statements (a
 * suite's `row_condition`, a SQL check, a pipeline's transform), so a `;` in that text
 * must never start a second statement: the engines' own parsers refuse it. DuckDB
 * prepares every statement (`Cannot prepare multiple statements at once!`); PostgreSQL
 * gets every statement over the extended query protocol (`cannot insert multiple commands
 * into a prepared statement`). These helpers turn those refusals into one clear error.
 */

const DRIVER_MESSAGES: Record<EngineKind, RegExp> = {
  duckdb: /Cannot prepare multiple statements at once/i,
  postgres: /cannot insert multiple commands into a prepared statement/i,
};

/** Whether a driver error is the engine refusing more than one statement in one call. */
export function isMultipleStatementsRefusal(engine: EngineKind, error: unknown): boolean {
  return DRIVER_MESSAGES[engine].test(messageOf(error));
}

/**
 * The error for SQL text holding more than one statement (`count` when known).
 *
 * @example
 * throw multipleStatements("duckdb", "SELECT 1; DROP TABLE t", 2);
 */
export function multipleStatements(
  engine: EngineKind,
  sql: string,
  count?: number,
  cause?: unknown,
): EngineError {
  const held = count === undefined ? "more than one statement" : `${count} statements`;
  return new EngineError(
    "ENGINE_QUERY_FAILED",
    `${engine}: one statement per call, but the SQL text holds ${held}; run each statement on its own\n  statement: ${shorten(sql)}`,
    {
      ...(cause === undefined ? {} : { cause }),
      details: { engine, sql: shorten(sql, 2000), ...(count === undefined ? {} : { statements: count }) },
    },
  );
}

function shorten(sql: string, max = 400): string {
  const oneLine = sql.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max)}…`;
}
