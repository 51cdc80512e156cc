import type { TableRef, WeirType } from "../../core/types.js";
import type { SqlWithParams } from "../dialect.js";
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
  readonly features: DialectFeatures = {
    // DuckDB keeps identifiers of any length; the cap only guards against absurd input.
    maxIdentifierBytes: 1024,
    savepoints: false,
    writersWait: false,
  };

  typeName(type: WeirType): string {
    return TYPE_NAMES[type];
  }

  logicalType(engineType: string): WeirType {
    return duckdbLogicalType(engineType);
  }

  uniqueKeys(table: TableRef): SqlWithParams {
    const schema = table.schema === undefined ? "current_schema()" : "$2";
    const where = `database_name = current_database() AND schema_name = ${schema} AND table_name = $1`;
    // Constraints list their columns; a unique index only prints its expressions as a list
    // of SQL text (`['"k""1"', ID, '((b + 1))']`), so quoted names are unquoted and matched to the
    // table's columns the way DuckDB resolves names (case-insensitively); an expression
    // matches no column and stays NULL, so that index never counts as a key.
    const sql = `SELECT 'constraint ' || constraint_index AS key_name, unnest(constraint_column_names) AS column_name
      FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE') AND ${where}
      UNION ALL
      SELECT weir_i.index_name AS key_name, weir_c.column_name FROM (
        SELECT index_name, CASE WHEN expr LIKE '"%"' THEN replace(expr[2:-2], '""', '"') ELSE expr END AS name
        FROM (SELECT index_name, unnest(CAST(expressions AS VARCHAR[])) AS expr FROM duckdb_indexes() WHERE is_unique AND ${where})
      ) AS weir_i LEFT JOIN duckdb_columns() AS weir_c
        ON weir_c.${where.replaceAll(" AND ", " AND weir_c.")} AND lower(weir_c.column_name) = lower(weir_i.name)`;
    return { sql, params: table.schema === undefined ? [table.name] : [table.name, table.schema] };
  }
}
