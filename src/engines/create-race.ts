import { messageOf, WeirError } from "../core/errors.js";

/**
 * SQLSTATEs of PostgreSQL losing a race to create a relation (42P07), a schema (42P06) or
 * the row type every table gets (42710, "type … already exists").
 */
const DUPLICATE_OBJECT = new Set(["42P07", "42P06", "42710"]);

/**
 * DuckDB's message when two transactions create the same catalog entry (a schema, a table):
 * the later one fails instead of waiting, even with IF NOT EXISTS.
 */
const DUCKDB_CREATE_CONFLICT = /write-write conflict on create/i;

/** How often a create is tried before the race is reported; each retry waits a little longer. */
const CREATE_ATTEMPTS = 6;

/**
 * True when `error` is a create statement losing a race with another session creating the
 * same schema or table at the same moment: DuckDB's catalog write-write conflict, or
 * PostgreSQL's 42P06/42P07/42710 or unique violation on one of its catalogs (23505, which
 * `queryFailed` marks retryable only for catalog indexes). Running the same
 * `CREATE … IF NOT EXISTS` again, once the winner has committed, finds the object there.
 */
export function lostCreateRace(error: unknown): boolean {
  if (!(error instanceof WeirError)) return false;
  const state = error.details.sqlState;
  if (typeof state === "string") return DUPLICATE_OBJECT.has(state) || (state === "23505" && error.retryable);
  return DUCKDB_CREATE_CONFLICT.test(messageOf(error));
}

/**
 * Runs an idempotent create (`CREATE SCHEMA IF NOT EXISTS`, `CREATE TABLE IF NOT EXISTS`)
 * again while it loses a race to another session creating the same object, waiting a few
 * milliseconds more each time so the winner can commit; any other error, or a race lost
 * `CREATE_ATTEMPTS` times, is thrown as it is.
 *
 * @example
 * await retryCreateRace(() => engine.run('CREATE SCHEMA IF NOT EXISTS "staging"'));
 */
export async function retryCreateRace<T>(create: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await create();
    } catch (error) {
      if (!lostCreateRace(error) || attempt >= CREATE_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 10));
    }
  }
}
