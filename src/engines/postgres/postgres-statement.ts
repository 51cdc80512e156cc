import type { PoolClient, QueryConfig } from "pg";
import type { EngineError } from "../../core/errors.js";
import { queryFailed } from "../query-error.js";
import type { ReadOnlySession } from "../read-only.js";
import { isMultipleStatementsRefusal, multipleStatements } from "../single-statement.js";

/** `pg`'s query config; `queryMode` (pg ≥ 8.12) is missing from @types/pg. */
interface ExtendedQueryConfig extends QueryConfig {
  queryMode: "extended";
}

/**
 * A query config that runs `text` as ONE statement. Without parameters `pg` would use the
 * simple query protocol, where the server runs every `;`-separated statement of the text;
 * the extended protocol (parse, bind, execute) takes one, and the server refuses text
 * holding more ("cannot insert multiple commands into a prepared statement") before
 * running any of it.
 *
 * @example
 * await client.query(oneStatement("SELECT $1::int AS n", [1]));
 */
export function oneStatement(text: string, values?: readonly unknown[]): QueryConfig {
  const config: ExtendedQueryConfig = { text, queryMode: "extended" };
  if (values !== undefined && values.length > 0) config.values = [...values];
  return config;
}

/** The error for a statement the server refused: several statements get their own message. */
export function statementFailed(sql: string, error: unknown): EngineError {
  return isMultipleStatementsRefusal("postgres", error)
    ? multipleStatements("postgres", sql, undefined, error)
    : queryFailed("postgres", sql, error);
}

/**
 * Runs `fn` in a read-only transaction on `client` (which it releases afterwards), rolled
 * back when `fn` settles. A failed statement aborts a PostgreSQL transaction, so the
 * session's `restart` rolls back and begins again.
 */
export async function readOnlyTransaction<T>(
  client: PoolClient,
  fn: (session: ReadOnlySession) => Promise<T>,
): Promise<T> {
  const begin = async () => {
    try {
      await client.query("BEGIN TRANSACTION READ ONLY");
    } catch (error) {
      throw queryFailed("postgres", "BEGIN TRANSACTION READ ONLY", error);
    }
  };
  let release: boolean | Error = false;
  try {
    await begin();
    return await fn({
      restart: async () => {
        await client.query("ROLLBACK");
        await begin();
      },
    });
  } finally {
    // Rolled back either way: a read-only session has nothing to keep. A connection that
    // cannot even roll back is not returned to the pool.
    await client.query("ROLLBACK").catch((error: unknown) => {
      release = error instanceof Error ? error : new Error(String(error));
    });
    client.release(release);
  }
}

/**
 * Runs `fn` read-only inside a transaction already open on `client`: a savepoint whose
 * `SET LOCAL transaction_read_only = on` lasts until it is rolled back to (PostgreSQL lets
 * a transaction become read-only at any point, and refuses to become read-write again
 * inside a savepoint). Rolling back to it also undoes whatever `fn` managed to do.
 */
export async function readOnlySavepoint<T>(
  client: PoolClient,
  fn: (session: ReadOnlySession) => Promise<T>,
): Promise<T> {
  const readOnly = () => client.query("SET LOCAL transaction_read_only = on");
  try {
    await client.query(`SAVEPOINT ${SAVEPOINT}`);
    await readOnly();
  } catch (error) {
    throw queryFailed("postgres", `SAVEPOINT ${SAVEPOINT}`, error);
  }
  let outcome: { ok: true; value: T } | { ok: false; error: unknown };
  try {
    const restart = async () => {
      await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      await readOnly();
    };
    outcome = { ok: true, value: await fn({ restart }) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  try {
    await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
  } catch (error) {
    // fn's own failure says more than the clean-up's; the caller's transaction is lost either way.
    if (outcome.ok) throw queryFailed("postgres", `ROLLBACK TO SAVEPOINT ${SAVEPOINT}`, error);
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

const SAVEPOINT = "weir_read_only";
