import type { TableRef } from "../../core/types.js";
import type { EngineKind } from "../../engines/engine.js";
import type { ColumnDefinition } from "../model/column-types.js";
import { modelTable, type TableModel } from "../model/define-warehouse.js";

/**
 * What a model table should look like on one engine: the shape `weir warehouse plan`
 * compares with the catalog and `apply` creates. Facts carry no primary key (their grain
 * is kept unique by the loader, which dedupes; a unique index would cost every load and,
 * on PostgreSQL, would have to include the partition column anyway).
 *
 * On DuckDB, tables whose rows are deleted by every load (facts: a day is replaced;
 * aggregates: refreshed groups are deleted and inserted) get no ART index at all: DuckDB's
 * own min-max zone maps serve range scans (loads insert facts sorted by their first
 * declared index for that reason), and ART indexes on tables with deletes have been seen
 * to fail after a crash ("Failed to delete all rows from index" once the WAL is replayed,
 * which invalidates the database; the kill -9 test hit it). PostgreSQL gets every index.
 */
export interface TableDefinition {
  table: TableRef;
  model: TableModel;
  columns: readonly ColumnDefinition[];
  primaryKey: readonly string[] | undefined;
  /** Secondary (non-unique) indexes. */
  indexes: readonly (readonly string[])[];
  /** PostgreSQL RANGE partitions by month or day of this column; undefined elsewhere. */
  partitioning: { column: string; granularity: "month" | "day" } | undefined;
}

export function tableDefinition(model: TableModel, engine: EngineKind): TableDefinition {
  const base = { table: modelTable(model), model, columns: model.columns };
  switch (model.kind) {
    case "dimension":
      return {
        ...base,
        primaryKey: [model.surrogateKey],
        indexes: [
          // The natural-key lookups of SCD merges and as-of fact keying.
          model.scdType === 2 ? [...model.naturalKey, model.validity.from] : [...model.naturalKey],
          ...model.indexes,
        ],
        partitioning: undefined,
      };
    case "fact":
      return {
        ...base,
        primaryKey: undefined,
        indexes: engine === "duckdb" ? [] : model.indexes,
        partitioning: engine === "postgres" ? model.partitionBy : undefined,
      };
    case "date-dimension":
      return { ...base, primaryKey: ["date_key"], indexes: [], partitioning: undefined };
    case "time-dimension":
      return { ...base, primaryKey: ["time_key"], indexes: [], partitioning: undefined };
    case "aggregate":
      // The incremental key first: a refresh deletes by it, and the key's index serves that delete.
      return {
        ...base,
        primaryKey:
          engine === "duckdb"
            ? undefined
            : [model.incrementalKey, ...model.groupBy.filter((c) => c !== model.incrementalKey)],
        indexes: [],
        partitioning: undefined,
      };
  }
}
