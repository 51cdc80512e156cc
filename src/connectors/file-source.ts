import type { RecordBatch } from "../core/batch.js";
import type { Schema, TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { extractBatches } from "./extract-batches.js";
import { LocalDuckDB, readFileScan } from "./file-extract.js";
import type { ExtractResult, ReadContext, Source } from "./source.js";

/** The config every file source has, whatever else its format needs. */
export interface FileSourceConfig {
  path: string;
  batchSize?: number | undefined;
  incremental?: { cursorColumn: string } | undefined;
}

/**
 * What the file sources (CSV, NDJSON, Parquet) share: DuckDB reads the files. On an engine
 * that reads files itself, `extract` pushes the whole read down (`extractInEngine`); on any
 * other engine, and for `read()`, a private in-memory DuckDB does the parsing and the rows
 * travel as columnar batches. A subclass only says how its format is scanned.
 */
export abstract class FileSource<C extends FileSourceConfig> implements Source {
  abstract readonly type: string;
  readonly location: string;
  protected readonly local = new LocalDuckDB();

  constructor(protected readonly config: C) {
    this.location = config.path;
  }

  abstract schema(): Promise<Schema>;

  /** Lands the interval's rows in `target` with `engine` (which reads files) doing the scan. */
  protected abstract extractInEngine(
    engine: Engine,
    target: TableRef,
    context: ReadContext,
  ): Promise<ExtractResult>;

  async *read(context: ReadContext): AsyncGenerator<RecordBatch> {
    const engine = await this.local.get();
    yield* readFileScan(engine, context, (e, t, c) => this.extract(e, t, c), this.config.batchSize);
  }

  extract(engine: Engine, target: TableRef, context: ReadContext): Promise<ExtractResult> {
    if (engine.capabilities.readsFiles) return this.extractInEngine(engine, target, context);
    const cursorColumn = this.config.incremental?.cursorColumn;
    return extractBatches(this, engine, target, context, cursorColumn ? { cursorColumn } : {});
  }

  async close(): Promise<void> {
    await this.local.close();
  }
}
