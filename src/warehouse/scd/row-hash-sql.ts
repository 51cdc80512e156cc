import type { EngineKind } from "../../engines/engine.js";
import type { WarehouseType } from "../model/column-types.js";

/** A SQL expression (already quoted, already of its column's engine type) and its model type. */
export interface HashedValue {
  sql: string;
  type: WarehouseType;
}

/** What a NULL hashes as: no value's canonical text can be this (a value's `\` is escaped to `\\`). */
export const NULL_MARKER = "\\N";

/** Between values; escaped as `\|` inside a value, so no two rows share a text by shifting a value's end. */
export const SEPARATOR = "|";

/**
 * The hash of a row's values: `md5` (lowercase hex, the same function on both engines) over
 * the values' canonical texts joined by `|`, a NULL written as `\N`. Values are hashed in the
 * order given (a dimension's declared order). The canonical text is the same on DuckDB and
 * PostgreSQL for every type but `json` (see {@link canonicalTextSql}), so a row hashes alike
 * on both and a snapshot loaded on either cuts the same versions.
 *
 * @example
 * rowHashSql("postgres", [{ sql: '"s"."email"', type: "varchar" }, { sql: '"s"."is_active"', type: "boolean" }])
 * // md5(concat(coalesce(replace(replace("s"."email", '\', '\\'), '|', '\|'), '\N'), '|', coalesce(…, '\N')))
 */
export function rowHashSql(engine: EngineKind, values: readonly HashedValue[]): string {
  return `md5(${rowTextSql(engine, values)})`;
}

/** The text {@link rowHashSql} hashes: `concat` of the canonical texts (NULL as `\N`) and separators. */
export function rowTextSql(engine: EngineKind, values: readonly HashedValue[]): string {
  if (values.length === 0) return "''";
  const parts = values.map((v) => `coalesce(${canonicalTextSql(engine, v.sql, v.type)}, '${NULL_MARKER}')`);
  // One concat builds the text once (a chain of || copies it at every step).
  return parts.length === 1 ? parts[0]! : `concat(${parts.join(`, '${SEPARATOR}', `)})`;
}

/**
 * A value's canonical text, NULL for NULL:
 * - text (`varchar`, `json`): the value with `\` → `\\` and `|` → `\|`. `json` is the
 *   engine's own text, which differs (PostgreSQL's `jsonb` reorders keys and adds spaces):
 *   a json column hashes alike on one engine, not across engines;
 * - `boolean`: `true` / `false`;
 * - integers: decimal digits; `decimal`: its digits without trailing fractional zeros (`1.50`
 *   and `1.5` are one value, so widening a column's scale cuts no new versions);
 * - `double`: an integral value below 1e18 as an integer (`100`, not DuckDB's `100.0`);
 *   others the shortest text that reads back (both engines print it alike, but DuckDB
 *   writes 1e15 ≤ |v| < 1e16 without an exponent, so there it prints `%.16e`: 17 digits, the
 *   shortest there), `NaN`, `Infinity`, `-Infinity`;
 * - `date`: `yyyy-mm-dd`; `timestamp`: `yyyy-mm-ddThh:mi:ss.ffffff`; `timestamptz`: the same in
 *   UTC with `Z`;
 * - `uuid`: lowercase with hyphens; `blob`: lowercase hex.
 *
 * The forms are the cheapest each engine has (a snapshot of a million rows is hashed on every
 * load): on DuckDB text is escaped only when it holds `\` or `|`, dates and booleans are
 * plain casts; PostgreSQL's `replace` returns its input untouched when there is nothing to
 * replace, and its dates go through `to_char`, which no `DateStyle` changes.
 */
export function canonicalTextSql(engine: EngineKind, sql: string, type: WarehouseType): string {
  const pg = engine === "postgres";
  switch (type) {
    case "varchar":
    case "json":
      return escapedText(pg, type === "json" ? `CAST(${sql} AS VARCHAR)` : sql);
    case "boolean":
    case "integer":
    case "bigint":
    case "uuid":
      return `CAST(${sql} AS VARCHAR)`;
    case "double":
      return doubleText(pg, sql);
    case "date":
      return pg ? `to_char(${sql}, 'YYYY-MM-DD')` : `CAST(${sql} AS VARCHAR)`;
    case "timestamp":
      return timestampText(pg, sql);
    case "timestamptz":
      return `${timestampText(pg, pg ? `(${sql} AT TIME ZONE 'UTC')` : `timezone('UTC', ${sql})`)} || 'Z'`;
    case "blob":
      return pg ? `encode(${sql}, 'hex')` : `lower(hex(${sql}))`;
    default:
      // decimal and decimal(p,s): the digits without trailing zeros after the point.
      return `CASE WHEN CAST(${sql} AS VARCHAR) LIKE '%.%' THEN rtrim(rtrim(CAST(${sql} AS VARCHAR), '0'), '.') ELSE CAST(${sql} AS VARCHAR) END`;
  }
}

function escapedText(pg: boolean, v: string): string {
  const escaped = `replace(replace(${v}, '\\', '\\\\'), '|', '\\|')`;
  if (pg) return escaped;
  return `CASE WHEN contains(${v}, '|') OR contains(${v}, '\\') THEN ${escaped} ELSE ${v} END`;
}

function timestampText(pg: boolean, sql: string): string {
  return pg ? `to_char(${sql}, 'YYYY-MM-DD"T"HH24:MI:SS.US')` : `strftime(${sql}, '%Y-%m-%dT%H:%M:%S.%f')`;
}

function doubleText(pg: boolean, v: string): string {
  const integral = `${v} = trunc(${v}) AND abs(${v}) < 1e18`;
  const asInteger = `CAST(CAST(${v} AS BIGINT) AS VARCHAR)`;
  if (pg) return `CASE WHEN ${integral} THEN ${asInteger} ELSE CAST(${v} AS VARCHAR) END`;
  return `CASE WHEN isnan(${v}) THEN 'NaN' WHEN isinf(${v}) THEN CASE WHEN ${v} > 0 THEN 'Infinity' ELSE '-Infinity' END
    WHEN ${integral} THEN ${asInteger}
    WHEN abs(${v}) >= 1e15 AND abs(${v}) < 1e16 THEN printf('%.16e', ${v})
    ELSE CAST(${v} AS VARCHAR) END`;
}

/**
 * A bigint from 15 hex digits of an md5 text starting at `start` (1-based): 60 bits, so a
 * sum of a million of them stays exact (DuckDB sums BIGINT as HUGEINT, PostgreSQL as numeric).
 */
export function hexBitsSql(engine: EngineKind, md5Sql: string, start: number): string {
  const digits = `substr(${md5Sql}, ${start}, 15)`;
  return engine === "postgres"
    ? `CAST(CAST('x' || ${digits} AS bit(60)) AS BIGINT)`
    : `CAST('0x' || ${digits} AS BIGINT)`;
}
