import { EngineError } from "../core/errors.js";
import type { EngineKind } from "./engine.js";
import { codeTokens, scanSql } from "./scan-sql.js";

/**
 * What `Engine.readOnly` guarantees, and the checks the engines share for it.
 *
 * Neither engine has a read-only connection to a database another connection of the same
 * process writes, so the guarantee is built from what each does have:
 *
 * - **DuckDB**: a connection of its own in `BEGIN TRANSACTION READ ONLY`, always rolled
 *   back. DuckDB refuses every write to a database in it (INSERT, UPDATE, DELETE, DDL,
 *   `nextval`). It still lets statements through that write elsewhere — `COPY … TO` a file,
 *   `EXPORT DATABASE`, `ATTACH`, `SET`, `INSTALL`/`LOAD` — so every statement is prepared on
 *   its own and must be a SELECT (DuckDB's `statementType`, from its own parser). Temporary
 *   tables a SELECT may create (read_csv's `store_rejects`) go with the rollback.
 * - **PostgreSQL**: a pooled connection in `BEGIN TRANSACTION READ ONLY`, always rolled
 *   back. The server refuses writes, DDL, `nextval` and a switch back to read-write once a
 *   query ran. It still runs `COPY … TO` a server file for a superuser, so every statement
 *   must begin like a query (SELECT, WITH, VALUES, TABLE or a parenthesis; a data-modifying
 *   WITH is refused by the server), and calls to the few functions that write server files
 *   or open another session (`lo_export`, adminpack's `pg_file_*`, `dblink*`) are refused.
 * - **Inside a transaction**: PostgreSQL sets `transaction_read_only` in a savepoint that is
 *   rolled back afterwards; DuckDB has no savepoints, so only the statement checks apply
 *   there and nothing is rolled back.
 * - **After a failed statement** the session is begun again (see {@link ReadOnlySession}).
 *
 * Reading stays possible, files included (`read_csv('/etc/passwd')`): reading is what a
 * check does, and the connection's own privileges decide what it may read.
 */

/**
 * The read-only session an engine object is bound to. A statement that fails at run time
 * aborts the transaction under it on both engines; `restart` begins the session again (a
 * new snapshot), so one failed check does not fail the next. Absent where that cannot be
 * done: inside the caller's DuckDB transaction, which the failure has aborted anyway.
 */
export interface ReadOnlySession {
  restart?: () => Promise<void>;
}

/** Words a PostgreSQL query statement can begin with. */
const QUERY_START = new Set(["select", "with", "values", "table"]);

/** PostgreSQL functions a SELECT can call that write server files or act through another session. */
const SIDE_EFFECT_FUNCTION = /^(lo_export|pg_file_(write|rename|unlink|sync)|dblink\w*)$/;

/**
 * Why `sql` cannot run in a PostgreSQL read-only session, or undefined when it can.
 *
 * @example
 * postgresReadOnlyProblem("COPY (SELECT 1) TO '/tmp/x'"); // "it is a COPY statement, not a query"
 */
export function postgresReadOnlyProblem(sql: string): string | undefined {
  const scan = scanSql(sql);
  if (scan.problem) return scan.problem.message;
  const tokens = codeTokens(scan);
  const first = tokens[0];
  if (first === undefined) return "it holds no statement";
  if (!(first.kind === "symbol" && first.value === "(") && !QUERY_START.has(first.value))
    return `it is a ${first.value.toUpperCase()} statement, not a query`;
  for (const [i, token] of tokens.entries()) {
    if (token.kind !== "word" && token.kind !== "quoted") continue;
    const amp = tokens[i - 1];
    const u = tokens[i - 2];
    if (
      token.kind === "quoted" &&
      amp?.value === "&" &&
      amp.end === token.start &&
      u?.value === "u" &&
      u.end === amp.start
    )
      return `it names a Unicode-escaped identifier (U&"…") at character ${token.start + 1}`;
    if (tokens[i + 1]?.value === "(" && SIDE_EFFECT_FUNCTION.test(token.value))
      return `it calls ${token.value}(), which acts outside the read-only transaction`;
  }
  return undefined;
}

/**
 * The error for a statement refused by a read-only session.
 *
 * @example
 * throw notReadOnly("duckdb", "DELETE FROM t", "it is a DELETE statement, not a query");
 */
export function notReadOnly(engine: EngineKind, sql: string, why: string): EngineError {
  const oneLine = sql.replace(/\s+/g, " ").trim();
  const shown = oneLine.length <= 400 ? oneLine : `${oneLine.slice(0, 400)}…`;
  return new EngineError(
    "ENGINE_QUERY_FAILED",
    `${engine}: a read-only session runs queries only, and this statement was refused: ${why}\n  statement: ${shown}`,
    { details: { engine, readOnly: true, sql: oneLine.slice(0, 2000) } },
  );
}
