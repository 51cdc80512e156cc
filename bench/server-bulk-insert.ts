import type { SqlConnection, SqlValue } from "../src/metadata/sql-database.js";

/** A column of a bulk insert, with the PostgreSQL type its JSON value is read as. */
export interface BulkColumn {
  name: string;
  pgType: "text" | "integer" | "bigint" | "double precision";
}

/** SQLite allows 32,766 bound values per statement; stay under it. */
const SQLITE_MAX_PARAMS = 30_000;
/** Rows per PostgreSQL statement: one JSON parameter of a few MB at most. */
const POSTGRES_ROWS_PER_STATEMENT = 5_000;

/**
 * Inserts many rows in few statements, through the store's own `SqlConnection` (inside
 * one of its transactions, so the seed is one commit). SQLite gets multi-row VALUES
 * (prepared once per chunk size, values bound natively); PostgreSQL gets ONE JSON array
 * parameter per 5,000 rows unpacked by `json_to_recordset`, which parses far faster than
 * tens of thousands of bound `$n` (PostgreSQL's limit is 65,535 per statement anyway).
 * Column and table names are the bench's own constants, never user text.
 */
export async function bulkInsert(
  tx: SqlConnection,
  dialect: "sqlite" | "postgres",
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly SqlValue[][],
): Promise<void> {
  const names = columns.map((c) => c.name).join(", ");
  if (dialect === "postgres") {
    const record = columns.map((c) => `${c.name} ${c.pgType}`).join(", ");
    const sql = `INSERT INTO ${table} (${names}) SELECT ${names} FROM json_to_recordset(?::json) AS x(${record})`;
    for (let i = 0; i < rows.length; i += POSTGRES_ROWS_PER_STATEMENT) {
      const chunk = rows.slice(i, i + POSTGRES_ROWS_PER_STATEMENT);
      const objects = chunk.map((row) => {
        const o: Record<string, SqlValue> = {};
        columns.forEach((c, j) => {
          const v = row[j];
          o[c.name] = typeof v === "bigint" ? v.toString() : (v ?? null);
        });
        return o;
      });
      await tx.run(sql, [JSON.stringify(objects)]);
    }
    return;
  }
  const perStatement = Math.max(1, Math.floor(SQLITE_MAX_PARAMS / columns.length));
  const tuple = `(${columns.map(() => "?").join(", ")})`;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const params: SqlValue[] = [];
    for (const row of chunk) params.push(...row);
    await tx.run(`INSERT INTO ${table} (${names}) VALUES ${chunk.map(() => tuple).join(", ")}`, params);
  }
}
