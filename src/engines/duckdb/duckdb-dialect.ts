import type { WeirType } from "../../core/types.js";
import { type DialectFeatures, SqlDialect } from "../sql-dialect.js";

const TYPE_NAMES: Record<WeirType, string> = {
  boolean: "BOOLEAN",
  integer: "INTEGER",
  bigint: "BIGINT",
  double: "DOUBLE",
  // The widest DuckDB decimal; scale 10 keeps money and rates exact with 28 integer digits.
  decimal: "DECIMAL(38,10)",
  varchar: "VARCHAR",
  date: "DATE",
  timestamp: "TIMESTAMP",
  timestamptz: "TIMESTAMPTZ",
  json: "JSON",
  blob: "BLOB",
};

/**
 * Maps a DuckDB type name (as `information_schema.columns.data_type` or a result column
 * type prints it) to the logical type. Types weir has no logical name for (UUID, TIME,
 * INTERVAL, nested types) are read as their text form, so they map to `varchar`.
 */
export function duckdbLogicalType(engineType: string): WeirType {
  const t = engineType.trim().toUpperCase();
  if (t === "BOOLEAN" || t === "BOOL") return "boolean";
  if (/^(TINYINT|SMALLINT|INTEGER|INT|INT4|INT2|INT1|UTINYINT|USMALLINT)$/.test(t)) return "integer";
  if (/^(BIGINT|INT8|LONG|UINTEGER|UBIGINT|HUGEINT|UHUGEINT|INT128)$/.test(t)) return "bigint";
  if (/^(DOUBLE|FLOAT|REAL|FLOAT4|FLOAT8)$/.test(t)) return "double";
  if (t.startsWith("DECIMAL") || t.startsWith("NUMERIC")) return "decimal";
  if (t === "DATE") return "date";
  if (
    t === "TIMESTAMP" ||
    t === "DATETIME" ||
    t.startsWith("TIMESTAMP_") ||
    t === "TIMESTAMP WITHOUT TIME ZONE"
  ) {
    return "timestamp";
  }
  if (t === "TIMESTAMPTZ" || t === "TIMESTAMP WITH TIME ZONE") return "timestamptz";
  if (t === "JSON") return "json";
  if (t === "BLOB" || t === "BYTEA" || t === "VARBINARY") return "blob";
  return "varchar";
}

/** DuckDB's SQL dialect: the shared generator with DuckDB type names. */
export class DuckDBDialect extends SqlDialect {
  readonly name = "duckdb";
  // DuckDB keeps identifiers of any length; the cap only guards against absurd input.
  readonly features: DialectFeatures = { maxIdentifierBytes: 1024 };

  typeName(type: WeirType): string {
    return TYPE_NAMES[type];
  }

  logicalType(engineType: string): WeirType {
    return duckdbLogicalType(engineType);
  }
}
