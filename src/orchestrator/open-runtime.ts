import { mkdirSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { resolve } from "node:path";
import { redactUrl } from "../connectors/redact-url.js";
import { parseDuration } from "../core/duration.js";
import { ConfigError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { type WeirPaths, weirPaths } from "../core/paths.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { OnDemandDuckDBEngine } from "../engines/duckdb/on-demand-duckdb-engine.js";
import { DEFAULT_WAREHOUSE_LOCK_TIMEOUT_MS, openDuckDBFile } from "../engines/duckdb/open-duckdb-file.js";
import type { Engine } from "../engines/engine.js";
import { openEngine } from "../engines/open-engine.js";
import { loadLocalSecrets } from "../governance/local-secrets.js";
import { Lake } from "../lake/lake.js";
import { createLineageEmitter } from "../lineage/emit/create-lineage-emitter.js";
import type { LineageEmitter } from "../lineage/emit/lineage-emitter.js";
import { LineageStore } from "../lineage/store/lineage-store.js";
import type { LineageConfigInput } from "../lineage/transports/lineage-config.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import { openMetadataStore } from "../metadata/open-metadata-store.js";
import { SqlMetadataStore } from "../metadata/sql-metadata-store.js";

export interface OpenRuntimeOptions {
  /** The weir home folder; default `WEIR_HOME` or `.weir`. */
  home?: string;
  /**
   * DuckDB memory limit for the warehouse, e.g. "1GB". Default `WEIR_DUCKDB_MEMORY_LIMIT`,
   * else a quarter of the machine's RAM capped at 2GB (see `defaultMemoryLimit`).
   */
  memoryLimit?: string;
  /** DuckDB worker threads; default `WEIR_DUCKDB_THREADS`, else one per available core. */
  threads?: number;
  /**
   * The metadata store: a SQLite file path or `postgres://…`. Default `WEIR_METADATA_URL`,
   * else `<home>/weir.db`.
   */
  metadataUrl?: string;
  /**
   * The warehouse: a DuckDB file (a path, or `duckdb:<path>`) or a PostgreSQL URL
   * (`postgres://…`, `postgresql://…`). Default `WEIR_WAREHOUSE_URL`, else
   * `<home>/warehouse.duckdb`.
   */
  warehouse?: string;
  /**
   * Lineage: the project's `lineage` config (transports, namespace). Runs of this runtime
   * emit OpenLineage events to its transports and record them in the metadata store.
   * `false`: no lineage (benchmarks of the bare runtime, tests).
   */
  lineage?: LineageConfigInput | false;
  /**
   * How long opening the DuckDB warehouse file waits while another process holds it, then
   * fails with WAREHOUSE_LOCKED. Default `WEIR_WAREHOUSE_LOCK_TIMEOUT` (a duration: "30s",
   * "2m"), else 30 s.
   */
  warehouseLockTimeoutMs?: number;
  /**
   * Keep the DuckDB warehouse file open from `openRuntime` until `close()`: for a short
   * command that runs many statements outside task attempts (`weir check`). Default false:
   * the file is open only while something uses it — each task attempt holds it for its
   * duration — so long-lived processes (scheduler, `weir serve`, workers) never keep it
   * from other processes between attempts.
   */
  holdWarehouse?: boolean;
  logger?: Logger;
}

/** The embedded parts a run needs, opened together and closed together. */
export interface WeirRuntime {
  /**
   * Where things are. `paths.warehouse` is the DuckDB file, or for a PostgreSQL warehouse
   * its URL with the user and password hidden (`redactUrl`), for messages.
   */
  paths: WeirPaths;
  /**
   * The warehouse: DuckDB (`<home>/warehouse.duckdb` by default) or PostgreSQL. A DuckDB
   * file is opened on demand (`OnDemandDuckDBEngine`): each call opens it unless it is
   * held (`holdWarehouse`), waiting up to the lock timeout for another process.
   */
  engine: Engine;
  /**
   * The DuckDB engine the lake writes and scans with: the warehouse itself when it is
   * DuckDB (the same object as `engine`), else a private in-memory DuckDB (see `openRuntime`).
   */
  lakeEngine: Engine;
  lake: Lake;
  metadata: MetadataStore;
  /** Where this runtime's OpenLineage events go (absent when lineage is off). */
  lineage?: LineageEmitter;
  /**
   * Keeps the DuckDB warehouse file open until released (a task attempt, a command's
   * work): calls in between share one open instance and its session state. Waits up to
   * the lock timeout for another process, then fails with WAREHOUSE_LOCKED. Does nothing
   * for a PostgreSQL warehouse.
   */
  holdWarehouse(): Promise<WarehouseHold>;
  close(): Promise<void>;
}

/** A hold on the warehouse file, from `WeirRuntime.holdWarehouse`. */
export interface WarehouseHold {
  release(): Promise<void>;
}

/** What a warehouse setting names: a DuckDB file, or a PostgreSQL database. */
export type WarehouseTarget = { kind: "duckdb"; path: string } | { kind: "postgres"; url: string };

/**
 * Reads a warehouse setting: `postgres://…`/`postgresql://…` is PostgreSQL, `duckdb:<path>`
 * or a plain path a DuckDB file (relative to the working directory). Any other URL is a
 * ConfigError that does not repeat the value (it may hold a password).
 */
export function warehouseTarget(value: string): WarehouseTarget {
  const text = value.trim();
  if (/^postgres(ql)?:\/\//i.test(text)) return { kind: "postgres", url: text };
  const path = text.startsWith("duckdb:") ? text.slice("duckdb:".length) : text;
  if (path === "" || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new ConfigError(
      `cannot open the warehouse ${describeValue(text)}: expected a DuckDB file ("duckdb:<file>") or "postgres://user@host:port/db"`,
    );
  }
  return { kind: "duckdb", path: resolve(path) };
}

/** A warehouse value for a message: a URL without its secrets, or only that it was empty. */
function describeValue(text: string): string {
  try {
    return JSON.stringify(redactUrl(text));
  } catch {
    return text === "" ? "(empty)" : "(not a URL)";
  }
}

/**
 * Opens the warehouse, the lake (folder) and the metadata store (SQLite under the home
 * folder, or PostgreSQL when `WEIR_METADATA_URL` says so; migrated).
 *
 * A DuckDB warehouse file is not opened here: DuckDB lets one process open a file at a
 * time, so the runtime opens it when it is used and closes it a moment after the last use
 * (`OnDemandDuckDBEngine`); the executor holds it for each task attempt. A process that
 * keeps a runtime for its lifetime (the scheduler, `weir serve`, a worker) therefore holds
 * the file only while attempts run, and another process that needs it waits up to
 * `warehouseLockTimeoutMs`, then gets WAREHOUSE_LOCKED naming the holder.
 *
 * The lake writes Parquet with DuckDB. On a DuckDB warehouse it uses the warehouse itself,
 * so a lake write from a warehouse query never leaves DuckDB. On a PostgreSQL warehouse it
 * gets a private in-memory DuckDB (spilling to `<home>/tmp`): the lake keeps no state in
 * its engine (manifests and files are its state), and a DuckDB file would take a
 * process-wide lock, so the scheduler and a `weir run` could not both open the home while
 * they share the PostgreSQL warehouse. A lake write of a PostgreSQL query streams the rows
 * into that DuckDB first (`withPreparedInput`).
 *
 * @example
 * const runtime = await openRuntime({ home: "/tmp/weir" });
 * try { await runPipeline(pipeline, { logicalDate: "2024-01-15", ...runtime }); } finally { await runtime.close(); }
 */
export async function openRuntime(options: OpenRuntimeOptions = {}): Promise<WeirRuntime> {
  const base = weirPaths(options.home);
  const setting = options.warehouse || process.env.WEIR_WAREHOUSE_URL;
  const target: WarehouseTarget = setting
    ? warehouseTarget(setting)
    : { kind: "duckdb", path: base.warehouse };
  const paths = {
    ...base,
    warehouse: target.kind === "duckdb" ? target.path : redactUrl(target.url),
  };
  mkdirSync(paths.tmp, { recursive: true });
  // Policy keys from the environment, else the home's secrets file (created on first use).
  loadLocalSecrets(paths.home);
  const metadata = await openMetadataStore(
    options.metadataUrl || process.env.WEIR_METADATA_URL || paths.metadata,
  );
  const opened: { close(): Promise<void> }[] = [];
  const closeAll = async () => {
    for (const e of opened.splice(0).reverse()) await e.close();
  };
  try {
    let engine: Engine;
    let lakeEngine: Engine;
    if (target.kind === "duckdb") {
      lakeEngine = new OnDemandDuckDBEngine({
        path: target.path,
        ...duckdbSettings(paths, options),
        lockTimeoutMs: warehouseLockTimeout(options),
      });
      opened.push(lakeEngine);
      engine = lakeEngine;
    } else {
      engine = await openEngine(target.url);
      opened.push(engine);
      lakeEngine = await openWarehouse({ warehouse: ":memory:", tmp: paths.tmp }, options);
      opened.push(lakeEngine);
    }
    const holdWarehouse = async (): Promise<WarehouseHold> =>
      engine instanceof OnDemandDuckDBEngine ? engine.hold() : { release: async () => undefined };
    if (options.holdWarehouse) {
      const hold = await holdWarehouse();
      opened.push({ close: () => hold.release() });
    }
    const lake = await Lake.open({ root: paths.lake, engine: lakeEngine });
    const lineage =
      options.lineage === false
        ? undefined
        : createLineageEmitter(options.lineage, {
            home: paths.home,
            ...(metadata instanceof SqlMetadataStore ? { store: new LineageStore(metadata.database) } : {}),
            ...(options.logger ? { logger: options.logger } : {}),
          });
    return {
      paths,
      engine,
      lakeEngine,
      lake,
      metadata,
      ...(lineage ? { lineage } : {}),
      holdWarehouse,
      close: async () => {
        await lineage?.close();
        await closeAll();
        await metadata.close();
      },
    };
  } catch (error) {
    await closeAll().catch(() => undefined);
    await metadata.close();
    throw error;
  }
}

/**
 * The warehouse engine alone (for `weir sql` and `weir warehouse`): a DuckDB file through
 * `openWarehouse` (kept open until closed; waits for another process's lock), or PostgreSQL.
 */
export async function openWarehouseEngine(
  target: WarehouseTarget,
  paths: Pick<WeirPaths, "tmp">,
  options: Pick<OpenRuntimeOptions, "memoryLimit" | "threads" | "warehouseLockTimeoutMs"> = {},
): Promise<Engine> {
  if (target.kind === "postgres") return openEngine(target.url);
  return openWarehouse({ warehouse: target.path, tmp: paths.tmp }, options);
}

/**
 * The warehouse's DuckDB file (or `:memory:`) with weir's settings: bounded memory (spilling
 * to `paths.tmp`, which must exist) and its threads, each from `options`, else the
 * environment, else the default. A file held by another process is waited for up to the
 * lock timeout (`warehouseLockTimeout`), then WAREHOUSE_LOCKED.
 */
export function openWarehouse(
  paths: Pick<WeirPaths, "warehouse" | "tmp">,
  options: Pick<OpenRuntimeOptions, "memoryLimit" | "threads" | "warehouseLockTimeoutMs"> = {},
): Promise<DuckDBEngine> {
  if (paths.warehouse.startsWith(":memory:")) {
    return DuckDBEngine.create({ path: paths.warehouse, ...duckdbSettings(paths, options) });
  }
  return openDuckDBFile({
    path: paths.warehouse,
    ...duckdbSettings(paths, options),
    lockTimeoutMs: warehouseLockTimeout(options),
  });
}

/** Memory limit, threads and spill folder of weir's DuckDB instances. */
function duckdbSettings(
  paths: Pick<WeirPaths, "tmp">,
  options: Pick<OpenRuntimeOptions, "memoryLimit" | "threads">,
): { tempDirectory: string; memoryLimit: string; threads: number } {
  return {
    tempDirectory: paths.tmp,
    memoryLimit: options.memoryLimit || process.env.WEIR_DUCKDB_MEMORY_LIMIT || defaultMemoryLimit(),
    threads: options.threads ?? (Number(process.env.WEIR_DUCKDB_THREADS) || availableParallelism()),
  };
}

/** The lock timeout: the option, else `WEIR_WAREHOUSE_LOCK_TIMEOUT` (a duration), else 30 s. */
export function warehouseLockTimeout(options: Pick<OpenRuntimeOptions, "warehouseLockTimeoutMs">): number {
  if (options.warehouseLockTimeoutMs !== undefined) return options.warehouseLockTimeoutMs;
  const fromEnv = process.env.WEIR_WAREHOUSE_LOCK_TIMEOUT;
  if (!fromEnv) return DEFAULT_WAREHOUSE_LOCK_TIMEOUT_MS;
  return parseDuration(
    /^\d+$/.test(fromEnv.trim()) ? Number(fromEnv) : fromEnv,
    "WEIR_WAREHOUSE_LOCK_TIMEOUT",
  );
}

/**
 * The warehouse's default DuckDB memory limit: a quarter of the RAM, at most 2GB and at
 * least 256MB. DuckDB's own default (80% of RAM) lets one big run crowd out everything
 * else on the machine; with a bound, large sorts, joins and CTAS spill to `<home>/tmp`
 * instead, so a run over 100M rows stays within a few GiB of resident memory (the limit
 * covers DuckDB's buffer pool, not Node's heap or the allocator's slack).
 */
export function defaultMemoryLimit(totalBytes = totalmem()): string {
  const mb = Math.floor(totalBytes / 4 / 2 ** 20);
  return `${Math.max(256, Math.min(2048, mb))}MB`;
}
