import type { EngineKind } from "../../engines/engine.js";

/** Anything that names its engine kind: an `Engine`, or `{ kind: "postgres" }`. */
export interface HasEngineKind {
  readonly kind: EngineKind;
}

/**
 * The UTC wall-clock time of a `timestamptz` expression as a plain TIMESTAMP. On DuckDB
 * through the epoch (`make_timestamp(epoch_us(x))`): the same value as `x AT TIME ZONE
 * 'UTC'`, but without ICU's per-row calendar work, which is ~15× slower (10M rows: 0.3 s
 * against 5 s). On PostgreSQL `AT TIME ZONE 'UTC'`.
 */
export function utcTimestampSql(engine: HasEngineKind, expr: string): string {
  return engine.kind === "duckdb" ? `make_timestamp(epoch_us(${expr}))` : `((${expr}) AT TIME ZONE 'UTC')`;
}

/**
 * SQL for the `date_key` (yyyymmdd as INTEGER) of a `timestamptz` expression, in UTC,
 * whatever the session's time zone; the same values on DuckDB and PostgreSQL. `expr` is SQL
 * (a quoted column or an expression) and is repeated in the result.
 *
 * @example
 * const sql = `SELECT ${dateKeySql(engine, '"created_at"')} AS date_key FROM events`;
 */
export function dateKeySql(engine: HasEngineKind, expr: string): string {
  const t = utcTimestampSql(engine, expr);
  return `CAST(EXTRACT(YEAR FROM ${t}) * 10000 + EXTRACT(MONTH FROM ${t}) * 100 + EXTRACT(DAY FROM ${t}) AS INTEGER)`;
}

/**
 * SQL for the `time_key` of a `timestamptz` expression, in UTC: hhmm (0…2359) per minute,
 * or hhmmss (0…235959) per second; fractions of a second are dropped (floor), so
 * 10:15:59.999 is 1015 or 101559. Matches `timeDimension`'s keys of the same grain.
 *
 * @example
 * const sql = `SELECT ${timeKeySql(engine, '"created_at"', "minute")} AS time_key FROM events`;
 */
export function timeKeySql(engine: HasEngineKind, expr: string, grain: "minute" | "second"): string {
  const t = utcTimestampSql(engine, expr);
  const hhmm = `EXTRACT(HOUR FROM ${t}) * 100 + EXTRACT(MINUTE FROM ${t})`;
  if (grain === "minute") return `CAST(${hhmm} AS INTEGER)`;
  // PostgreSQL's EXTRACT(SECOND) keeps the fraction (59.999999); DuckDB's is whole seconds.
  return `CAST((${hhmm}) * 100 + floor(EXTRACT(SECOND FROM ${t})) AS INTEGER)`;
}
