import { type RecordBatch, type Row, rowsFromBatch } from "../core/batch.js";
import { ConfigError } from "../core/errors.js";
import { partitionColumnsOf } from "../engines/table-writer.js";
import type { Sink, WriteInput, WriteMode, WriteResult } from "./sink.js";

export interface MemorySinkOptions {
  mode?: WriteMode;
  /** Key columns for `upsert`. */
  key?: string[];
  /** Partition columns for `overwrite-partition`. */
  partitionBy?: string[];
  /** @deprecated the old name of `partitionBy`. */
  partitionColumns?: string[];
  location?: string;
}

/**
 * A sink that keeps what it is given in memory, honouring the write modes: a test double
 * for users' own pipeline tests (assert on `rows()` after a run).
 *
 * @example
 * const sink = new MemorySink({ mode: "upsert", key: ["id"] });
 * await sink.write({ batches: [batch] });
 * expect(sink.rows()).toHaveLength(2);
 */
export class MemorySink implements Sink {
  readonly type = "memory";
  readonly location: string;
  readonly mode: WriteMode;
  private readonly key: string[];
  private readonly partitionColumns: string[];
  private data: Row[] = [];
  /** Every `write` call's row count, in order. */
  readonly writes: number[] = [];

  constructor(options: MemorySinkOptions = {}) {
    this.mode = options.mode ?? "append";
    this.key = options.key ?? [];
    this.partitionColumns = partitionColumnsOf(options);
    this.location = options.location ?? "memory";
    if (this.mode === "upsert" && this.key.length === 0) {
      throw new ConfigError(`memory sink: mode "upsert" needs key columns`);
    }
    if (this.mode === "overwrite-partition" && this.partitionColumns.length === 0) {
      throw new ConfigError(`memory sink: mode "overwrite-partition" needs partition columns`);
    }
  }

  /** The rows currently held, in write order. */
  rows(): Row[] {
    return [...this.data];
  }

  async write(input: WriteInput): Promise<WriteResult> {
    const incoming: Row[] = [];
    const batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch> =
      "batches" in input ? input.batches : input.engine.stream(input.sql, input.params);
    for await (const batch of batches) incoming.push(...rowsFromBatch(batch));
    // Build the new state first and swap it in, so a failed write leaves the old rows (atomicity).
    this.data = this.merge(incoming);
    this.writes.push(incoming.length);
    return { rowsWritten: incoming.length };
  }

  private merge(incoming: Row[]): Row[] {
    switch (this.mode) {
      case "append":
        return [...this.data, ...incoming];
      case "overwrite":
        return incoming;
      case "overwrite-partition": {
        const touched = new Set(incoming.map((r) => keyOf(r, this.partitionColumns)));
        return [...this.data.filter((r) => !touched.has(keyOf(r, this.partitionColumns))), ...incoming];
      }
      case "upsert": {
        const byKey = new Map(this.data.map((r) => [keyOf(r, this.key), r] as const));
        for (const r of incoming) byKey.set(keyOf(r, this.key), { ...byKey.get(keyOf(r, this.key)), ...r });
        return [...byKey.values()];
      }
    }
  }
}

function keyOf(row: Row, columns: readonly string[]): string {
  return JSON.stringify(
    columns.map((c) => {
      const v = row[c];
      return typeof v === "bigint" ? v.toString() : (v ?? null);
    }),
  );
}
