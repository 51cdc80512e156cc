import type { RecordBatch, Row } from "../../core/batch.js";
import { EngineError } from "../../core/errors.js";
import type { Schema, TableRef } from "../../core/types.js";
import type { CreateTableOptions, Engine, StreamOptions } from "../engine.js";
import { DuckDBDialect } from "./duckdb-dialect.js";
import type { DuckDBEngine } from "./duckdb-engine.js";
import {
  type DuckDBFileLease,
  SharedDuckDBFile,
  type SharedDuckDBFileOptions,
} from "./shared-duckdb-file.js";

const CAPABILITIES = { readsFiles: true, writesParquet: true, transactionalDdl: true, writesCsv: true };

/**
 * A DuckDB file engine that keeps the file open only while it is used: each call opens it
 * for its own duration (a `stream` until it ends, a `transaction` until it commits) unless
 * a `hold()` has it open already, as the executor does for each task attempt. Between uses
 * other processes can open the file; while another process holds it, a call waits up to
 * the lock timeout and then fails with WAREHOUSE_LOCKED.
 *
 * Session state (temporary tables, `SET`, `ATTACH`) lasts as long as the file stays open:
 * within one hold, not across two calls made without one.
 *
 * @example
 * const engine = new OnDemandDuckDBEngine({ path: "/srv/weir/warehouse.duckdb" });
 * const hold = await engine.hold();
 * try { await engine.run("CREATE TEMP TABLE t AS SELECT 1"); await engine.query("SELECT * FROM t"); }
 * finally { await hold.release(); }
 */
export class OnDemandDuckDBEngine implements Engine {
  readonly kind = "duckdb" as const;
  readonly dialect = new DuckDBDialect();
  readonly capabilities = CAPABILITIES;
  private readonly file: SharedDuckDBFile;
  private closed = false;

  constructor(options: SharedDuckDBFileOptions) {
    this.file = SharedDuckDBFile.of(options);
  }

  /** The database file (absolute), known without opening it. */
  get location(): string {
    return this.file.path;
  }

  /** The process's shared handle on the file (whether it is open, its uses). */
  get sharedFile(): SharedDuckDBFile {
    return this.file;
  }

  /** Keeps the file open until released: calls in between share one open instance. */
  hold(): Promise<DuckDBFileLease> {
    this.assertOpen();
    return this.file.acquire();
  }

  run(sql: string, params?: readonly unknown[]): Promise<number> {
    return this.using((e) => e.run(sql, params));
  }

  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.using((e) => e.query<T>(sql, params));
  }

  queryWithSettings<T extends Row = Row>(
    settings: Readonly<Record<string, number | boolean>>,
    sql: string,
  ): Promise<T[]> {
    return this.using((e) => e.queryWithSettings<T>(settings, sql));
  }

  async *stream(
    sql: string,
    params?: readonly unknown[],
    options?: StreamOptions,
  ): AsyncIterable<RecordBatch> {
    const lease = await this.hold();
    try {
      yield* lease.engine.stream(sql, params, options);
    } finally {
      await lease.release();
    }
  }

  createSchema(schema: string): Promise<void> {
    return this.using((e) => e.createSchema(schema));
  }

  createTable(table: TableRef, schema: Schema, options?: CreateTableOptions): Promise<void> {
    return this.using((e) => e.createTable(table, schema, options));
  }

  load(table: TableRef, batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>): Promise<number> {
    return this.using((e) => e.load(table, batches));
  }

  describe(table: TableRef): Promise<Schema | undefined> {
    return this.using((e) => e.describe(table));
  }

  transaction<T>(fn: (tx: Engine) => Promise<T>): Promise<T> {
    return this.using((e) => e.transaction(fn));
  }

  readOnly<T>(fn: (ro: Engine) => Promise<T>): Promise<T> {
    return this.using((e) => e.readOnly(fn));
  }

  /**
   * Refuses further calls and closes the file now if nothing in this process uses it
   * (else when its last use ends: holds taken before are released by their holders).
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.file.closeIfIdle();
  }

  private async using<T>(fn: (engine: DuckDBEngine) => Promise<T>): Promise<T> {
    this.assertOpen();
    return this.file.use(fn);
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineError("ENGINE_CONNECTION_FAILED", "duckdb: the engine is closed");
  }
}
