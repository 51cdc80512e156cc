import { WEIR_TYPES, type WeirType } from "../../core/types.js";
import type { EngineKind } from "../../engines/engine.js";

/**
 * Column types a warehouse model declares: weir's logical types plus `uuid` (PostgreSQL's
 * `uuid`, DuckDB's `UUID`: 16 bytes, so keys and joins on UUIDs stay narrow) and decimals
 * with a declared precision and scale (`decimal(18,2)`), which money columns need to be
 * equal on both engines.
 */
export type WarehouseType = WeirType | "uuid" | `decimal(${number},${number})`;

export interface ColumnSpec {
  type: WarehouseType;
  /** Default true; keys and SCD bookkeeping columns are declared NOT NULL by weir. */
  nullable?: boolean;
}

/** A column as written in a definition: its type alone, or the type and nullability. */
export type ColumnInput = WarehouseType | ColumnSpec;

export interface ColumnDefinition {
  name: string;
  type: WarehouseType;
  nullable: boolean;
}

const DECIMAL = /^decimal\((\d{1,2}),(\d{1,2})\)$/;

export function columnSpec(name: string, input: ColumnInput): ColumnDefinition {
  const spec = typeof input === "string" ? { type: input } : input;
  return { name, type: spec.type, nullable: spec.nullable ?? true };
}

export function isWarehouseType(type: string): type is WarehouseType {
  return DECIMAL.test(type) || type === "uuid" || (WEIR_TYPES as readonly string[]).includes(type);
}

/**
 * The engine's type name for a model column type. Both engines get types that hold the
 * same values, so a table's content (and its hash) is the same on either.
 */
export function sqlTypeName(engine: EngineKind, type: WarehouseType): string {
  const decimal = DECIMAL.exec(type);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  const names: Record<Exclude<WarehouseType, `decimal(${number},${number})`>, [string, string]> = {
    // [duckdb, postgres]
    boolean: ["BOOLEAN", "boolean"],
    integer: ["INTEGER", "integer"],
    bigint: ["BIGINT", "bigint"],
    double: ["DOUBLE", "double precision"],
    decimal: ["DECIMAL(38,10)", "numeric(38,10)"],
    varchar: ["VARCHAR", "text"],
    date: ["DATE", "date"],
    timestamp: ["TIMESTAMP", "timestamp"],
    timestamptz: ["TIMESTAMPTZ", "timestamptz"],
    json: ["JSON", "jsonb"],
    blob: ["BLOB", "bytea"],
    uuid: ["UUID", "uuid"],
  };
  const pair = names[type as keyof typeof names];
  return engine === "duckdb" ? pair[0] : pair[1];
}
