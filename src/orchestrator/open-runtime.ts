import { mkdirSync } from "node:fs";
import { type WeirPaths, weirPaths } from "../core/paths.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import type { Engine } from "../engines/engine.js";
import { Lake } from "../lake/lake.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import { SqliteMetadataStore } from "../metadata/sqlite-metadata-store.js";

export interface OpenRuntimeOptions {
  /** The weir home folder; default `WEIR_HOME` or `.weir`. */
  home?: string;
  /** DuckDB memory limit for the warehouse, e.g. "1GB". */
  memoryLimit?: string;
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
 * (SQLite, migrated) under one home folder.
 *
 * @example
 * const runtime = await openRuntime({ home: "/tmp/weir" });
 * try { await runPipeline(pipeline, { logicalDate: "2024-01-15", ...runtime }); } finally { await runtime.close(); }
 */
export async function openRuntime(options: OpenRuntimeOptions = {}): Promise<WeirRuntime> {
  const paths = weirPaths(options.home);
  mkdirSync(paths.tmp, { recursive: true });
  const metadata = await SqliteMetadataStore.open({ path: paths.metadata });
  let engine: DuckDBEngine | undefined;
  try {
    engine = await DuckDBEngine.create({
      path: paths.warehouse,
      tempDirectory: paths.tmp,
      ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
    });
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
