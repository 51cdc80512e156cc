import { resolve } from "node:path";
import type { DuckDBEngine } from "./duckdb-engine.js";
import { type OpenDuckDBFileOptions, openDuckDBFile } from "./open-duckdb-file.js";

/** One use of a shared DuckDB file: the open engine, until `release()`. */
export interface DuckDBFileLease {
  readonly engine: DuckDBEngine;
  /** Ends this use; the file is closed when no use is left. Calling it twice does nothing. */
  release(): Promise<void>;
}

/**
 * The files open in this process, by absolute path, on `globalThis`: a pipeline file
 * loaded by tsx gets its own copy of weir's modules, and two DuckDB instances of one file
 * in one process would each think they own it (DuckDB's lock is per process).
 */
const REGISTRY = Symbol.for("weir.sharedDuckDBFiles");
type Registry = Map<string, SharedDuckDBFile>;

/**
 * How long the file stays open after its last use. Short enough that another process
 * waits at most this long past the end of a task attempt, long enough that the few
 * statements a run makes right after an attempt (its state, lineage's table
 * descriptions) find the file still open instead of opening it once each.
 */
export const IDLE_CLOSE_MS = 100;

export interface SharedDuckDBFileOptions extends OpenDuckDBFileOptions {
  /** How long the file stays open after its last use; default `IDLE_CLOSE_MS`, 0 closes at once. */
  idleCloseMs?: number;
}

/**
 * A DuckDB database file opened only while something uses it. `acquire()` opens it on the
 * first use (waiting for another process's lock, see `openDuckDBFile`) and counts uses;
 * the last `release()` closes it (a moment later, see `IDLE_CLOSE_MS`), so a long-lived process (the scheduler, `weir serve`, a
 * worker) does not keep the file from other processes between task attempts. Uses in one
 * process share one open instance, which is what DuckDB needs: one instance per file per
 * process.
 *
 * @example
 * const file = SharedDuckDBFile.of({ path: "/srv/weir/warehouse.duckdb" });
 * const lease = await file.acquire();
 * try { await lease.engine.run("INSERT INTO t VALUES (1)"); } finally { await lease.release(); }
 */
export class SharedDuckDBFile {
  private uses = 0;
  private opens = 0;
  /** The open (or opening) engine, from the first use until it is closed. */
  private opening: Promise<DuckDBEngine> | undefined;
  /** The close in progress, which a new first use waits for before opening again. */
  private closing: Promise<void> = Promise.resolve();
  /** Closes the file a moment after its last use (see `IDLE_CLOSE_MS`). */
  private idleTimer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: SharedDuckDBFileOptions) {}

  /**
   * The process's shared handle on a file. The first caller's options (memory limit,
   * threads, lock timeout) are the ones the file is opened with.
   */
  static of(options: SharedDuckDBFileOptions): SharedDuckDBFile {
    const path = resolve(options.path);
    const global = globalThis as Record<symbol, Registry | undefined>;
    const registry = global[REGISTRY] ?? new Map<string, SharedDuckDBFile>();
    global[REGISTRY] = registry;
    let file = registry.get(path);
    if (!file) {
      file = new SharedDuckDBFile({ ...options, path });
      registry.set(path, file);
    }
    return file;
  }

  get path(): string {
    return this.options.path;
  }

  /** Whether the file is open in this process now (for tests and status output). */
  get isOpen(): boolean {
    return this.opening !== undefined;
  }

  /** How often this process has opened the file (tests, measurements). */
  get openCount(): number {
    return this.opens;
  }

  /** Uses of the file in this process now. */
  get activeUses(): number {
    return this.uses;
  }

  /** One use of the file: opens it unless this process has it open already. */
  async acquire(): Promise<DuckDBFileLease> {
    this.uses++;
    this.cancelIdleClose();
    if (!this.opening) {
      const previousClose = this.closing;
      this.opening = previousClose.then(() => {
        this.opens++;
        return openDuckDBFile(this.options);
      });
    }
    const opening = this.opening;
    let engine: DuckDBEngine;
    try {
      engine = await opening;
    } catch (error) {
      // Every waiter of a failed open fails with it; the next use tries afresh.
      if (this.opening === opening) this.opening = undefined;
      this.uses--;
      throw error;
    }
    let released = false;
    return {
      engine,
      release: async () => {
        if (released) return;
        released = true;
        await this.release();
      },
    };
  }

  /** Runs `fn` with the file open, released when `fn` settles. */
  async use<T>(fn: (engine: DuckDBEngine) => Promise<T>): Promise<T> {
    const lease = await this.acquire();
    try {
      return await fn(lease.engine);
    } finally {
      await lease.release();
    }
  }

  /** Closes the file now unless something uses it (a runtime closing does not wait out the idle delay). */
  closeIfIdle(): Promise<void> {
    if (this.uses > 0 || !this.opening) return this.closing;
    this.cancelIdleClose();
    const opened = this.opening;
    this.opening = undefined;
    this.closing = opened.then((engine) => engine.close()).catch(() => undefined);
    return this.closing;
  }

  private async release(): Promise<void> {
    this.uses--;
    if (this.uses > 0) return;
    const idleMs = this.options.idleCloseMs ?? IDLE_CLOSE_MS;
    if (idleMs <= 0) return this.closeIfIdle();
    this.cancelIdleClose();
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      void this.closeIfIdle();
    }, idleMs);
    // An idle file never keeps the process alive; what it committed is durable already.
    this.idleTimer.unref();
  }

  private cancelIdleClose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
