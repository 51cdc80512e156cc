import type { DuckDBInstance } from "@duckdb/node-api";
import { retryCreateRace } from "../create-race.js";
import { queryFailed } from "../query-error.js";

/**
 * Runs `CREATE SCHEMA IF NOT EXISTS …` (`sql`) on a short connection of its own, so it
 * commits at once. Created inside a caller's transaction instead, the schema would be that
 * transaction's until it commits, and every other transaction creating it meanwhile would
 * fail (DuckDB does not wait: "Catalog write-write conflict"). A lost race is run again and
 * finds the schema made.
 */
export async function createSchemaCommitted(instance: DuckDBInstance, sql: string): Promise<void> {
  await retryCreateRace(async () => {
    const conn = await instance.connect();
    try {
      await conn.run(sql);
    } catch (error) {
      throw queryFailed("duckdb", sql, error);
    } finally {
      conn.closeSync();
    }
  });
}

/** Whether the schema is visible on `query`'s connection (its transaction's snapshot, inside one). */
export async function schemaVisible(
  query: (sql: string, params: unknown[]) => Promise<unknown[]>,
  schema: string,
): Promise<boolean> {
  const rows = await query(
    "SELECT 1 AS found FROM duckdb_schemas() WHERE schema_name = $1 AND database_name = current_database()",
    [schema],
  );
  return rows.length > 0;
}
