import type { RecordBatch } from "../core/batch.js";
import { newId } from "../core/ids.js";
import type { Schema, TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { LocalDuckDB, readFileScan } from "./file-extract.js";
import type { ExtractResult, ReadContext, Source } from "./source.js";

/** The config every file source has, whatever else its format needs. */
export interface FileSourceConfig {
  path: string;
  batchSize?: number | undefined;
  incremental?: { cursorColumn: string } | undefined;
}

/**
 * What the file sources (CSV, NDJSON, JSON, Parquet) share: DuckDB reads the files. On an
 * engine that reads files itself, `extract` pushes the whole read down (`extractInEngine`);
 * on any other engine, and for `read()`, a private in-memory DuckDB does the parsing and
 * the rows travel as columnar batches. A subclass only says how its format is scanned.
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
    return this.extractThroughLocal(engine, target, context);
  }

  /**
   * For an engine that cannot read files: the whole scan lands in the private DuckDB first,
   * so the target is created with the types the whole input settled on (a sniffed number
   * column may turn out to be text), then the rows are bulk-loaded in one transaction.
   */
  private async extractThroughLocal(
    engine: Engine,
    target: TableRef,
    context: ReadContext,
  ): Promise<ExtractResult> {
    const local = await this.local.get();
    const scratch: TableRef = { name: `weir_extract_${newId()}` };
    try {
      const result = await this.extractInEngine(local, scratch, context);
      const schema = result.inferredSchema ?? (await this.schema());
      const fields = schema.fields.map(({ name, type }) => ({ name, type }));
      const sql = `SELECT * FROM ${local.dialect.quoteTable(scratch)}`;
      const batchSize = this.config.batchSize;
      if (target.schema !== undefined) await engine.createSchema(target.schema);
      const rowsLoaded = await engine.transaction(async (tx) => {
        await tx.run(tx.dialect.dropTable(target));
        await tx.createTable(target, { fields });
        return tx.load(target, local.stream(sql, [], batchSize ? { batchSize } : {}));
      });
      return { ...result, rowsLoaded };
    } finally {
      await local.run(local.dialect.dropTable(scratch)).catch(() => 0);
    }
  }

  async close(): Promise<void> {
    await this.local.close();
  }
}
