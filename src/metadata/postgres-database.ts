import type { Pool, PoolClient } from "pg";
import type { MetadataDialect, SqlConnection, SqlDatabase, SqlValue } from "./sql-database.js";

const POSTGRES_DIALECT: MetadataDialect = {
  name: "postgres",
  forUpdate: " FOR UPDATE",
  // Two processes opening a fresh database at once: the second waits here, then sees
  // the migrations applied. (CREATE TABLE IF NOT EXISTS alone races on the catalog.)
  migrationLock: "SELECT pg_advisory_xact_lock(7311046)",
};

const rewritten = new Map<string, string>();

/** `?` → `$1…$n`, outside string literals. Cached: repositories use a fixed set of statements. */
export function toPostgresPlaceholders(sql: string): string {
  let text = rewritten.get(sql);
  if (text === undefined) {
    let n = 0;
    let quoted = false;
    text = "";
    for (const ch of sql) {
      if (ch === "'") quoted = !quoted;
      text += ch === "?" && !quoted ? `$${++n}` : ch;
    }
    rewritten.set(sql, text);
  }
  return text;
}

function bind(params: readonly SqlValue[] = []): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === "bigint" ? p.toString() : p));
}

function connection(client: Pool | PoolClient): SqlConnection {
  return {
    all: async <T>(sql: string, params?: readonly SqlValue[]) =>
      (await client.query(toPostgresPlaceholders(sql), bind(params))).rows as T[],
    get: async <T>(sql: string, params?: readonly SqlValue[]) =>
      (await client.query(toPostgresPlaceholders(sql), bind(params))).rows[0] as T | undefined,
    run: async (sql: string, params?: readonly SqlValue[]) =>
      (await client.query(toPostgresPlaceholders(sql), bind(params))).rowCount ?? 0,
  };
}

/** `SqlDatabase` over a `pg` pool: statements on any pooled connection, transactions on one. */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = POSTGRES_DIALECT;
  private readonly pooled: SqlConnection;

  constructor(readonly pool: Pool) {
    this.pooled = connection(pool);
  }

  all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.pooled.all<T>(sql, params);
  }

  get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.pooled.get<T>(sql, params);
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.pooled.run(sql, params);
  }

  async transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await fn(connection(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
