import type Database from "better-sqlite3";
import type { MetadataDialect, SqlConnection, SqlDatabase, SqlValue } from "./sql-database.js";
import { sqliteError } from "./sqlite-error.js";

const SQLITE_DIALECT: MetadataDialect = { name: "sqlite", forUpdate: "" };

/**
 * `SqlDatabase` over one better-sqlite3 connection. Statements are prepared once and
 * cached. better-sqlite3 is synchronous, but a repository's transaction body awaits
 * between statements, so transactions are queued: while one is open, statements of other
 * callers wait for it instead of slipping into it. A failure of the file or its disk (full,
 * read-only, I/O error, locked too long) is a METADATA_FAILED error naming the file.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = SQLITE_DIALECT;
  private readonly statements = new Map<string, Database.Statement>();
  private tail: Promise<unknown> = Promise.resolve();
  private open = false;
  private readonly direct: SqlConnection;

  constructor(readonly db: Database.Database) {
    this.direct = {
      all: async <T>(sql: string, params?: readonly SqlValue[]) => this.allNow<T>(sql, params),
      get: async <T>(sql: string, params?: readonly SqlValue[]) => this.getNow<T>(sql, params),
      run: async (sql: string, params?: readonly SqlValue[]) => this.runNow(sql, params),
    };
  }

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    if (this.open) await this.idle();
    return this.allNow<T>(sql, params);
  }

  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    if (this.open) await this.idle();
    return this.getNow<T>(sql, params);
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    if (this.open) await this.idle();
    return this.runNow(sql, params);
  }

  transaction<T>(fn: (tx: SqlConnection) => Promise<T>): Promise<T> {
    const body = async (): Promise<T> => {
      this.open = true;
      try {
        // IMMEDIATE takes the write lock up front, so a concurrent process waits
        // (busy_timeout) instead of failing at its first write with SQLITE_BUSY.
        this.execute("BEGIN IMMEDIATE");
        const result = await fn(this.direct);
        this.execute("COMMIT");
        return result;
      } catch (error) {
        // SQLite may have rolled back already (a full disk does); a failing ROLLBACK must not hide why.
        if (this.db.inTransaction) {
          try {
            this.prepare("ROLLBACK").run();
          } catch {}
        }
        throw error;
      } finally {
        this.open = false;
      }
    };
    const next = this.tail.then(body, body);
    this.tail = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.tail;
    if (this.db.open) this.db.close();
  }

  private async idle(): Promise<void> {
    while (this.open) await this.tail;
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private allNow<T>(sql: string, params: readonly SqlValue[] = []): T[] {
    return this.guard(() => this.prepare(sql).all(...bind(params)) as T[]);
  }

  private getNow<T>(sql: string, params: readonly SqlValue[] = []): T | undefined {
    return this.guard(() => this.prepare(sql).get(...bind(params)) as T | undefined);
  }

  private runNow(sql: string, params: readonly SqlValue[] = []): number {
    return this.guard(() => {
      const statement = this.prepare(sql);
      // better-sqlite3 refuses run() on statements that return rows (a SELECT used for its lock).
      if (statement.reader) {
        statement.all(...bind(params));
        return 0;
      }
      return statement.run(...bind(params)).changes;
    });
  }

  private execute(sql: string): void {
    this.guard(() => this.prepare(sql).run());
  }

  /** Runs one call into SQLite, naming the file when the file or its disk fails. */
  private guard<T>(call: () => T): T {
    try {
      return call();
    } catch (error) {
      throw sqliteError(error, this.db.name);
    }
  }
}

function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => (p === undefined ? null : p));
}
