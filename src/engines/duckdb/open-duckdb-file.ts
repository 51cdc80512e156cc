import { setTimeout as sleep } from "node:timers/promises";
import { messageOf } from "../../core/errors.js";
import { DuckDBEngine, type DuckDBEngineOptions } from "./duckdb-engine.js";
import { lockHolderOf, WarehouseLockedError } from "./warehouse-locked-error.js";

/** How long an open waits for another process's lock on the file by default. */
export const DEFAULT_WAREHOUSE_LOCK_TIMEOUT_MS = 30_000;

export interface OpenDuckDBFileOptions extends DuckDBEngineOptions {
  path: string;
  /** How long to wait for another process's lock; default 30 s. 0: fail at the first conflict. */
  lockTimeoutMs?: number;
}

/** First and largest pause between two tries: short, since a task attempt usually ends within seconds. */
const FIRST_PAUSE_MS = 20;
const MAX_PAUSE_MS = 500;

/**
 * Opens a DuckDB database file, waiting while another process holds it. DuckDB lets one
 * process open a file for writing and fails at once otherwise ("Could not set lock on
 * file … Conflicting lock is held in <program> (PID n)"); here the open is tried again with
 * jittered exponential backoff until `lockTimeoutMs` has passed, then fails with
 * WAREHOUSE_LOCKED naming the holder. Any other failure is thrown at once.
 *
 * @example
 * const engine = await openDuckDBFile({ path: "/srv/weir/warehouse.duckdb", lockTimeoutMs: 10_000 });
 */
export async function openDuckDBFile(options: OpenDuckDBFileOptions): Promise<DuckDBEngine> {
  const { lockTimeoutMs = DEFAULT_WAREHOUSE_LOCK_TIMEOUT_MS, ...engineOptions } = options;
  const started = Date.now();
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    try {
      return await DuckDBEngine.create(engineOptions);
    } catch (error) {
      const holder = lockHolderOf(messageOf((error as { cause?: unknown }).cause ?? error));
      if (!holder) throw error;
      const waited = Date.now() - started;
      if (waited >= lockTimeoutMs) throw new WarehouseLockedError(options.path, holder, waited, error);
      // Jitter keeps two waiters from retrying in lockstep against each other.
      const next = Math.min(pause * (0.5 + Math.random()), lockTimeoutMs - waited);
      await sleep(Math.max(1, next));
      pause = Math.min(MAX_PAUSE_MS, pause * 2);
    }
  }
}
