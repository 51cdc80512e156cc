import type { Pool, PoolClient } from "pg";
import { postgresError, serverOf } from "./postgres-error.js";
import type { MetadataDialect, SqlConnection, SqlDatabase, SqlValue } from "./sql-database.js";

const POSTGRES_DIALECT: MetadataDialect = {
  name: "postgres",
  forUpdate: " FOR UPDATE",
  // Two processes opening a fresh database at once: the second waits here, then sees
  // the migrations applied. (CREATE TABLE IF NOT EXISTS alone races on the catalog.)
  migrationLock: "SELECT pg_advisory_xact_lock(7311046)",
  // A transaction-scoped advisory lock on the key's hash: released at COMMIT or ROLLBACK,
  // so a crashed claimer never leaves it held. Two keys sharing a hash only wait for each other.
  keyLock: "SELECT pg_advisory_xact_lock(hashtext(?))",
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

function connection(client: Pool | PoolClient, server: string): SqlConnection {
  const query = async (sql: string, params?: readonly SqlValue[]) => {
    try {
      return await client.query(toPostgresPlaceholders(sql), bind(params));
    } catch (error) {
      throw postgresError(error, server);
    }
  };
  return {
    all: async <T>(sql: string, params?: readonly SqlValue[]) => (await query(sql, params)).rows as T[],
    get: async <T>(sql: string, params?: readonly SqlValue[]) =>
      (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params?: readonly SqlValue[]) => (await query(sql, params)).rowCount ?? 0,
  };
}

/**
 * `SqlDatabase` over a `pg` pool: statements on any pooled connection, transactions on one.
 * A failure of the server or the connection (disk full, read-only, unreachable) is a
 * METADATA_FAILED error naming the server.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = POSTGRES_DIALECT;
  private readonly pooled: SqlConnection;
  private readonly server: string;

  constructor(readonly pool: Pool) {
    this.server = serverOf((pool as { options?: { connectionString?: string } }).options?.connectionString);
    this.pooled = connection(pool, this.server);
    // The pool listens for a client's errors only while it is idle in the pool. A client
    // checked out for a transaction whose connection breaks (reset, failover, a server
    // restart) emits 'error' with nobody listening, which would end the process — a worker
    // or a scheduler, with every attempt in it. Listening for good costs nothing: the
    // statement in flight is rejected by pg itself (METADATA_FAILED, the caller decides),
    // and the pool drops the broken client when it is released.
    pool.on("connect", (client) => {
      client.on("error", ignoreLostConnection);
    });
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
    const client = await this.pool.connect().catch((error: unknown) => {
      throw postgresError(error, this.server);
    });
    const tx = connection(client, this.server);
    try {
      await tx.run("BEGIN");
      const result = await fn(tx);
      await tx.run("COMMIT");
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

/** Named so a heap snapshot says what the listener is for; the statement in flight reports the loss. */
function ignoreLostConnection(): void {}
