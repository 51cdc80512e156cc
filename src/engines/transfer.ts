import type { WriteMode } from "../connectors/sink.js";
import { EngineError } from "../core/errors.js";
import type { TableRef } from "../core/types.js";
import { tableLabel } from "../core/types.js";
import { copyThroughCsv, loadsCsv } from "./csv-pushdown.js";
import type { Engine } from "./engine.js";
import { queryShape } from "./query-shape.js";
import type { OnSchemaChange } from "./schema-change.js";
import { partitionColumnsOf, writeTable } from "./table-writer.js";

export interface CopyTableOptions {
  /** Default `append`. */
  mode?: WriteMode;
  /** Key columns for `upsert`. */
  key?: string[];
  /** Partition columns for `overwrite-partition`. */
  partitionBy?: string[];
  /** @deprecated the old name of `partitionBy`. */
  partitionColumns?: string[];
  /** When the source's columns differ from an existing target's (see `writeTable`). */
  onSchemaChange?: OnSchemaChange;
  /** Rows per streamed batch; default 8192. */
  batchSize?: number;
}

/**
 * Copies a table (or a query's result) from one engine to another: columnar batches are
 * streamed from `from` and bulk-loaded into `to` (DuckDB appender, PostgreSQL COPY), so
 * memory stays flat whatever the size. The target is created when missing, with the
 * source's logical schema (from `describe`, or from the query's result columns). The
 * write is one transaction on `to`: a failure leaves the target unchanged. Within one
 * engine the copy is a single `INSERT … SELECT`, with no round trip through JS. When the
 * source writes CSV itself (DuckDB) and the target loads CSV (PostgreSQL), `append` and
 * `overwrite` copies stream the source's CSV straight into COPY (see csv-pushdown.ts).
 *
 * @example
 * await copyTable(duckdb, { name: "customers" }, postgres, { schema: "dw", name: "customers" });
 * await copyTable(postgres, { sql: "SELECT * FROM orders WHERE day = '2024-01-01'" }, duckdb, { name: "orders" });
 */
export async function copyTable(
  from: Engine,
  fromTable: TableRef | { sql: string },
  to: Engine,
  toTable: TableRef,
  options: CopyTableOptions = {},
): Promise<{ rows: number }> {
  let sql: string;
  let schema: Awaited<ReturnType<Engine["describe"]>>;
  if ("sql" in fromTable) {
    sql = fromTable.sql;
  } else {
    schema = await from.describe(fromTable);
    if (!schema) {
      throw new EngineError(
        "ENGINE_QUERY_FAILED",
        `cannot copy ${tableLabel(fromTable)}: no such table in ${from.kind}`,
        {
          details: { table: tableLabel(fromTable), engine: from.kind },
        },
      );
    }
    sql = `SELECT ${schema.fields.map((f) => from.dialect.quoteIdent(f.name)).join(", ")} FROM ${from.dialect.quoteTable(fromTable)}`;
  }
  const mode = options.mode ?? "append";
  if (
    (mode === "append" || mode === "overwrite") &&
    from !== to &&
    from.capabilities.writesCsv &&
    loadsCsv(to)
  ) {
    const fields = schema?.fields ?? (await queryShape(from, sql)).fields;
    const rows = await copyThroughCsv(from, sql, fields, to, toTable, {
      mode,
      ...(schema ? { schema } : {}),
      ...(options.onSchemaChange ? { onSchemaChange: options.onSchemaChange } : {}),
    });
    return { rows };
  }
  const input =
    from === to
      ? { engine: from, sql }
      : { batches: from.stream(sql, [], { batchSize: options.batchSize ?? 8192 }) };
  const { rowsWritten } = await writeTable(to, toTable, input, {
    mode,
    ...(options.key ? { key: options.key } : {}),
    partitionBy: partitionColumnsOf(options),
    ...(schema ? { schema } : {}),
    ...(options.onSchemaChange ? { onSchemaChange: options.onSchemaChange } : {}),
  });
  return { rows: rowsWritten };
}
