import type { Field, Schema } from "../core/types.js";
import type { Dialect } from "../engines/dialect.js";

export interface NdjsonTempNames {
  /** Raw lines with file name and reader ordinal. */
  lines: string;
  /** One row per non-blank line: typed columns plus `weir_failed_column` ('' = not a JSON object). */
  parsed: string;
  rejectsTable: string;
  rejectsScan: string;
}

/** A strict cast of a JSON value's text to a column type: `1.5` is not an integer (DuckDB would round). */
function castExpr(dialect: Dialect, field: Field, raw: string, obj: string, path: string): string {
  const type = dialect.typeName(field.type);
  switch (field.type) {
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
 * The statements that read NDJSON files as numbered lines and parse them in SQL.
 *
 * Lines are read with `read_csv` as one text column (a delimiter and quote that valid JSON
 * cannot contain unescaped), so invalid UTF-8 and over-long lines land in the rejects tables
 * with their line numbers. `WITH ORDINALITY` numbers the rows the reader emitted; a line it
 * rejected is not emitted, so each row's physical line is its per-file ordinal plus the
 * rejected lines before it.
 */
export function ndjsonLineSql(
  dialect: Dialect,
  path: string,
  schema: Schema,
  names: NdjsonTempNames,
  maxLineBytes: number,
): string[] {
  const q = (v: string) => dialect.quoteLiteral(v);
  const id = (v: string) => dialect.quoteIdent(v);
  const readLines = `CREATE TEMP TABLE ${id(names.lines)} AS
    SELECT filename AS weir_file, line AS weir_text, ordinality AS weir_k
      FROM read_csv(${q(path)}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false,
                    delim = ${q("\u0001")}, quote = '', escape = '', filename = true, max_line_size = ${maxLineBytes},
                    store_rejects = true, rejects_table = ${q(names.rejectsTable)}, rejects_scan = ${q(names.rejectsScan)})
      WITH ORDINALITY`;

  const raws = schema.fields.map((f, i) => {
    const path = q(`$."${f.name.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`);
    return { field: f, raw: `weir_raw_${i}`, path };
  });
  const rawCols = raws
    .map((r) => `json_extract_string(weir_obj, ${r.path}) AS ${r.raw}`)
    .join(",\n           ");
  const casts = raws.map(
    (r) => `${castExpr(dialect, r.field, r.raw, "weir_obj", r.path)} AS ${id(r.field.name)}`,
  );
  const failedChecks = raws.map((r) => ({
    when: `${r.raw} IS NOT NULL AND (${castExpr(dialect, r.field, r.raw, "weir_obj", r.path)}) IS NULL`,
    name: q(r.field.name),
    raw: r.raw,
  }));
  const failedColumn = `CASE WHEN weir_obj IS NULL THEN '' ${failedChecks.map((c) => `WHEN ${c.when} THEN ${c.name}`).join(" ")} END`;
  const failedValue = `CASE WHEN weir_obj IS NULL THEN NULL ${failedChecks.map((c) => `WHEN ${c.when} THEN ${c.raw}`).join(" ")} END`;
  const selectList = [
    ...casts,
    `${failedColumn} AS weir_failed_column`,
    `${failedValue} AS weir_failed_value`,
  ].join(",\n         ");

  const parse = `CREATE TEMP TABLE ${id(names.parsed)} AS
    WITH bad AS (
      SELECT DISTINCT s.file_path AS f, r.line AS l
        FROM ${id(names.rejectsTable)} r JOIN ${id(names.rejectsScan)} s ON r.scan_id = s.scan_id AND r.file_id = s.file_id
    ), gaps AS (
      SELECT f, l - row_number() OVER (PARTITION BY f ORDER BY l) AS g FROM bad
    ), numbered AS (
      SELECT weir_file, weir_text, weir_k - min(weir_k) OVER (PARTITION BY weir_file) + 1 AS kf FROM ${id(names.lines)}
    ), located AS (
      SELECT n.weir_file, n.weir_text,
             n.kf + (SELECT count(*) FROM gaps WHERE gaps.f = n.weir_file AND gaps.g < n.kf) AS weir_line
        FROM numbered n WHERE n.weir_text IS NOT NULL
    ), objects AS (
      SELECT *, CASE WHEN json_valid(weir_text) THEN CASE WHEN json_type(weir_text) = 'OBJECT' THEN weir_text END END AS weir_obj
        FROM located
    ), raws AS (
      SELECT *${rawCols ? `,\n           ${rawCols}` : ""} FROM objects
    )
    SELECT weir_file, weir_line, weir_text,
         ${selectList}
      FROM raws`;
  return [readLines, parse];
}
