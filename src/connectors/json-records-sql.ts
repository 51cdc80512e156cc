import type { Field, Schema, WeirType } from "../core/types.js";
import type { Dialect } from "../engines/dialect.js";

/**
 * How JSON records (NDJSON lines, elements of a JSON array) are parsed in SQL into typed
 * columns, with the first field that does not fit its column named per record.
 *
 * Declared columns read leniently, as they always have (`"12"` is a fine integer). Inferred
 * columns read strictly by JSON kind, so an inferred type never changes a value: a string
 * `"00501"` in a field inferred as a number, or `1.5` in an integer field, fails and the
 * source widens the column (`json-widening.ts`) instead of landing `501` or `2`.
 */

/** JSON kinds (`json_type`) each inferred type takes. Dates are inferred from strings. */
const INFERRED_KINDS: Partial<Record<WeirType, string>> = {
  integer: "'BIGINT', 'UBIGINT'",
  bigint: "'BIGINT', 'UBIGINT'",
  double: "'BIGINT', 'UBIGINT', 'DOUBLE'",
  boolean: "'BOOLEAN'",
  date: "'VARCHAR'",
  timestamp: "'VARCHAR'",
  timestamptz: "'VARCHAR'",
};

interface FieldSql {
  field: Field;
  raw: string;
  path: string;
}

/** A strict cast of a JSON value's text to a column type: `1.5` is not an integer (DuckDB would round). */
function castExpr(dialect: Dialect, f: FieldSql, obj: string, inferred: boolean): string {
  const type = dialect.typeName(f.field.type);
  const kinds = inferred ? INFERRED_KINDS[f.field.type] : undefined;
  const cast = plainCast(f.field.type, type, f.raw, obj, f.path);
  return kinds ? `CASE WHEN json_type(${obj}, ${f.path}) IN (${kinds}) THEN ${cast} END` : cast;
}

function plainCast(weirType: WeirType, type: string, raw: string, obj: string, path: string): string {
  switch (weirType) {
    case "integer":
    case "bigint":
      return `CASE WHEN regexp_full_match(${raw}, '-?[0-9]+') THEN TRY_CAST(${raw} AS ${type}) END`;
    case "varchar":
      return raw;
    case "json":
      return `CASE WHEN ${raw} IS NOT NULL THEN CAST(json_extract(${obj}, ${path}) AS ${type}) END`;
    default:
      return `TRY_CAST(${raw} AS ${type})`;
  }
}

/**
 * The statement that parses records into `parsed`: one row per record with the typed
 * columns, `weir_file`, `weir_line` (line, or record number in an array), `weir_text`,
 * and `weir_failed_column` ('' = not a JSON object; NULL = the row is good) with the
 * failing value (`weir_failed_value`) and its JSON kind (`weir_failed_kind`).
 *
 * `ctes` are the WITH items before the parse; the last is named `located` and has
 * `weir_file`, `weir_text` and `weir_line`. `inferred` names the columns read strictly.
 */
export function parseRecordsSql(
  dialect: Dialect,
  schema: Schema,
  parsed: string,
  ctes: string,
  inferred: ReadonlySet<string>,
): string {
  const q = (v: string) => dialect.quoteLiteral(v);
  const id = (v: string) => dialect.quoteIdent(v);
  const fields: FieldSql[] = schema.fields.map((field, i) => ({
    field,
    raw: `weir_raw_${i}`,
    path: q(`$."${field.name.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`),
  }));
  const rawCols = fields
    .map((f) => `json_extract_string(weir_obj, ${f.path}) AS ${f.raw}`)
    .join(",\n           ");
  const cast = (f: FieldSql) => castExpr(dialect, f, "weir_obj", inferred.has(f.field.name));
  const casts = fields.map((f) => `${cast(f)} AS ${id(f.field.name)}`);
  const failed = fields.map((f) => ({ when: `${f.raw} IS NOT NULL AND (${cast(f)}) IS NULL`, f }));
  const firstFailed = (then: (f: FieldSql) => string, notObject: string) =>
    `CASE WHEN weir_obj IS NULL THEN ${notObject} ${failed.map((c) => `WHEN ${c.when} THEN ${then(c.f)}`).join(" ")} END`;
  const selectList = [
    ...casts,
    `${firstFailed((f) => q(f.field.name), "''")} AS weir_failed_column`,
    `${firstFailed((f) => f.raw, "NULL")} AS weir_failed_value`,
    `${firstFailed((f) => `json_type(weir_obj, ${f.path})`, "NULL")} AS weir_failed_kind`,
  ].join(",\n         ");
  return `CREATE TEMP TABLE ${id(parsed)} AS
    WITH ${ctes}, objects AS (
      SELECT *, CASE WHEN json_valid(weir_text) THEN CASE WHEN json_type(weir_text) = 'OBJECT' THEN weir_text END END AS weir_obj
        FROM located
    ), raws AS (
      SELECT *${rawCols ? `,\n           ${rawCols}` : ""} FROM objects
    ), checked AS (
      SELECT weir_file, weir_line, weir_text,
         ${selectList}
        FROM raws
    )
    -- The record's text is kept only where a rejection quotes it.
    SELECT * REPLACE (CASE WHEN weir_failed_column IS NOT NULL THEN weir_text END AS weir_text) FROM checked`;
}
