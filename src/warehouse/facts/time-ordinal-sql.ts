import type { WarehouseType } from "../model/column-types.js";
import type { HasEngineKind } from "./time-keys-sql.js";

/** The column types a fact's `asOf` column and a dimension's validity columns may have. */
export type TimeType = "date" | "timestamp" | "timestamptz";

export function isTimeType(type: WarehouseType): type is TimeType {
  return type === "date" || type === "timestamp" || type === "timestamptz";
}

/**
 * SQL turning a date, timestamp or timestamptz into a value that orders as the instant it
 * names, so a fact's time and a dimension's validity compare whatever their types: a date
 * is midnight UTC, a timestamp without zone is UTC wall-clock time.
 *
 * DuckDB: microseconds since the epoch (BIGINT; `epoch_us` of a timestamptz is read off its
 * stored value, no ICU work, so 10M facts convert in milliseconds). PostgreSQL: a
 * timestamptz (`CAST(… AS timestamp) AT TIME ZONE 'UTC'`), which keeps its own operators.
 */
export function timeOrdinalSql(engine: HasEngineKind, expr: string, type: TimeType): string {
  if (engine.kind === "duckdb") {
    return type === "date" ? `epoch_us(CAST(${expr} AS TIMESTAMP))` : `epoch_us(${expr})`;
  }
  if (type === "timestamptz") return expr;
  return `(CAST(${expr} AS timestamp) AT TIME ZONE 'UTC')`;
}

/** The ordinal before (`low`) and after (`high`) every time, for open-ended validity. */
export function timeOrdinalBounds(engine: HasEngineKind): { low: string; high: string } {
  return engine.kind === "duckdb"
    ? { low: "CAST(-9223372036854775807 AS BIGINT)", high: "CAST(9223372036854775807 AS BIGINT)" }
    : { low: "CAST('-infinity' AS timestamptz)", high: "CAST('infinity' AS timestamptz)" };
}
