import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { messageOf, WeirError } from "../core/errors.js";
import { weirPaths } from "../core/paths.js";
import { migrate } from "./migrate.js";
import type { Migration } from "./migrations.js";
import { SqlMetadataStore } from "./sql-metadata-store.js";
import { SqliteDatabase } from "./sqlite-database.js";

export interface SqliteMetadataStoreOptions {
  /** Defaults to `weirPaths().metadata` (`.weir/weir.db`). Use ":memory:" for throwaway stores. */
  path?: string;
  /** For tests of the migration runner; defaults to `MIGRATIONS`. */
  migrations?: readonly Migration[];
  /** How long opening waits for a file another process holds locked (default 30 s). */
  lockedForMs?: number;
}

const LOCKED_FOR_MS = 30_000;

/**
 * A connection with weir's settings. Two processes opening a fresh file at once both switch
 * it to WAL, which needs an exclusive lock: SQLite answers one of them SQLITE_BUSY at once,
 * without waiting (waiting could deadlock), and a file being checkpointed as its last
 * connection closes can do the same. Locked is a moment, not an error: try again with a
 * little jitter until `lockedForMs` has passed.
 */
async function openConfigured(path: string, lockedForMs: number): Promise<Database.Database> {
  const deadline = Date.now() + lockedForMs;
  for (;;) {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: 5000 });
      db.pragma("busy_timeout = 5000");
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      return db;
    } catch (error) {
      db?.close();
      if (!isLocked(error) || Date.now() >= deadline) throw error;
      await sleep(10 + Math.random() * 90);
    }
  }
}

function isLocked(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/**
 * The embedded metadata store: one SQLite file in WAL mode, so the CLI, a server and
 * tests can read while a run writes. `synchronous = NORMAL` (safe with WAL: a power cut
 * may lose the last commits, never corrupt the file) keeps a state transition at tens of
 * microseconds. Opening applies pending migrations in one immediate transaction, so two
 * processes opening a fresh file at once cannot both migrate it.
 *
 * @example
 * const store = await SqliteMetadataStore.open();
 * await store.cursors.commit("customers", "crm.customers", "2024-01-15 23:59:58");
 * await store.close();
 */
export class SqliteMetadataStore extends SqlMetadataStore {
  static async open(options: SqliteMetadataStoreOptions = {}): Promise<SqliteMetadataStore> {
    const path = options.path ?? weirPaths().metadata;
    let db: Database.Database;
    try {
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      db = await openConfigured(path, options.lockedForMs ?? LOCKED_FOR_MS);
    } catch (cause) {
      throw new WeirError(
        "METADATA_FAILED",
        `cannot open the metadata store at ${path}: ${messageOf(cause)}`,
        {
          cause,
          details: { path },
        },
      );
    }
    const sql = new SqliteDatabase(db);
    try {
      await migrate(sql, path, options.migrations);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteMetadataStore(sql, "sqlite", path);
  }
}
