import type { Schema } from "./types.js";

/**
 * A columnar batch of rows: one array per column, all of length `numRows`. This is how
 * data moves between sources, engines and sinks on the JS side; engines turn it into
 * DuckDB data chunks or a PostgreSQL COPY stream without building one object per row.
 *
 * Value representation per logical type (null is SQL NULL everywhere):
 * - boolean → boolean; integer, double → number; bigint → bigint (or number when safe);
 * - decimal → string (exact); varchar, json → string; blob → Uint8Array;
 * - date → "YYYY-MM-DD"; timestamp → "YYYY-MM-DD HH:MM:SS[.ffffff]" (no zone);
 *   timestamptz → ISO-8601 string with offset.
 */
export interface RecordBatch {
  schema: Schema;
  columns: unknown[][];
  numRows: number;
}

export type Row = Record<string, unknown>;

/** Builds a batch from row objects. For tests and small inputs, not for hot paths. */
export function batchFromRows(schema: Schema, rows: readonly Row[]): RecordBatch {
  const columns = schema.fields.map((f) => rows.map((r) => r[f.name] ?? null));
  return { schema, columns, numRows: rows.length };
}

/** Turns a batch into row objects. For tests and small results, not for hot paths. */
export function rowsFromBatch(batch: RecordBatch): Row[] {
  const rows: Row[] = new Array(batch.numRows);
  const names = batch.schema.fields.map((f) => f.name);
  for (let i = 0; i < batch.numRows; i++) {
    const row: Row = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = batch.columns[c]![i];
    rows[i] = row;
  }
  return rows;
}

/** Cuts a batch into slices of at most `size` rows (engines have native chunk sizes). */
export function* sliceBatch(batch: RecordBatch, size: number): Generator<RecordBatch> {
  if (batch.numRows <= size) {
    yield batch;
    return;
  }
  for (let start = 0; start < batch.numRows; start += size) {
    const end = Math.min(start + size, batch.numRows);
    yield {
      schema: batch.schema,
      columns: batch.columns.map((c) => c.slice(start, end)),
      numRows: end - start,
    };
  }
}

export async function collectBatches(batches: AsyncIterable<RecordBatch>): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const b of batches) rows.push(...rowsFromBatch(b));
  return rows;
}
