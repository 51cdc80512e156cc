import { describe, expect, it } from "vitest";
import { DuckDBEngine } from "./duckdb/duckdb-engine.js";
import { writeTable } from "./table-writer.js";

describe("writeTable under concurrent writers", () => {
  it("retries a write that lost DuckDB's catalog race to create the same table", async () => {
    const engine = await DuckDBEngine.create({ memoryLimit: "256MB" });
    try {
      // Two runs of a backfill creating and upserting the same target at once: without the
      // retry one of them fails with "Catalog write-write conflict on create".
      const writes = [1, 2, 3, 4].map((day) =>
        writeTable(
          engine,
          { name: "fct_daily" },
          { engine, sql: `SELECT ${day} AS day, ${day * 10} AS orders` },
          { mode: "upsert", key: ["day"] },
        ),
      );
      const results = await Promise.all(writes);
      expect(results.map((r) => r.rowsWritten)).toEqual([1, 1, 1, 1]);
      const rows = await engine.query<{ day: number; orders: number }>(
        "SELECT day, orders FROM fct_daily ORDER BY day",
      );
      expect(rows).toEqual([
        { day: 1, orders: 10 },
        { day: 2, orders: 20 },
        { day: 3, orders: 30 },
        { day: 4, orders: 40 },
      ]);
    } finally {
      await engine.close();
    }
  });
});
