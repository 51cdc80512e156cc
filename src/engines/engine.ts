import type { RecordBatch, Row } from "../core/batch.js";
import type { Schema, TableRef } from "../core/types.js";
import type { Dialect } from "./dialect.js";

export type EngineKind = "duckdb" | "postgres";

/**
 * What differs between engines, as data rather than `if (postgres)` branches.
 */
export interface EngineCapabilities {
  /** The engine reads CSV, NDJSON and Parquet files itself, so file sources push down to it. */
  readsFiles: boolean;
  /** The engine writes Parquet files itself (`COPY … TO … (FORMAT parquet)`), so the lake can push down. */
  writesParquet: boolean;
  /** DDL inside a transaction is rolled back with it. */
  transactionalDdl: boolean;
  /**
   * The engine writes a query's result as CSV itself (`COPY (query) TO 'file' (FORMAT csv)`),
   * so transfers into an engine that bulk-loads CSV can skip JS value conversion.
   */
  writesCsv?: boolean;
}

export interface StreamOptions {
  /** Rows per batch; engines round to their native chunk size. */
  batchSize?: number;
}

export interface CreateTableOptions {
  ifNotExists?: boolean;
  primaryKey?: string[];
  temporary?: boolean;
}

/**
 * Runs SQL where the data is. Parameters are bound (`$1`, `$2`, … in both engines),
 * never pasted. Identifiers in generated SQL always go through `dialect.quoteIdent`.
 *
 * Lifecycle: `await XEngine.create(options)` → use → `await engine.close()`.
 */
export interface Engine {
  readonly kind: EngineKind;
  readonly dialect: Dialect;
  readonly capabilities: EngineCapabilities;
  /**
   * Where the data is, for lineage names: DuckDB's absolute database file (or `:memory:`),
   * PostgreSQL's `host:port/database` (never a password).
   */
  readonly location?: string;

  /**
   * Runs one statement for its effect. Returns rows changed where the engine reports it,
   * else 0. Every call that takes SQL text (`run`, `query`, `queryWithSettings`, `stream`)
   * runs exactly one statement: text holding several is refused with ENGINE_QUERY_FAILED
   * before any of them runs (see `single-statement.ts`).
   */
  run(sql: string, params?: readonly unknown[]): Promise<number>;

  /** Runs a query and returns every row as an object. For small results only. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;

  /**
   * Runs a query with engine settings changed for that one statement (DuckDB's
   * `perfect_ht_threshold`, PostgreSQL's `enable_hashagg`, say) and put back afterwards; no
   * other statement sees them.
   * Optional: engines without such settings leave it out and callers use `query`.
   */
  queryWithSettings?<T extends Row = Row>(
    settings: Readonly<Record<string, number | boolean>>,
    sql: string,
  ): Promise<T[]>;

  /**
   * Streams a query's result as columnar batches, holding at most a few batches in memory.
   * Yields at least one batch (an empty one for an empty result), so the result's columns
   * are always known.
   */
  stream(sql: string, params?: readonly unknown[], options?: StreamOptions): AsyncIterable<RecordBatch>;

  /**
   * Creates a schema namespace unless it exists. Safe for concurrent runs: a session that
   * loses the race to create it (DuckDB's catalog write-write conflict, PostgreSQL's
   * duplicate on `pg_namespace`) finds it made and carries on. Inside `transaction` it
   * does not tie the transaction to the schema: DuckDB creates it on a short connection
   * of its own that commits at once (two transactions creating one schema cannot both
   * commit there); PostgreSQL under a savepoint.
   */
  createSchema(schema: string): Promise<void>;

  /** Creates a table (and its schema namespace when missing, as `createSchema`) from a logical schema. */
  createTable(table: TableRef, schema: Schema, options?: CreateTableOptions): Promise<void>;

  /** Bulk-loads batches into an existing table (DuckDB appender, PostgreSQL COPY). Returns rows loaded. */
  load(table: TableRef, batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>): Promise<number>;

  /** The logical schema of a table, or undefined when the table does not exist. */
  describe(table: TableRef): Promise<Schema | undefined>;

  /**
   * Runs `fn` on one connection inside a transaction: commits when it resolves, rolls back
   * when it throws. The engine passed to `fn` is bound to that connection.
   */
  transaction<T>(fn: (tx: Engine) => Promise<T>): Promise<T>;

  /**
   * Runs `fn` on a session that cannot write, for quality checks and profiles: what `fn`'s
   * engine runs is refused unless it is one query, and whatever the session did is rolled
   * back when `fn` settles. `load` and writing statements fail with ENGINE_QUERY_FAILED.
   * Inside `transaction` the session is that transaction's connection (it sees its
   * uncommitted rows). What each engine enforces, and how, is in `read-only.ts`.
   *
   * @example
   * const rows = await engine.readOnly((ro) => ro.query("SELECT count(*) AS n FROM t"));
   */
  readOnly<T>(fn: (ro: Engine) => Promise<T>): Promise<T>;

  close(): Promise<void>;
}
