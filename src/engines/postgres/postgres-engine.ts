import type { Pool, PoolClient, QueryResult } from "pg";
import { noteStatement } from "../../core/activity-scope.js";
import type { RecordBatch, Row } from "../../core/batch.js";
import { EngineError, messageOf } from "../../core/errors.js";
import type { Schema, TableRef } from "../../core/types.js";
import { tableLabel } from "../../core/types.js";
import { retryCreateRace } from "../create-race.js";
import type { CreateTableOptions, Engine, EngineCapabilities, StreamOptions } from "../engine.js";
import { queryFailed } from "../query-error.js";
import { assertQuerySettings } from "../query-settings.js";
import { notReadOnly, postgresReadOnlyProblem, type ReadOnlySession } from "../read-only.js";
import { PostgresDialect } from "./postgres-dialect.js";
import { copyBatches, copyCsv } from "./postgres-loader.js";
import {
  oneStatement,
  readOnlySavepoint,
  readOnlyTransaction,
  statementFailed,
} from "./postgres-statement.js";
import { logicalTypeOfOid, toPgParam, weirTypeParsers } from "./postgres-types.js";
import { watchConnection } from "./watch-connection.js";

export interface PostgresEngineOptions {
  /** `postgres://user[:password]@host:port/database`. */
  url: string;
  /** Connections in the pool; default 10. */
  poolSize?: number;
}

const CAPABILITIES: EngineCapabilities = { readsFiles: false, writesParquet: false, transactionalDdl: true };

/** Rows fetched per cursor round trip when the caller does not ask for a batch size. */
const DEFAULT_FETCH_ROWS = 4096;

/** Sessions run in UTC with ISO dates so values read the same as DuckDB's (see postgres-types.ts). */
const SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO,MDY -c standard_conforming_strings=on";

let cursorSeq = 0;

/** A connection URL without its `options` parameter, and that parameter. */
function splitSessionOptions(url: string): { connectionString: string; urlOptions?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { connectionString: url };
  }
  const extra = parsed.searchParams.get("options");
  if (extra === null) return { connectionString: url };
  parsed.searchParams.delete("options");
  return { connectionString: parsed.href, urlOptions: extra };
}

/**
 * PostgreSQL through a `pg` pool. `transaction` pins one pooled connection; `stream` reads
 * through a server-side cursor (`DECLARE … CURSOR` + `FETCH`), so a result never has to fit
 * in memory; `load` uses `COPY … FROM STDIN`.
 *
 * @example
 * const engine = await PostgresEngine.create({ url: "postgres://postgres@127.0.0.1:5432/test" });
 * await engine.query("SELECT $1::int + 1 AS n", [41]);
 * await engine.close();
 */
/** Each pool's `host:port/database`, for `location` (engines of one pool share it). */
const locations = new WeakMap<Pool, string>();

export class PostgresEngine implements Engine {
  readonly kind = "postgres" as const;
  readonly dialect = new PostgresDialect();
  readonly capabilities = CAPABILITIES;

  private constructor(
    private readonly pool: Pool,
    /** Set when this engine is bound to one connection inside `transaction`. */
    private readonly client: PoolClient | undefined,
    /** Set when bound to a read-only transaction (or savepoint) by `readOnly`: queries only. */
    private readonly readOnlySession?: ReadOnlySession,
  ) {}

  static async create(options: PostgresEngineOptions): Promise<PostgresEngine> {
    const pg = (await import("pg")).default;
    // `pg` lets a URL's `?options=` replace the pool's: keep the URL's (`-c search_path=…`
    // picks a schema) and put weir's settings last, so they always win.
    const { connectionString, urlOptions } = splitSessionOptions(options.url);
    const pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 10,
      types: weirTypeParsers,
      options: urlOptions ? `${urlOptions} ${SESSION_OPTIONS}` : SESSION_OPTIONS,
    });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on("error", () => undefined);
    try {
      await pool.query("SELECT 1");
    } catch (error) {
      await pool.end().catch(() => undefined);
      const host = safeHost(options.url);
      throw new EngineError(
        "ENGINE_CONNECTION_FAILED",
        `postgres: cannot connect to ${host}: ${messageOf(error)}`,
        {
          cause: error,
          retryable: true,
          details: { host },
        },
      );
    }
    locations.set(pool, safeHost(options.url));
    return new PostgresEngine(pool, undefined);
  }

  get location(): string {
    return locations.get(this.pool) ?? "postgres";
  }

  async run(sql: string, params?: readonly unknown[]): Promise<number> {
    noteStatement(this, sql);
    const result = await this.execute(sql, params);
    const results = Array.isArray(result) ? (result as QueryResult[]) : [result];
    return results.reduce((n, r) => n + (r.rowCount ?? 0), 0);
  }

  async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    noteStatement(this, sql);
    const result = await this.execute(sql, params);
    const last = Array.isArray(result) ? (result as QueryResult[]).at(-1) : result;
    return (last?.rows ?? []) as T[];
  }

  /**
   * A query with planner settings changed for it alone (`enable_hashagg: false`, say): set
   * with `set_config(…, true)` in a transaction — the bound one, or one of its own — and put
   * back right after, so later statements of that transaction plan as before.
   */
  async queryWithSettings<T extends Row = Row>(
    settings: Readonly<Record<string, number | boolean>>,
    sql: string,
  ): Promise<T[]> {
    assertQuerySettings("postgres", settings);
    noteStatement(this, sql);
    const entries = Object.entries(settings);
    const client = this.client;
    if (!client) return this.transaction((tx) => tx.queryWithSettings!<T>(settings, sql));
    // weir's own statements (names checked above): set_config is allowed in a read-only transaction.
    const apply = async (values: [string, string][]) => {
      for (const [name, value] of values)
        await client.query("SELECT set_config($1, $2, true)", [name, value]);
    };
    const previous: [string, string][] = [];
    try {
      for (const [name] of entries) {
        const current = await client.query<{ v: string }>("SELECT current_setting($1) AS v", [name]);
        previous.push([name, current.rows[0]!.v]);
      }
      await apply(entries.map(([name, value]) => [name, String(value)]));
    } catch (error) {
      throw queryFailed("postgres", "set_config", error);
    }
    try {
      return await this.query<T>(sql);
    } finally {
      // After a failed statement the transaction is rolled back (or restarted): nothing to undo.
      await apply(previous).catch(() => undefined);
    }
  }

  async *stream(
    sql: string,
    params?: readonly unknown[],
    options: StreamOptions = {},
  ): AsyncIterable<RecordBatch> {
    noteStatement(this, sql);
    const fetchRows = Math.max(1, options.batchSize ?? DEFAULT_FETCH_ROWS);
    this.checkReadOnly(sql);
    const own = this.client === undefined;
    const client = this.client ?? (await this.connect());
    const cursor = `weir_cursor_${++cursorSeq}`;
    let state: "idle" | "open" | "done" = "idle";
    let broken: unknown;
    try {
      // A cursor without HOLD lives in a transaction; outside `transaction` it gets its own.
      if (own) await client.query("BEGIN");
      try {
        const declare = `DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`;
        await client.query(oneStatement(declare, params?.map(toPgParam)));
      } catch (error) {
        throw statementFailed(sql, error);
      }
      state = "open";
      let schema: Schema | undefined;
      let yielded = false;
      for (;;) {
        let r: QueryResult<unknown[]>;
        try {
          r = await client.query({ text: `FETCH FORWARD ${fetchRows} FROM ${cursor}`, rowMode: "array" });
        } catch (error) {
          throw queryFailed("postgres", sql, error);
        }
        schema ??= { fields: r.fields.map((f) => ({ name: f.name, type: logicalTypeOfOid(f.dataTypeID) })) };
        const rows = r.rows;
        const n = rows.length;
        // An empty result still yields one empty batch, so callers always learn the columns.
        if (n > 0 || !yielded) {
          const columns = schema.fields.map((_, c) => {
            const col = new Array<unknown>(n);
            for (let i = 0; i < n; i++) col[i] = rows[i]![c];
            return col;
          });
          yielded = true;
          yield { schema, columns, numRows: n };
        }
        if (n < fetchRows) break;
      }
      await client.query(`CLOSE ${cursor}`);
      if (own) await client.query("COMMIT");
      state = "done";
    } catch (error) {
      broken = error;
      await this.readOnlySession?.restart?.().catch(() => undefined);
      throw error;
    } finally {
      if (state !== "done") {
        // Abandoned or failed: end our own transaction, or free the cursor in the caller's
        // (after an error the caller's transaction is aborted and rolls back anyway).
        if (own) await client.query("ROLLBACK").catch(() => undefined);
        else if (state === "open" && broken === undefined)
          await client.query(`CLOSE ${cursor}`).catch(() => undefined);
      }
      if (own) (client as PoolClient).release();
    }
  }

  async createSchema(schema: string): Promise<void> {
    // A schema that exists needs no CREATE privilege on the database.
    const [seen] = await this.query("SELECT 1 AS found FROM pg_namespace WHERE nspname = $1", [schema]);
    if (seen) return;
    const sql = this.dialect.createSchema(schema);
    // Two sessions creating one schema: the later waits for the first to commit, then fails
    // on pg_namespace's unique index; run again, IF NOT EXISTS finds it.
    if (this.client === undefined) {
      await retryCreateRace(() => this.run(sql));
      return;
    }
    // Inside a transaction a failed statement aborts it, so each try runs under a savepoint.
    await retryCreateRace(async () => {
      await this.run("SAVEPOINT weir_create_schema");
      try {
        await this.run(sql);
      } catch (error) {
        await this.run("ROLLBACK TO SAVEPOINT weir_create_schema");
        throw error;
      }
      await this.run("RELEASE SAVEPOINT weir_create_schema");
    });
  }

  async createTable(table: TableRef, schema: Schema, options: CreateTableOptions = {}): Promise<void> {
    if (table.schema !== undefined && !options.temporary) await this.createSchema(table.schema);
    await this.run(this.dialect.createTable(table, schema, options));
  }

  async load(table: TableRef, batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>): Promise<number> {
    return this.withClient(async (client) => {
      const schema = await describeOn(client, this.dialect, table);
      if (!schema) {
        throw new EngineError(
          "ENGINE_QUERY_FAILED",
          `postgres: cannot load into ${tableLabel(table)}: no such table`,
          {
            details: { table: tableLabel(table) },
          },
        );
      }
      return copyBatches(client, this.dialect, table, schema.fields, batches);
    });
  }

  /**
   * Bulk-loads CSV text (quoted fields, unquoted empty = NULL) into `columns` of an
   * existing table with `COPY … FROM STDIN (FORMAT csv)`. Used by transfers from engines
   * that write CSV themselves.
   */
  async loadCsv(
    table: TableRef,
    columns: readonly string[],
    csv: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  ): Promise<number> {
    return this.withClient((client) => copyCsv(client, this.dialect, table, columns, csv));
  }

  async describe(table: TableRef): Promise<Schema | undefined> {
    return this.withClient((client) => describeOn(client, this.dialect, table));
  }

  async transaction<T>(fn: (tx: Engine) => Promise<T>): Promise<T> {
    if (this.client) return fn(this);
    const client = await this.connect();
    let release: boolean | Error = false;
    try {
      try {
        await client.query("BEGIN");
      } catch (error) {
        throw queryFailed("postgres", "BEGIN", error);
      }
      const out = await fn(new PostgresEngine(this.pool, client));
      try {
        await client.query("COMMIT");
      } catch (error) {
        throw queryFailed("postgres", "COMMIT", error);
      }
      return out;
    } catch (error) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackError) {
        // A connection that cannot even roll back is not returned to the pool.
        release = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.release(release);
    }
  }

  async readOnly<T>(fn: (ro: Engine) => Promise<T>): Promise<T> {
    if (this.readOnlySession) return fn(this);
    const bound = this.client ?? (await this.connect());
    const run = (session: ReadOnlySession) => fn(new PostgresEngine(this.pool, bound, session));
    return this.client ? readOnlySavepoint(bound, run) : readOnlyTransaction(bound, run);
  }

  async close(): Promise<void> {
    if (this.client) return;
    await this.pool.end();
  }

  private async execute(sql: string, params?: readonly unknown[]): Promise<QueryResult | QueryResult[]> {
    this.checkReadOnly(sql);
    try {
      const runner = this.client ?? this.pool;
      return (await runner.query(oneStatement(sql, params?.map(toPgParam)))) as QueryResult;
    } catch (error) {
      await this.readOnlySession?.restart?.().catch(() => undefined);
      throw statementFailed(sql, error);
    }
  }

  /** In a read-only session, refuses what the server's read-only transaction would let through. */
  private checkReadOnly(sql: string): void {
    if (!this.readOnlySession) return;
    const problem = postgresReadOnlyProblem(sql);
    if (problem !== undefined) throw notReadOnly("postgres", sql, problem);
  }

  private async connect(): Promise<PoolClient> {
    try {
      return watchConnection(await this.pool.connect());
    } catch (error) {
      throw new EngineError(
        "ENGINE_CONNECTION_FAILED",
        `postgres: cannot get a connection: ${messageOf(error)}`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
  }

  private async withClient<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    if (this.client) return fn(this.client);
    const client = await this.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  }
}

async function describeOn(
  client: PoolClient,
  dialect: PostgresDialect,
  table: TableRef,
): Promise<Schema | undefined> {
  // Unqualified names resolve like PostgreSQL does: the session's temporary tables first.
  const schemaFilter =
    table.schema === undefined
      ? "table_schema IN (current_schema(), (SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()))"
      : "table_schema = $2";
  const params = table.schema === undefined ? [table.name] : [table.name, table.schema];
  let rows: { table_schema: string; column_name: string; data_type: string; is_nullable: string }[];
  try {
    const r = await client.query(
      `SELECT table_schema, column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_name = $1 AND ${schemaFilter}
       ORDER BY table_schema LIKE 'pg_temp%' DESC, ordinal_position`,
      params,
    );
    rows = r.rows.filter((row) => row.table_schema === r.rows[0]?.table_schema);
  } catch (error) {
    throw queryFailed("postgres", "describe", error, { table: tableLabel(table) });
  }
  if (rows.length === 0) return undefined;
  return {
    fields: rows.map((r) => ({
      name: r.column_name,
      type: dialect.logicalType(r.data_type),
      nullable: r.is_nullable !== "NO",
    })),
  };
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}
