import { WeirError } from "../core/errors.js";

/** What a PostgreSQL failure means for the store, and whether trying again soon may help. */
interface StoreFailure {
  cause: string;
  retryable: boolean;
}

/**
 * SQLSTATEs (exact codes first, then their class) and socket errors that say the store's
 * server or its connection failed, not weir's SQL. Constraint violations (class 23) and
 * SQL errors (class 42) are left alone: they are bugs, or answers a repository reads.
 */
const BY_CODE: Record<string, StoreFailure> = {
  "53100": { cause: "the server's disk is full", retryable: false },
  "53200": { cause: "the server is out of memory", retryable: true },
  "53300": { cause: "the server has no connection slot left", retryable: true },
  "25006": {
    cause: "the server only allows reads (a standby, or default_transaction_read_only)",
    retryable: false,
  },
  "40001": { cause: "a concurrent transaction conflicted with this one", retryable: true },
  "40P01": { cause: "a deadlock with another transaction", retryable: true },
  "57014": { cause: "the statement was cancelled (statement_timeout?)", retryable: true },
  ECONNREFUSED: { cause: "the server cannot be reached", retryable: true },
  ECONNRESET: { cause: "the connection to the server was lost", retryable: true },
  EPIPE: { cause: "the connection to the server was lost", retryable: true },
  ETIMEDOUT: { cause: "the server did not answer in time", retryable: true },
  EHOSTUNREACH: { cause: "the server cannot be reached", retryable: true },
  ENOTFOUND: { cause: "the server's host name does not resolve", retryable: false },
  EAI_AGAIN: { cause: "the server's host name could not be resolved", retryable: true },
};
const BY_CLASS: Record<string, StoreFailure> = {
  "08": { cause: "the connection to the server failed", retryable: true },
  "53": { cause: "the server ran out of resources", retryable: true },
  "57": { cause: "the server is shutting down or restarting", retryable: true },
  "58": { cause: "the server hit a system (I/O) error", retryable: false },
  XX: { cause: "the server reported an internal error", retryable: false },
};

/**
 * The METADATA_FAILED error for a failure of the PostgreSQL store's server or connection
 * (disk full, read-only, unreachable, restarting, a conflict worth retrying), naming the
 * server (`location`, without password) and the cause; `error` itself for anything else.
 *
 * @example
 * try { await pool.query(sql) } catch (error) { throw postgresError(error, "postgres://weir@db:5432/weir") }
 */
export function postgresError(error: unknown, location: string): unknown {
  if (error instanceof WeirError || typeof error !== "object" || error === null) return error;
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const failure =
    typeof code === "string"
      ? (BY_CODE[code] ?? (/^[0-9A-Z]{5}$/.test(code) ? BY_CLASS[code.slice(0, 2)] : undefined))
      : // pg's own errors when the server goes away mid-query carry no code.
        /^Connection terminated/.test(message)
        ? { cause: "the connection to the server was lost", retryable: true }
        : undefined;
  if (!failure) return error;
  const tag = typeof code === "string" ? ` (${code})` : "";
  return new WeirError("METADATA_FAILED", `metadata store ${location}: ${message}${tag}: ${failure.cause}`, {
    cause: error,
    retryable: failure.retryable,
    details: { server: location, ...(typeof code === "string" ? { postgresCode: code } : {}) },
  });
}

/** The pool's connection string without its password, for messages. */
export function serverOf(connectionString: string | undefined): string {
  if (!connectionString) return "PostgreSQL";
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = "***";
    url.search = "";
    return url.toString();
  } catch {
    return "PostgreSQL";
  }
}
