import type { RecordBatch } from "../core/batch.js";
import type { DataInterval } from "../core/interval.js";
import type { Logger } from "../core/log.js";
import type { Schema, TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { InferredSchema } from "./inferred-schema.js";

/**
 * A row that could not be read as declared: where it was, which column, what was expected
 * and what was found. Rejections are never dropped: they go to quarantine with this reason.
 */
export interface Rejection {
  /** File path, table name or URL the row came from. */
  location: string;
  /** 1-based line (files) or row number (tables, pages), when known. */
  line?: number;
  column?: string;
  expected?: string;
  value?: string;
  reason: string;
  /** The raw row or line as text, when available. */
  raw?: string;
}

/**
 * Incremental extraction by a cursor column over the run's data interval:
 * `cursorColumn >= interval.start AND cursorColumn < interval.end`. Re-running the same
 * interval reads the same rows. `since` (the stored high-water mark) is only used when
 * the source runs without an interval.
 */
export interface IncrementalSpec {
  cursorColumn: string;
}

export interface ReadContext {
  interval?: DataInterval;
  /** The last committed cursor value for this source, from the metadata store. */
  since?: string;
  signal?: AbortSignal;
  logger?: Logger;
  /**
   * Called for every row that cannot be read as declared. Optional: `extract` returns its
   * rejections in `ExtractResult.rejections` whether or not it is given (and
   * `ctx.extract` in a task quarantines them); a `read()` without it drops them.
   */
  reject?(rejection: Rejection): void;
  /**
   * Called with the number of rows a source had to read but filtered out because they lie
   * outside the interval (or at/below `since`); only sources that cannot push the filter
   * down (files, HTTP) call it. Lets callers account for every input row.
   */
  skipped?(rows: number): void;
  /**
   * Called after each batch with the rows read so far and, when the source can tell up
   * front (SQL sources count the interval's rows first), the total: what progress bars use.
   */
  progress?(rowsRead: number, rowsTotal?: number): void;
}

export interface ExtractResult {
  /**
   * Rows read from the source that belong to the extract (loaded + rejected). Rows filtered
   * out by the interval are not in it but in `rowsSkipped`, so every input row is counted
   * once: total = rowsRead + rowsSkipped = rowsLoaded + rejections.length + rowsSkipped.
   */
  rowsRead: number;
  rowsLoaded: number;
  rejections: Rejection[];
  /**
   * Rows the source parsed but left out because they lie outside the interval (or at or
   * below `since`). 0 when the filter was pushed into the source (SQL databases, Parquet
   * statistics) and the rows were never read.
   */
  rowsSkipped?: number;
  /** Highest cursor value among loaded rows, to be committed after the load commits. */
  cursor?: string;
  /**
   * The columns the rows landed with and how each type was decided (declared or inferred,
   * and why an inferred one was widened), from sources that type their input (files).
   */
  inferredSchema?: InferredSchema;
}

/**
 * A Source reads batches from outside. Lifecycle: construct from config → `read()` (an
 * async iterable of columnar batches, ended or abandoned by the caller) → `close()`.
 *
 * `extract` lands the (filtered) rows into a table of an engine; the default path loads
 * `read()`'s batches, and sources the engine can read natively (files on DuckDB) push down.
 */
export interface Source {
  readonly type: string;
  /** A label for messages and lineage: file path, table, URL. Never contains secrets. */
  readonly location: string;
  /** The declared or inferred schema. */
  schema(): Promise<Schema>;
  read(context: ReadContext): AsyncIterable<RecordBatch>;
  extract(engine: Engine, target: TableRef, context: ReadContext): Promise<ExtractResult>;
  close?(): Promise<void>;
}
