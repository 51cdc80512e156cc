import { mkdirSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { resolve } from "node:path";
import { type WeirPaths, weirPaths } from "../core/paths.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import type { Engine } from "../engines/engine.js";
import { Lake } from "../lake/lake.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import { openMetadataStore } from "../metadata/open-metadata-store.js";

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
  /** The warehouse's DuckDB file; default `<home>/warehouse.duckdb`. */
  warehouse?: string;
}

/** The embedded parts a run needs, opened together and closed together. */
export interface WeirRuntime {
  paths: WeirPaths;
  /** The warehouse (`<home>/warehouse.duckdb`). */
  engine: Engine;
  lake: Lake;
  metadata: MetadataStore;
  close(): Promise<void>;
}

/**
 * Opens the embedded warehouse (DuckDB file), the lake (folder) and the metadata store
 * (SQLite under the home folder, or PostgreSQL when `WEIR_METADATA_URL` says so; migrated).
 *
 * @example
 * const runtime = await openRuntime({ home: "/tmp/weir" });
 * try { await runPipeline(pipeline, { logicalDate: "2024-01-15", ...runtime }); } finally { await runtime.close(); }
 */
export async function openRuntime(options: OpenRuntimeOptions = {}): Promise<WeirRuntime> {
  const base = weirPaths(options.home);
  const paths = options.warehouse ? { ...base, warehouse: resolve(options.warehouse) } : base;
  mkdirSync(paths.tmp, { recursive: true });
  const metadata = await openMetadataStore(
    options.metadataUrl || process.env.WEIR_METADATA_URL || paths.metadata,
  );
  let engine: DuckDBEngine | undefined;
  try {
    engine = await openWarehouse(paths, options);
    const lake = await Lake.open({ root: paths.lake, engine });
    const opened = engine;
    return {
      paths,
      engine: opened,
      lake,
      metadata,
      close: async () => {
        await opened.close();
        await metadata.close();
      },
    };
  } catch (error) {
    await engine?.close();
    await metadata.close();
    throw error;
  }
}

/**
 * The warehouse's DuckDB file with weir's settings: bounded memory (spilling to `paths.tmp`,
 * which must exist) and its threads, each from `options`, else the environment, else the default.
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
