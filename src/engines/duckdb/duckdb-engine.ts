import { mkdirSync } from "node:fs";
import path from "node:path";
import { type DuckDBConnection, DuckDBInstance, type DuckDBResult, StatementType } from "@duckdb/node-api";
import { noteStatement } from "../../core/activity-scope.js";
import type { RecordBatch, Row } from "../../core/batch.js";
import { EngineError, messageOf } from "../../core/errors.js";
import type { Schema, TableRef } from "../../core/types.js";
import { tableLabel } from "../../core/types.js";
import { retryCreateRace } from "../create-race.js";
import type { CreateTableOptions, Engine, EngineCapabilities, StreamOptions } from "../engine.js";
import { queryFailed } from "../query-error.js";
import { assertQuerySettings } from "../query-settings.js";
import { notReadOnly, type ReadOnlySession } from "../read-only.js";
import { DuckDBDialect } from "./duckdb-dialect.js";
import { appendBatches, DUCKDB_CHUNK_ROWS } from "./duckdb-loader.js";
import { createSchemaCommitted, schemaVisible } from "./duckdb-schema.js";
import { prepareOne, statementTypeName } from "./duckdb-statement.js";
import { logicalTypeOf, readColumns, valueReader } from "./duckdb-types.js";

export interface DuckDBEngineOptions {
  /** Database file, or `:memory:` (the default). Parent folders are created. */
  path?: string;
  /** DuckDB `memory_limit`, e.g. `"512MB"`. */
  memoryLimit?: string;
  threads?: number;
  /** Where DuckDB spills when a query exceeds the memory limit. */
  tempDirectory?: string;
}

/** Each instance's database file, for `location` (engines of one instance share it). */
const locations = new WeakMap<DuckDBInstance, string>();

const CAPABILITIES: EngineCapabilities = {
  readsFiles: true,
  writesParquet: true,
  transactionalDdl: true,
  writesCsv: true,
};

/**
 * The embedded engine: one DuckDB instance. Statements on the engine itself share one
 * connection (serialised); `stream`, `load`, `transaction` and `readOnly` each take a
 * connection of their own so a long read or load never blocks or interleaves with other
 * statements. Every statement is prepared on its own, so text holding two is refused by
 * DuckDB's parser before either runs.
 *
 * @example
 * const engine = await DuckDBEngine.create({ memoryLimit: "256MB" });
 * const rows = await engine.query("SELECT $1::INTEGER + 1 AS n", [41]);
 * await engine.close();
 */
export class DuckDBEngine implements Engine {
  readonly kind = "duckdb" as const;
  readonly dialect = new DuckDBDialect();
  readonly capabilities = CAPABILITIES;
  private closed = false;
  /** A statement has run in this transaction (so it holds a snapshot of the catalog). */
  private used = false;

  private constructor(
    /** The DuckDB instance, for pushdown users that need their own connections. */
    readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    private readonly inTransaction: boolean,
    /** Set in a read-only session: only SELECTs run (see read-only.ts) and `load` is refused. */
    private readonly readOnlySession?: ReadOnlySession,
    /** The statement queue of `conn`, shared with a read-only view of the same connection. */
    private readonly lane: { tail: Promise<unknown> } = { tail: Promise.resolve() },
  ) {}

  static async create(options: DuckDBEngineOptions = {}): Promise<DuckDBEngine> {
    const file = options.path ?? ":memory:";
    const config: Record<string, string> = {};
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    if (options.threads) config.threads = String(options.threads);
    if (options.tempDirectory) config.temp_directory = options.tempDirectory;
    try {
      if (file !== ":memory:" && !file.startsWith(":memory:"))
        mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      const instance = await DuckDBInstance.create(file, config);
      locations.set(instance, file.startsWith(":memory:") ? file : path.resolve(file));
      const conn = await instance.connect();
      // Timestamps with zone render and cast in UTC, whatever the host's zone (needs ICU; fine without).
      await conn.run("SET GLOBAL TimeZone = 'UTC'").catch(() => undefined);
      return new DuckDBEngine(instance, conn, false);
    } catch (error) {
      throw new EngineError(
        "ENGINE_CONNECTION_FAILED",
        `duckdb: cannot open database ${file}: ${messageOf(error)}`,
        {
          cause: error,
          details: { path: file },
        },
      );
    }
  }

  get location(): string {
    return locations.get(this.instance) ?? ":memory:";
  }

  /** The connection statements of this engine run on (the transaction's, inside `transaction`). */
  connection(): DuckDBConnection {
    return this.conn;
  }

  async run(sql: string, params?: readonly unknown[]): Promise<number> {
    noteStatement(this, sql);
    return this.serial(async () => {
      const result = await this.execute(sql, params);
      return result.rowsChanged;
    });
  }

  async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    noteStatement(this, sql);
    return this.serial(async () => readRows<T>(await this.execute(sql, params), sql));
  }

  async queryWithSettings<T extends Row = Row>(
    settings: Readonly<Record<string, number | boolean>>,
    sql: string,
  ): Promise<T[]> {
    assertQuerySettings("duckdb", settings);
    noteStatement(this, sql);
    const names = Object.keys(settings);
    // One slot of the statement queue, so no other statement runs under these settings.
    return this.serial(async () => {
      const previous: [string, string][] = [];
      try {
        // The settings statements are weir's own (names checked above), so a read-only
        // session lets them through; the caller's statement is checked as usual.
        for (const name of names) {
          const current = await this.execute(`SELECT current_setting('${name}') AS v`, undefined, true);
          const [row] = await readRows(current, sql);
          previous.push([name, String(row?.v)]);
          await this.execute(`SET ${name} = ${settings[name]}`, undefined, true);
        }
        return readRows<T>(await this.execute(sql), sql);
      } finally {
        for (const [name, value] of previous)
          await this.execute(`SET ${name} = ${this.dialect.quoteLiteral(value)}`, undefined, true).catch(
            () => undefined,
          );
      }
    });
  }

  async *stream(
    sql: string,
    params?: readonly unknown[],
    options: StreamOptions = {},
  ): AsyncIterable<RecordBatch> {
    noteStatement(this, sql);
    const batchSize = options.batchSize ?? DUCKDB_CHUNK_ROWS;
    if (this.inTransaction) {
      // Inside a transaction only the transaction's connection sees its writes, and a
      // streaming result there would be cut off by the next statement, so materialise.
      const result = await this.serial(() => this.execute(sql, params));
      yield* readBatches(result, batchSize, sql);
      return;
    }
    const conn = await this.instance.connect();
    try {
      const prepared = await prepareOne(conn, sql, params);
      let result: DuckDBResult;
      try {
        result = await prepared.stream();
      } catch (error) {
        throw queryFailed("duckdb", sql, error);
      } finally {
        prepared.destroySync();
      }
      yield* readBatches(result, batchSize, sql);
    } finally {
      conn.closeSync();
    }
  }

  async createSchema(schema: string): Promise<void> {
    const sql = this.dialect.createSchema(schema);
    if (this.readOnlySession) throw notReadOnly("duckdb", sql, "it creates a schema");
    if (!this.inTransaction) {
      await retryCreateRace(() => this.run(sql));
      return;
    }
    // A transaction that has run no statement has no snapshot of the catalog yet: it will
    // see a schema committed now, so the schema is committed on its own (no race with other
    // transactions). One whose snapshot is taken would not see it, so it creates the
    // schema itself: a retryable conflict if another transaction creates it meanwhile
    // (callers avoid that by creating schemas before their transactions).
    if (!this.used) await createSchemaCommitted(this.instance, sql);
    else if (await schemaVisible((q, p) => this.query(q, p), schema)) return;
    await this.run(sql);
  }

  async createTable(table: TableRef, schema: Schema, options: CreateTableOptions = {}): Promise<void> {
    if (table.schema !== undefined && !options.temporary) await this.createSchema(table.schema);
    await this.run(this.dialect.createTable(table, schema, options));
  }

  async load(table: TableRef, batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>): Promise<number> {
    // The appender writes without a statement the read-only checks could see.
    if (this.readOnlySession)
      throw notReadOnly("duckdb", `(load into ${tableLabel(table)})`, "loading writes");
    if (!this.inTransaction) return this.transaction((tx) => tx.load(table, batches));
    const located = await this.locate(table);
    if (!located) {
      throw new EngineError(
        "ENGINE_QUERY_FAILED",
        `duckdb: cannot load into ${tableLabel(table)}: no such table`,
        {
          details: { table: tableLabel(table) },
        },
      );
    }
    this.used = true;
    return appendBatches(
      this.conn,
      { table, fields: located.schema.fields, catalog: located.catalog },
      batches,
    );
  }

  async describe(table: TableRef): Promise<Schema | undefined> {
    return (await this.locate(table))?.schema;
  }

  async transaction<T>(fn: (tx: Engine) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    const conn = await this.instance.connect();
    const tx = new DuckDBEngine(this.instance, conn, true);
    try {
      await conn.run("BEGIN TRANSACTION");
      const out = await fn(tx);
      try {
        await conn.run("COMMIT");
      } catch (error) {
        throw queryFailed("duckdb", "COMMIT", error);
      }
      return out;
    } catch (error) {
      await conn.run("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      tx.closed = true;
      conn.closeSync();
    }
  }

  async readOnly<T>(fn: (ro: Engine) => Promise<T>): Promise<T> {
    if (this.readOnlySession) return fn(this);
    // DuckDB has no savepoints: inside a transaction only the statement checks apply.
    if (this.inTransaction) return fn(new DuckDBEngine(this.instance, this.conn, true, {}, this.lane));
    const conn = await this.instance.connect();
    const begin = async () => {
      try {
        await conn.run("BEGIN TRANSACTION READ ONLY");
      } catch (error) {
        throw queryFailed("duckdb", "BEGIN TRANSACTION READ ONLY", error);
      }
    };
    const restart = async () => {
      await conn.run("ROLLBACK").catch(() => undefined);
      await begin();
    };
    const ro = new DuckDBEngine(this.instance, conn, true, { restart });
    try {
      await begin();
      return await fn(ro);
    } finally {
      ro.closed = true;
      await ro.lane.tail.catch(() => undefined);
      // Whatever the session did (temporary tables included) is undone.
      await conn.run("ROLLBACK").catch(() => undefined);
      conn.closeSync();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.inTransaction) return;
    await this.lane.tail.catch(() => undefined);
    this.conn.closeSync();
    this.instance.closeSync();
  }

  /** Finds a table in the current database or among temporary tables, with its logical schema. */
  private async locate(table: TableRef): Promise<{ schema: Schema; catalog: string } | undefined> {
    const schemaFilter = table.schema === undefined ? "current_schema()" : "$2";
    const params = table.schema === undefined ? [table.name] : [table.name, table.schema];
    const rows = await this.query<{
      table_catalog: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
    }>(
      `SELECT table_catalog, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_name = $1 AND table_schema = ${schemaFilter} AND table_catalog IN (current_database(), 'temp')
       ORDER BY table_catalog = 'temp' DESC, ordinal_position`,
      params,
    );
    if (rows.length === 0) return undefined;
    const catalog = rows[0]!.table_catalog;
    const fields = rows
      .filter((r) => r.table_catalog === catalog)
      .map((r) => ({
        name: r.column_name,
        type: this.dialect.logicalType(r.data_type),
        nullable: r.is_nullable !== "NO",
      }));
    return { schema: { fields }, catalog };
  }

  /** Runs one statement; `internal` marks weir's own settings statements, let through read-only. */
  private async execute(sql: string, params?: readonly unknown[], internal = false): Promise<DuckDBResult> {
    if (this.closed) throw new EngineError("ENGINE_CONNECTION_FAILED", "duckdb: the engine is closed");
    this.used = true;
    const prepared = await prepareOne(this.conn, sql, params);
    const type = prepared.statementType;
    const refused = this.readOnlySession !== undefined && !internal && type !== StatementType.SELECT;
    try {
      if (refused) throw notReadOnly("duckdb", sql, `it is a ${statementTypeName(type)} statement`);
      return await prepared.run();
    } catch (error) {
      // A failure at run time aborts the transaction (parse and bind errors do not).
      if (!refused) await this.readOnlySession?.restart?.().catch(() => undefined);
      throw queryFailed("duckdb", sql, error);
    } finally {
      prepared.destroySync();
    }
  }

  /** Runs `fn` after every earlier statement on this connection has finished. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lane.tail.then(fn, fn);
    this.lane.tail = next.catch(() => undefined);
    return next;
  }
}

/** Every row of a result as an object. */
async function readRows<T extends Row>(result: DuckDBResult, sql: string): Promise<T[]> {
  const rows: T[] = [];
  for await (const batch of readBatches(result, DUCKDB_CHUNK_ROWS, sql)) {
    const names = batch.schema.fields.map((f) => f.name);
    for (let i = 0; i < batch.numRows; i++) {
      const row: Row = {};
      for (let c = 0; c < names.length; c++) row[names[c]!] = batch.columns[c]![i];
      rows.push(row as T);
    }
  }
  return rows;
}

/**
 * Reads a result's chunks as batches of about `batchSize` rows (whole chunks). Always
 * yields at least one batch, empty for an empty result, so the schema is always known.
 */
async function* readBatches(
  result: DuckDBResult,
  batchSize: number,
  sql: string,
): AsyncGenerator<RecordBatch> {
  const types = result.columnTypes();
  const names = result.deduplicatedColumnNames();
  const schema: Schema = { fields: names.map((name, i) => ({ name, type: logicalTypeOf(types[i]!) })) };
  const readers = types.map(valueReader);
  let pending: unknown[][] = [];
  let pendingRows = 0;
  let yielded = false;
  for (;;) {
    let chunk: Awaited<ReturnType<DuckDBResult["fetchChunk"]>>;
    try {
      chunk = await result.fetchChunk();
    } catch (error) {
      throw queryFailed("duckdb", sql, error);
    }
    if (!chunk || chunk.rowCount === 0) break;
    const columns = readColumns(chunk.getColumns(), readers);
    if (pendingRows === 0 && columns.length > 0 && chunk.rowCount >= batchSize) {
      yielded = true;
      yield { schema, columns, numRows: chunk.rowCount };
      continue;
    }
    if (pendingRows === 0) pending = columns;
    else for (let c = 0; c < columns.length; c++) for (const v of columns[c]!) pending[c]!.push(v);
    pendingRows += chunk.rowCount;
    if (pendingRows >= batchSize) {
      yielded = true;
      yield { schema, columns: pending, numRows: pendingRows };
      pending = [];
      pendingRows = 0;
    }
  }
  if (pendingRows > 0) yield { schema, columns: pending, numRows: pendingRows };
  // An empty result still yields one empty batch, so callers always learn the columns.
  else if (!yielded) yield { schema, columns: names.map(() => []), numRows: 0 };
}
