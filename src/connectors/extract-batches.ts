import type { RecordBatch } from "../core/batch.js";
import type { TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { CursorTracker } from "./incremental.js";
import type { ExtractResult, ReadContext, Rejection, Source } from "./source.js";

export interface ExtractBatchesOptions {
  /** The incremental cursor column; its largest loaded value becomes `ExtractResult.cursor`. */
  cursorColumn?: string;
}

/**
 * Collects the rejections and skipped-row counts a read reports, passing them on to the
 * caller's context as well.
 */
export class ReadTally {
  readonly rejections: Rejection[] = [];
  skipped = 0;
  readonly context: ReadContext;

  constructor(outer: ReadContext) {
    this.context = {
      ...outer,
      reject: (rejection) => {
        this.rejections.push(rejection);
        outer.reject?.(rejection);
      },
      skipped: (rows) => {
        this.skipped += rows;
        outer.skipped?.(rows);
      },
    };
  }
}

/**
 * The default `extract` for sources read in JS (SQLite, HTTP, memory): replaces `target`
 * on `engine` with the source's schema and bulk-loads `source.read()`'s batches, in one
 * transaction so a failed read leaves no half-loaded table.
 *
 * @example
 * const result = await extractBatches(source, engine, { schema: "raw", name: "orders" }, ctx, {
 *   cursorColumn: "updated_at",
 * });
 */
export async function extractBatches(
  source: Source,
  engine: Engine,
  target: TableRef,
  context: ReadContext,
  options: ExtractBatchesOptions = {},
): Promise<ExtractResult> {
  const schema = await source.schema();
  const tally = new ReadTally(context);
  const tracker = options.cursorColumn ? new CursorTracker(schema, options.cursorColumn) : undefined;
  async function* observed(): AsyncGenerator<RecordBatch> {
    for await (const batch of source.read(tally.context)) {
      tracker?.observe(batch);
      yield batch;
    }
  }
  // Before the transaction, committed on its own: two extracts creating one new schema
  // inside their transactions cannot both commit on DuckDB (see Engine.createSchema).
  if (target.schema !== undefined) await engine.createSchema(target.schema);
  const rowsLoaded = await engine.transaction(async (tx) => {
    await tx.run(tx.dialect.dropTable(target));
    await tx.createTable(target, schema);
    return tx.load(target, observed());
  });
  const result: ExtractResult = {
    rowsRead: rowsLoaded + tally.rejections.length,
    rowsLoaded,
    rejections: tally.rejections,
    rowsSkipped: tally.skipped,
  };
  const cursor = tracker?.value;
  if (cursor !== undefined) result.cursor = cursor;
  return result;
}
