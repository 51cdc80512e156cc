import { EngineError } from "../../core/errors.js";

/** Who holds a DuckDB file's lock, as DuckDB's "Conflicting lock is held in … (PID …)" names it. */
export interface LockHolder {
  /** The holder's program (`/usr/bin/node`), when DuckDB named it. */
  program?: string;
  pid?: number;
}

/**
 * Another process kept the DuckDB warehouse file for longer than the lock timeout. DuckDB
 * lets one process open a database file for writing; weir waits for it (with backoff)
 * and then fails with this, naming the holder. Retryable: the holder may be gone by the
 * next attempt.
 */
export class WarehouseLockedError extends EngineError {
  constructor(
    readonly file: string,
    readonly holder: LockHolder,
    readonly waitedMs: number,
    cause: unknown,
  ) {
    const who =
      holder.pid === undefined
        ? "another process"
        : `process ${holder.pid}${holder.program ? ` (${holder.program})` : ""}`;
    super(
      "WAREHOUSE_LOCKED",
      `the DuckDB warehouse ${file} is held by ${who}; waited ${(waitedMs / 1000).toFixed(1)} s ` +
        "(warehouseLockTimeout). DuckDB allows one process to open the file at a time: let that " +
        "process finish, stop it, raise warehouseLockTimeout (WEIR_WAREHOUSE_LOCK_TIMEOUT), or use a " +
        "PostgreSQL warehouse for workers that write at the same time",
      {
        cause,
        retryable: true,
        details: {
          file,
          waitedMs,
          ...(holder.pid === undefined ? {} : { holderPid: holder.pid }),
          ...(holder.program ? { holderProgram: holder.program } : {}),
        },
      },
    );
  }
}

/**
 * The holder named by DuckDB's lock error, or undefined when the message is not a lock
 * conflict (so a different failure is not waited on).
 *
 * @example
 * lockHolderOf('IO Error: Could not set lock on file "/w.duckdb": Conflicting lock is held in /usr/bin/node (PID 12)')
 * // { program: "/usr/bin/node", pid: 12 }
 */
export function lockHolderOf(message: string): LockHolder | undefined {
  if (!/Could not set lock on file/i.test(message)) return undefined;
  const named = /Conflicting lock is held in (.*?) \(PID (\d+)\)/.exec(message);
  if (!named) return {};
  return { ...(named[1] ? { program: named[1] } : {}), pid: Number(named[2]) };
}
