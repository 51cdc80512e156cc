import type { Schema, TableRef } from "../core/types.js";
import { tableLabel } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { OnSchemaChange } from "../engines/schema-change.js";
import { partitionColumnsOf, writeTable } from "../engines/table-writer.js";
import type { Sink, WriteInput, WriteMode, WriteResult } from "./sink.js";

export interface EngineTableSinkOptions {
  engine: Engine;
  table: TableRef;
  mode: WriteMode;
  /** Key columns for `upsert`. */
  key?: string[];
  /** Partition columns for `overwrite-partition`. */
  partitionBy?: string[];
  /** @deprecated the old name of `partitionBy`. */
  partitionColumns?: string[];
  /** Schema for creating the table when missing; defaults to the input's. */
  schema?: Schema;
  /** When the input's columns differ from the table's (see `writeTable`). */
  onSchemaChange?: OnSchemaChange;
}

/**
 * A table in an engine as a sink. Every write is one transaction (see `writeTable`), so a
 * failed write leaves the table as it was; `upsert` and `overwrite-partition` make re-runs
 * idempotent. SQL input on the same engine runs in place with no round trip through JS.
 *
 * @example
 * const sink = new EngineTableSink({ engine, table: { schema: "dw", name: "orders" }, mode: "upsert", key: ["id"] });
 * await sink.write({ batches: source.read(ctx) });
 */
export class EngineTableSink implements Sink {
  readonly type = "engine-table";
  readonly location: string;
  private readonly options: EngineTableSinkOptions;

  constructor(options: EngineTableSinkOptions) {
    this.options = options;
    this.location = `${options.engine.kind}:${tableLabel(options.table)}`;
  }

  write(input: WriteInput): Promise<WriteResult> {
    const { engine, table, mode, key, schema, onSchemaChange } = this.options;
    return writeTable(engine, table, input, {
      mode,
      ...(key ? { key } : {}),
      partitionBy: partitionColumnsOf(this.options),
      ...(schema ? { schema } : {}),
      ...(onSchemaChange ? { onSchemaChange } : {}),
    });
  }
}
