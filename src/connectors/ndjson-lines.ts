import type { Schema } from "../core/types.js";
import type { Dialect } from "../engines/dialect.js";
import { parseRecordsSql } from "./json-records-sql.js";

export interface NdjsonTempNames {
  /** Raw lines with file name and reader ordinal. */
  lines: string;
  /** One row per non-blank line: typed columns plus `weir_failed_column` ('' = not a JSON object). */
  parsed: string;
  rejectsTable: string;
  rejectsScan: string;
}

/**
 * The statements that read NDJSON files as numbered lines and parse them in SQL.
 *
 * Lines are read with `read_csv` as one text column (a delimiter and quote that valid JSON
 * cannot contain unescaped), so invalid UTF-8 and over-long lines land in the rejects tables
 * with their line numbers. `WITH ORDINALITY` numbers the rows the reader emitted; a line it
 * rejected is not emitted, so each row's physical line is its per-file ordinal plus the
 * rejected lines before it. `inferred` names the columns parsed strictly (`json-records-sql.ts`).
 */
export function ndjsonLineSql(
  dialect: Dialect,
  path: string,
  schema: Schema,
  names: NdjsonTempNames,
  maxLineBytes: number,
  inferred: ReadonlySet<string> = new Set(),
): string[] {
  const q = (v: string) => dialect.quoteLiteral(v);
  const id = (v: string) => dialect.quoteIdent(v);
  const readLines = `CREATE TEMP TABLE ${id(names.lines)} AS
    SELECT filename AS weir_file, line AS weir_text, ordinality AS weir_k
      FROM read_csv(${q(path)}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false,
                    delim = ${q("\u0001")}, quote = '', escape = '', filename = true, max_line_size = ${maxLineBytes},
                    store_rejects = true, rejects_table = ${q(names.rejectsTable)}, rejects_scan = ${q(names.rejectsScan)})
      WITH ORDINALITY`;

  const located = `bad AS (
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
    )`;
  return [readLines, parseRecordsSql(dialect, schema, names.parsed, located, inferred)];
}
