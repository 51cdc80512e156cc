import { EngineError, messageOf } from "../core/errors.js";

/**
 * Failures a retry may fix: DuckDB's transaction conflicts (optimistic concurrency: the
 * later of two writers of the same rows or catalog entry fails), PostgreSQL serialization
 * failures, deadlocks, lock timeouts, a server that is full or restarting. Not every
 * message with "conflict" in it: an invalid ON CONFLICT target fails again every time.
 */
const TRANSIENT =
  /write-write conflict|Conflict on (update|tuple deletion)|Transaction conflict|could not serialize|deadlock detected|lock timeout|too many clients|the database system is (starting|shutting) up/i;

/**
 * DuckDB checks a transaction's new keys against other transactions' only at COMMIT: a
 * key another transaction committed meanwhile fails the commit, and the same write run
 * again (now seeing that row) succeeds.
 */
const COMMIT_KEY_RACE = /Failed to commit: .*constraint violation/i;

/** The connection itself went away (server restart, failover, pg_terminate_backend, network). */
const CONNECTION_LOST =
  /Connection terminated|not queryable|server closed the connection|terminating connection|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EHOSTUNREACH/i;

/** PostgreSQL SQLSTATE classes that are transient: 40 (transaction rollback), 08 (connection), 53 (resources), 57P (operator intervention). */
const TRANSIENT_SQLSTATE = /^(40|08|53|57P)/;

/** SQLSTATEs that mean the session is gone: class 08, and admin/crash shutdown, cannot connect now, idle session timeout. */
const CONNECTION_SQLSTATE = /^(08|57P0[1235])/;

/**
 * DuckDB quotes the failing statement under its message ("LINE 1: SELECT …" and a line with
 * a caret). The error names the statement itself, once, so the quote is left out.
 */
const STATEMENT_EXCERPT = /\n*LINE \d+: [^\n]*(\n[ \t]*\^[ \t]*)?/g;

/** The driver's message without its quote of the statement. */
function engineMessage(cause: unknown): string {
  return messageOf(cause).replace(STATEMENT_EXCERPT, "").trimEnd();
}

function shorten(sql: string, max = 400): string {
  const oneLine = sql.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max)}…`;
}

/** The driver error's SQLSTATE (five characters), if it has one; Node socket errors carry `code: "ECONNRESET"` instead. */
export function sqlStateOf(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | null)?.code;
  // A Node system error (`write EPIPE`, with `syscall`) has a code of five capitals too.
  if (cause !== null && typeof cause === "object" && "syscall" in cause) return undefined;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * True when `cause` is PostgreSQL's unique violation on one of its own catalogs
 * (`pg_type_typname_nsp_index`, `pg_namespace_nspname_index`, …): two sessions created the
 * same table, schema or index at once and the later one lost. Running it again finds the
 * object there.
 */
function catalogRace(cause: unknown, state: string | undefined): boolean {
  const constraint = (cause as { constraint?: unknown } | null)?.constraint;
  return state === "23505" && typeof constraint === "string" && constraint.startsWith("pg_");
}

/** True when the connection a statement ran on was lost, so the statement's outcome is unknown. */
export function connectionLost(cause: unknown): boolean {
  const state = sqlStateOf(cause);
  if (state !== undefined) return CONNECTION_SQLSTATE.test(state);
  const code = (cause as { code?: unknown } | null)?.code;
  return CONNECTION_LOST.test(messageOf(cause)) || (typeof code === "string" && CONNECTION_LOST.test(code));
}

/**
 * Wraps an engine driver's error in an `EngineError` that names the engine, the statement
 * (shortened) and, for PostgreSQL, the SQLSTATE, and says whether a retry may help. A lost
 * connection is `ENGINE_CONNECTION_FAILED` (retryable); everything else `ENGINE_QUERY_FAILED`.
 */
export function queryFailed(
  engine: string,
  sql: string,
  cause: unknown,
  details: Record<string, unknown> = {},
): EngineError {
  if (cause instanceof EngineError) return cause;
  const state = sqlStateOf(cause);
  const where = state ? ` (SQLSTATE ${state})` : "";
  const facts = { engine, sql: shorten(sql, 2000), ...(state ? { sqlState: state } : {}), ...details };
  if (connectionLost(cause)) {
    return new EngineError(
      "ENGINE_CONNECTION_FAILED",
      `${engine} lost its connection${where}: ${engineMessage(cause)}; running the work again may succeed\n  statement: ${shorten(sql)}`,
      { cause, retryable: true, details: facts },
    );
  }
  const message = messageOf(cause);
  const retryable =
    TRANSIENT.test(message) ||
    COMMIT_KEY_RACE.test(message) ||
    catalogRace(cause, state) ||
    (state !== undefined && TRANSIENT_SQLSTATE.test(state));
  return new EngineError(
    "ENGINE_QUERY_FAILED",
    `${engine} rejected a statement${where}: ${engineMessage(cause)}\n  statement: ${shorten(sql)}`,
    { cause, retryable, details: facts },
  );
}
