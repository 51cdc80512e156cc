import type { Schema } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { Rejection } from "./source.js";

type RejectRow = {
  file_path: string;
  line: number | bigint | null;
  column_name: string | null;
  error_type: string;
  csv_line: string | null;
  messages: string;
  errors: number | bigint;
};

const CAST_VALUE = /Could not convert string "((?:[^"]|"")*)"/;

/** What the reader expected, in words a user can act on, for each DuckDB CSV error type. */
function expectedFor(errorType: string, column: string | null, schema: Schema, encoding: string): string {
  switch (errorType) {
    case "CAST":
      return schema.fields.find((f) => f.name === column)?.type ?? "the column's type";
    case "TOO MANY COLUMNS":
    case "MISSING COLUMNS":
      return `${schema.fields.length} columns`;
    case "UNQUOTED VALUE":
      return "a closing quote";
    case "INVALID ENCODING":
    case "INVALID UNICODE":
      return `${encoding} text`;
    case "LINE SIZE OVER MAXIMUM":
      return "a line within the maximum line size";
    default:
      return "a well-formed CSV line";
  }
}

/**
 * Reads DuckDB's `store_rejects` tables after a CSV scan and returns one rejection per bad
 * line (DuckDB reports one error per problem, so a line with two bad cells has two; the
 * first by byte position names the column, all messages go into the reason).
 *
 * An unterminated quote makes DuckDB read to the end of the file as one broken value; the
 * lines it swallowed are reported one by one, each pointing at the line that opened the
 * quote, so line counts add up.
 */
export async function csvRejections(
  engine: Engine,
  rejectsTable: string,
  rejectsScan: string,
  schema: Schema,
  encoding = "utf-8",
): Promise<Rejection[]> {
  const e = engine.dialect.quoteIdent(rejectsTable);
  const s = engine.dialect.quoteIdent(rejectsScan);
  const rows = await engine.query<RejectRow>(
    `SELECT s.file_path, r.line,
            arg_min(r.column_name, r.byte_position) AS column_name,
            arg_min(r.error_type, r.byte_position) AS error_type,
            arg_min(r.csv_line, r.byte_position) AS csv_line,
            string_agg(r.error_message, '; ' ORDER BY r.byte_position) AS messages,
            count(*) AS errors
       FROM ${e} r JOIN ${s} s ON r.scan_id = s.scan_id AND r.file_id = s.file_id
      GROUP BY s.file_path, r.line
      ORDER BY s.file_path, r.line`,
  );
  const out: Rejection[] = [];
  for (const row of rows) {
    const line = row.line === null ? undefined : Number(row.line);
    const errorType = String(row.error_type);
    const raw = row.csv_line ?? undefined;
    const expected = expectedFor(errorType, row.column_name, schema, encoding);
    const cast = errorType === "CAST" ? CAST_VALUE.exec(row.messages) : null;
    const where = `${row.file_path}${line === undefined ? "" : `:${line}`}`;
    const column = row.column_name ? `, column "${row.column_name}"` : "";
    const rejection: Rejection = {
      location: row.file_path,
      reason: `${where}${column}: ${row.messages} (expected ${expected})`,
      expected,
    };
    if (line !== undefined) rejection.line = line;
    if (row.column_name) rejection.column = row.column_name;
    const value = cast ? cast[1]!.replaceAll('""', '"') : raw;
    if (value !== undefined) rejection.value = value;
    if (raw !== undefined) rejection.raw = raw;
    if (errorType === "UNQUOTED VALUE" && raw && line !== undefined) {
      const lines = raw.replace(/\r?\n$/, "").split(/\r?\n/);
      rejection.raw = lines[0]!;
      rejection.value = lines[0]!;
      out.push(rejection);
      for (let i = 1; i < lines.length; i++) {
        out.push({
          location: row.file_path,
          line: line + i,
          expected,
          value: lines[i]!,
          raw: lines[i]!,
          reason: `${row.file_path}:${line + i}: inside the unterminated quoted value opened on line ${line}, so not read as a row`,
        });
      }
      continue;
    }
    out.push(rejection);
  }
  return out;
}
