import type { TableRef, WeirType } from "../../core/types.js";
import type { SqlWithParams } from "../dialect.js";
import { type DialectFeatures, SqlDialect } from "../sql-dialect.js";

const TYPE_NAMES: Record<WeirType, string> = {
  boolean: "BOOLEAN",
  integer: "INTEGER",
  bigint: "BIGINT",
  double: "DOUBLE PRECISION",
  // Unbounded precision: any decimal DuckDB holds fits, exactly.
  decimal: "NUMERIC",
  varchar: "TEXT",
  date: "DATE",
  timestamp: "TIMESTAMP",
  timestamptz: "TIMESTAMPTZ",
  // JSONB rather than JSON: it has equality, so DISTINCT, GROUP BY and partition matching
  // work on it. PostgreSQL normalises the text (key order, spacing); the value is the same.
  json: "JSONB",
  blob: "BYTEA",
};

/**
 * Maps a PostgreSQL type name (`information_schema.columns.data_type`, `udt_name` or
 * `format_type`) to the logical type. Types without a logical name (uuid, time, interval,
 * arrays, enums) are read as text, so they map to `varchar`.
 */
export function postgresLogicalType(engineType: string): WeirType {
  const t = engineType.trim().toLowerCase();
  if (t === "boolean" || t === "bool") return "boolean";
  if (t === "smallint" || t === "integer" || t === "int" || t === "int2" || t === "int4") return "integer";
  if (t === "bigint" || t === "int8") return "bigint";
  if (t === "real" || t === "double precision" || t === "float4" || t === "float8") return "double";
  if (t.startsWith("numeric") || t.startsWith("decimal")) return "decimal";
  if (t === "date") return "date";
  if (t.startsWith("timestamp") && t.includes("with time zone") && !t.includes("without"))
    return "timestamptz";
  if (t === "timestamptz") return "timestamptz";
  if (t.startsWith("timestamp")) return "timestamp";
  if (t === "json" || t === "jsonb") return "json";
  if (t === "bytea") return "blob";
  return "varchar";
}

/** PostgreSQL's SQL dialect: the shared generator with PostgreSQL type names. */
export class PostgresDialect extends SqlDialect {
  readonly name = "postgres";
  readonly features: DialectFeatures = {
    // NAMEDATALEN - 1: PostgreSQL silently truncates longer names, which could merge two tables.
    maxIdentifierBytes: 63,
    savepoints: true,
    writersWait: true,
  };

  typeName(type: WeirType): string {
    return TYPE_NAMES[type];
  }

  logicalType(engineType: string): WeirType {
    return postgresLogicalType(engineType);
  }

  uniqueKeys(table: TableRef): SqlWithParams {
    // What ON CONFLICT can infer as its arbiter: valid, immediate, non-partial unique
    // indexes (primary keys and unique constraints have one), key columns only (not INCLUDE).
    const sql = `SELECT weir_ix.relname AS key_name, weir_at.attname AS column_name
      FROM pg_index AS weir_i
      JOIN pg_class AS weir_ix ON weir_ix.oid = weir_i.indexrelid
      JOIN generate_series(0, weir_i.indnkeyatts - 1) AS weir_pos ON true
      LEFT JOIN pg_attribute AS weir_at
        ON weir_at.attrelid = weir_i.indrelid AND weir_at.attnum = weir_i.indkey[weir_pos] AND weir_at.attnum > 0
      WHERE weir_i.indrelid = to_regclass($1) AND weir_i.indisunique AND weir_i.indisvalid
        AND weir_i.indimmediate AND weir_i.indpred IS NULL`;
    return { sql, params: [this.quoteTable(table)] };
  }
}
