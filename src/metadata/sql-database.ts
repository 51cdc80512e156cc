/**
 * The small slice of a SQL database the metadata repositories need. The SQLite and the
 * PostgreSQL stores each fill it in once (`sqlite-database.ts`, `postgres-database.ts`);
 * every repository is written once against it, with `?` placeholders that the PostgreSQL
 * driver rewrites to `$1…$n`. What differs between the databases is data on the dialect,
 * never an `if (postgres)` in a repository.
 */

/** A value bound as a statement parameter. `undefined` is bound as NULL. */
export type SqlValue = string | number | bigint | null | undefined;

export interface SqlConnection {
  /** Every row of a query. */
  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row of a query, if any. */
  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface MetadataDialect {
  readonly name: "sqlite" | "postgres";
  /**
   * Appended to the SELECT that reads a pool's size before a slot is claimed. PostgreSQL
   * needs a row lock to serialise claims across processes; SQLite's write transactions
   * (BEGIN IMMEDIATE) are serialised already.
   */
  readonly forUpdate: string;
  /** A statement run first inside the migration transaction to keep two migrators apart, if needed. */
  readonly migrationLock?: string;
  /**
   * A statement with one `?` (a key text) that, run inside a transaction, holds a lock on
   * that key until the transaction ends, so claims that first count and then write (a
   * pipeline's `maxActiveRuns`) are serialised across processes. None on SQLite: its
   * write transactions (BEGIN IMMEDIATE) are serialised already.
   */
  readonly keyLock?: string;
}

export interface SqlDatabase extends SqlConnection {
  readonly dialect: MetadataDialect;
  /**
   * Runs `fn` in one write transaction: commits when it resolves, rolls back when it
   * throws. Statements of other callers wait until it is over.
   */
  transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** JSON text for a column, or NULL. BigInts become strings (JSON has no 64-bit integers). */
export function toJson(value: unknown): string | null {
  return value === undefined
    ? null
    : JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** Parses a JSON column; NULL reads as undefined. */
export function fromJson<T>(text: string | null | undefined): T | undefined {
  return text === null || text === undefined ? undefined : (JSON.parse(text) as T);
}

/** PostgreSQL returns BIGINT and COUNT(*) as strings; SQLite as numbers. */
export function toNumber(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

/** `toNumber`, keeping NULL as undefined. */
export function optionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : toNumber(value);
}

/** `?, ?, ?` for an IN list or a VALUES row. */
export function placeholders(count: number): string {
  return Array.from({ length: count }, () => "?").join(", ");
}
