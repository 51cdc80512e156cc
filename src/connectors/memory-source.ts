import { batchFromRows, type RecordBatch, type Row } from "../core/batch.js";
import type { Schema, TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { extractBatches } from "./extract-batches.js";
import { filterByCursor } from "./incremental.js";
import type { ExtractResult, IncrementalSpec, ReadContext, Rejection, Source } from "./source.js";

export interface MemorySourceOptions {
  schema: Schema;
  /** The data, as batches or (for small test inputs) row objects. */
  batches?: RecordBatch[];
  rows?: Row[];
  /** Rejections to report on every read, to test how a pipeline handles bad rows. */
  rejections?: Rejection[];
  incremental?: IncrementalSpec;
  location?: string;
}

/**
 * A source over data held in memory: a test double for users' own pipeline tests. It
 * filters by the incremental cursor like a real source, so interval logic can be tested.
 *
 * @example
 * const source = new MemorySource({ schema, rows: [{ id: 1, updated_at: "2024-01-01 10:00:00" }] });
 */
export class MemorySource implements Source {
  readonly type = "memory";
  readonly location: string;
  private readonly options: MemorySourceOptions;
  /** How many times `read` was called, for assertions. */
  reads = 0;

  constructor(options: MemorySourceOptions) {
    this.options = options;
    this.location = options.location ?? "memory";
  }

  async schema(): Promise<Schema> {
    return this.options.schema;
  }

  async *read(context: ReadContext): AsyncGenerator<RecordBatch> {
    this.reads++;
    for (const rejection of this.options.rejections ?? []) context.reject?.(rejection);
    const batches = this.options.batches ?? [batchFromRows(this.options.schema, this.options.rows ?? [])];
    const cursor = this.options.incremental?.cursorColumn;
    for (const batch of batches) {
      context.signal?.throwIfAborted();
      if (!cursor) {
        yield batch;
        continue;
      }
      const { batch: kept, skipped } = filterByCursor(batch, cursor, context);
      if (skipped > 0) context.skipped?.(skipped);
      if (kept.numRows > 0) yield kept;
    }
  }

  extract(engine: Engine, target: TableRef, context: ReadContext): Promise<ExtractResult> {
    const cursorColumn = this.options.incremental?.cursorColumn;
    return extractBatches(this, engine, target, context, cursorColumn ? { cursorColumn } : {});
  }
}
