import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The row_condition of issue 9: it closes weir's parentheses, then writes `file` and drops
 * `table` in statements of its own; the last SELECT takes up the rest of weir's statement.
 * Before the fix it did both on DuckDB.
 */
export function hostileCondition(file: string, table: string): string {
  return `true), FALSE)) AS a1 FROM (SELECT 1) AS s; COPY (SELECT 42) TO '${file}'; DROP TABLE ${table}; SELECT (COALESCE((true`;
}

/** A new file name in /tmp itself, where a PostgreSQL server on this machine could write if it were let. */
export function serverFile(): string {
  return join(tmpdir(), `weir-hostile-${randomBytes(6).toString("hex")}.csv`);
}
