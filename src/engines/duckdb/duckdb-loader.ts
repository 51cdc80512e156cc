import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBDataChunk,
  type DuckDBValue,
  VARCHAR,
} from "@duckdb/node-api";
import type { RecordBatch } from "../../core/batch.js";
import { EngineError, messageOf } from "../../core/errors.js";
import type { Field, TableRef } from "../../core/types.js";
import { tableLabel } from "../../core/types.js";
import { type AppendColumn, appendColumn } from "./duckdb-types.js";

/** DuckDB's vector size: the appender takes whole data chunks of at most this many rows. */
export const DUCKDB_CHUNK_ROWS = 2048;

/** Where the appender writes: the table, its columns in table order, and its catalog (`temp` for temporary tables). */
export interface AppendTarget {
  table: TableRef;
  fields: readonly Field[];
  catalog?: string;
}

/**
 * Bulk-loads columnar batches into an existing DuckDB table through the appender, one
 * 2048-row data chunk at a time. Batch columns are matched to table columns by name;
 * table columns the batch lacks are appended as NULL; a batch column the table lacks is
 * a `SCHEMA_MISMATCH`. Atomicity is the caller's: run it inside a transaction.
 *
 * @example
 * await appendBatches(connection, { table: { name: "t" }, fields }, [batch]);
 */
export async function appendBatches(
  connection: DuckDBConnection,
  target: AppendTarget,
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
): Promise<number> {
  const label = tableLabel(target.table);
  const appender = await connection.createAppender(
    target.table.name,
    target.table.schema ?? null,
    target.catalog ?? null,
  );
  let rows = 0;
  try {
    for await (const batch of batches) {
      if (batch.numRows === 0) continue;
      appendBatch(appender, batch, target.fields, label, rows);
      rows += batch.numRows;
    }
    appender.flushSync();
  } catch (error) {
    // Closing after a failure would only re-report it; the caller's transaction rolls back.
    try {
      appender.closeSync();
    } catch {}
    throw error;
  }
  try {
    appender.closeSync();
  } catch (error) {
    throw new EngineError(
      "ENGINE_QUERY_FAILED",
      `duckdb: appending to ${label} failed: ${messageOf(error)}`,
      {
        cause: error,
        details: { table: label },
      },
    );
  }
  return rows;
}

function appendBatch(
  appender: DuckDBAppender,
  batch: RecordBatch,
  fields: readonly Field[],
  label: string,
  rowsBefore: number,
): void {
  const sourceIndex = matchColumns(batch, fields, label);
  for (let start = 0; start < batch.numRows; start += DUCKDB_CHUNK_ROWS) {
    const end = Math.min(start + DUCKDB_CHUNK_ROWS, batch.numRows);
    const columns = fields.map((field, c) => {
      const from = sourceIndex[c]!;
      if (from < 0) return nullColumn(end - start);
      try {
        return appendColumn(field.type, batch.columns[from]!, start, end);
      } catch (error) {
        throw mismatch(label, field, rowsBefore + start, messageOf(error), error);
      }
    });
    const chunk = DuckDBDataChunk.create(
      columns.map((c) => c.type),
      end - start,
    );
    chunk.setColumns(columns.map((c) => c.values));
    try {
      appender.appendDataChunk(chunk);
    } catch (error) {
      throw new EngineError(
        "SCHEMA_MISMATCH",
        `duckdb: input rows ${rowsBefore + start + 1}–${rowsBefore + end} do not fit table ${label}: ${messageOf(error)}`,
        { cause: error, details: { table: label, firstRow: rowsBefore + start + 1 } },
      );
    }
  }
}

function matchColumns(batch: RecordBatch, fields: readonly Field[], label: string): number[] {
  const byName = new Map<string, number>();
  for (const [i, f] of batch.schema.fields.entries()) byName.set(f.name, i);
  const known = new Set(fields.map((f) => f.name));
  const extra = batch.schema.fields.filter((f) => !known.has(f.name)).map((f) => f.name);
  if (extra.length > 0) {
    throw new EngineError(
      "SCHEMA_MISMATCH",
      `duckdb: table ${label} has no column ${extra.map((e) => JSON.stringify(e)).join(", ")}; expected only ${[...known].map((k) => JSON.stringify(k)).join(", ")}`,
      { details: { table: label, unknownColumns: extra } },
    );
  }
  return fields.map((f) => byName.get(f.name) ?? -1);
}

function nullColumn(n: number): AppendColumn {
  return { type: VARCHAR, values: new Array<DuckDBValue>(n).fill(null) };
}

function mismatch(label: string, field: Field, row: number, reason: string, cause: unknown): EngineError {
  return new EngineError(
    "SCHEMA_MISMATCH",
    `duckdb: column ${JSON.stringify(field.name)} of table ${label} expects ${field.type}, near input row ${row + 1}: ${reason}`,
    { cause, details: { table: label, column: field.name, expected: field.type } },
  );
}
