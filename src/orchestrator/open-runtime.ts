import { mkdirSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { resolve } from "node:path";
import { redactUrl } from "../connectors/redact-url.js";
import { ConfigError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { type WeirPaths, weirPaths } from "../core/paths.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
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
  logger?: Logger;
}

/** The embedded parts a run needs, opened together and closed together. */
export interface WeirRuntime {
  /**
   * Where things are. `paths.warehouse` is the DuckDB file, or for a PostgreSQL warehouse
   * its URL with the user and password hidden (`redactUrl`), for messages.
   */
  paths: WeirPaths;
  /** The warehouse: DuckDB (`<home>/warehouse.duckdb` by default) or PostgreSQL. */
  engine: Engine;
  /**
   * The DuckDB engine the lake writes and scans with: the warehouse itself when it is
   * DuckDB (the same object as `engine`), else a private in-memory DuckDB (see `openRuntime`).
   */
  lakeEngine: DuckDBEngine;
  lake: Lake;
  metadata: MetadataStore;
  /** Where this runtime's OpenLineage events go (absent when lineage is off). */
  lineage?: LineageEmitter;
  close(): Promise<void>;
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
    let lakeEngine: DuckDBEngine;
    if (target.kind === "duckdb") {
      lakeEngine = await openWarehouse({ warehouse: target.path, tmp: paths.tmp }, options);
      opened.push(lakeEngine);
      engine = lakeEngine;
    } else {
      engine = await openEngine(target.url);
      opened.push(engine);
      lakeEngine = await openWarehouse({ warehouse: ":memory:", tmp: paths.tmp }, options);
      opened.push(lakeEngine);
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
 * The warehouse engine alone (for `weir sql`): a DuckDB file through `openWarehouse`, or
 * PostgreSQL.
 */
export async function openWarehouseEngine(
  target: WarehouseTarget,
  paths: Pick<WeirPaths, "tmp">,
  options: Pick<OpenRuntimeOptions, "memoryLimit" | "threads"> = {},
): Promise<Engine> {
  if (target.kind === "postgres") return openEngine(target.url);
  return openWarehouse({ warehouse: target.path, tmp: paths.tmp }, options);
}

/**
 * The warehouse's DuckDB file (or `:memory:`) with weir's settings: bounded memory (spilling
 * to `paths.tmp`, which must exist) and its threads, each from `options`, else the
 * environment, else the default.
 */
export function openWarehouse(
  paths: Pick<WeirPaths, "warehouse" | "tmp">,
  options: Pick<OpenRuntimeOptions, "memoryLimit" | "threads"> = {},
): Promise<DuckDBEngine> {
  return DuckDBEngine.create({
    path: paths.warehouse,
    tempDirectory: paths.tmp,
    memoryLimit: options.memoryLimit || process.env.WEIR_DUCKDB_MEMORY_LIMIT || defaultMemoryLimit(),
    threads: options.threads ?? (Number(process.env.WEIR_DUCKDB_THREADS) || availableParallelism()),
  });
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
