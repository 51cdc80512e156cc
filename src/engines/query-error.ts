import { EngineError, messageOf } from "../core/errors.js";

/** Failures a retry may fix: write conflicts, serialization failures, deadlocks, lost connections. */
const TRANSIENT =
  /conflict|could not serialize|deadlock detected|lock timeout|Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE|too many clients|the database system is (starting|shutting) up/i;

/** PostgreSQL SQLSTATE classes that are transient: 40 (transaction rollback), 08 (connection), 53 (resources), 57P (operator intervention). */
const TRANSIENT_SQLSTATE = /^(40|08|53|57P)/;

function shorten(sql: string, max = 400): string {
  const oneLine = sql.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max)}…`;
}

/**
 * Wraps an engine driver's error in an `EngineError` that names the engine, the statement
 * (shortened) and, for PostgreSQL, the SQLSTATE, and says whether a retry may help.
 */
export function queryFailed(
  engine: string,
  sql: string,
  cause: unknown,
  details: Record<string, unknown> = {},
): EngineError {
  if (cause instanceof EngineError) return cause;
  const sqlState = (cause as { code?: unknown } | null)?.code;
  const state = typeof sqlState === "string" ? sqlState : undefined;
  const retryable =
    TRANSIENT.test(messageOf(cause)) || (state !== undefined && TRANSIENT_SQLSTATE.test(state));
  const where = state ? ` (SQLSTATE ${state})` : "";
  return new EngineError(
    "ENGINE_QUERY_FAILED",
    `${engine} rejected a statement${where}: ${messageOf(cause)}\n  statement: ${shorten(sql)}`,
    {
      cause,
      retryable,
      details: { engine, sql: shorten(sql, 2000), ...(state ? { sqlState: state } : {}), ...details },
    },
  );
}
