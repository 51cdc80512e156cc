import type { RecordBatch } from "../core/batch.js";
import type { Engine } from "../engines/engine.js";

export type WriteMode = "append" | "overwrite" | "overwrite-partition" | "upsert";

/** Where the data to write comes from: batches from JS, or a query on the sink's engine (no round trip). */
export type WriteInput =
  | { batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch> }
  | { engine: Engine; sql: string; params?: readonly unknown[] };

export interface WriteResult {
  rowsWritten: number;
}

/**
 * A Sink makes data visible atomically: a failed write leaves the target as it was.
 * Writes with `overwrite-partition` or `upsert` are idempotent, so a re-run of the same
 * interval yields the same table.
 */
export interface Sink {
  readonly type: string;
  readonly location: string;
  write(input: WriteInput): Promise<WriteResult>;
}
