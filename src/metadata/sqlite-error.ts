import { WeirError } from "../core/errors.js";

/** What a SQLite result code means for the store, and whether trying again soon may help. */
interface StoreFailure {
  cause: string;
  retryable: boolean;
}

/**
 * SQLite's primary result codes that say the store's file or its disk failed (not weir's
 * SQL): each with what it means for a user. Extended codes (`SQLITE_IOERR_WRITE`,
 * `SQLITE_READONLY_DBMOVED`, `SQLITE_BUSY_SNAPSHOT`…) take their primary code's entry.
 * Constraint and SQL errors are left alone: they are bugs, or answers a repository reads.
 */
const STORE_FAILURES: Record<string, StoreFailure> = {
  SQLITE_FULL: {
    cause: "the disk is full (or the database reached its size limit)",
    retryable: false,
  },
  SQLITE_IOERR: {
    cause:
      "the disk could not be read or written (an I/O error: a failing or removed disk, a file too large)",
    retryable: false,
  },
  SQLITE_READONLY: {
    cause: "the file cannot be written (a read-only file, folder or file system)",
    retryable: false,
  },
  SQLITE_CANTOPEN: {
    cause: "the file cannot be opened (its folder is missing or not accessible)",
    retryable: false,
  },
  SQLITE_PERM: { cause: "access to the file was denied", retryable: false },
  SQLITE_CORRUPT: { cause: "the file is damaged", retryable: false },
  SQLITE_NOTADB: { cause: "the file is not a SQLite database", retryable: false },
  SQLITE_NOLFS: { cause: "the file system does not support files this large", retryable: false },
  SQLITE_BUSY: {
    cause: "another process kept the database locked for longer than the busy timeout",
    retryable: true,
  },
  SQLITE_LOCKED: { cause: "the database is locked by another statement", retryable: true },
  SQLITE_PROTOCOL: { cause: "a file-locking race between processes", retryable: true },
  SQLITE_NOMEM: { cause: "SQLite ran out of memory", retryable: true },
};

/**
 * The METADATA_FAILED error for a SQLite failure of the store's file or disk, naming the
 * file and the cause ("the disk is full"); `error` itself for anything else. The SQLite
 * code and message stay in the message and in `details`, the original as `cause`.
 *
 * @example
 * try { statement.run() } catch (error) { throw sqliteError(error, "/srv/.weir/weir.db") }
 * // METADATA_FAILED: metadata store /srv/.weir/weir.db: database or disk is full (SQLITE_FULL): the disk is full (…)
 */
export function sqliteError(error: unknown, file: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || error instanceof WeirError) return error;
  const primary = /^SQLITE_[A-Z]+/.exec(code)?.[0];
  const failure = primary === undefined ? undefined : STORE_FAILURES[primary];
  if (!failure) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new WeirError("METADATA_FAILED", `metadata store ${file}: ${message} (${code}): ${failure.cause}`, {
    cause: error,
    retryable: failure.retryable,
    details: { file, sqliteCode: code },
  });
}
