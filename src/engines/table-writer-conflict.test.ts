import { describe, expect, it } from "vitest";
import {
  createStressSource,
  type UpsertTarget,
  upsertStressRound,
} from "../../test/support/upsert-stress.js";
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

  // The scenario on DuckDB, whose transactions conflict instead of waiting: 30
  // overlapping upserts at concurrency 8 left duplicate keys in a table without a key and
  // failed on commit conflicts in a table with one.
  it.each<UpsertTarget>(["unkeyed", "keyed", "missing"])(
    "30 overlapping upserts at concurrency 8 into a %s table leave one row per key, with no failure",
    async (shape) => {
      const engine = await DuckDBEngine.create({ memoryLimit: "256MB", threads: 2 });
      try {
        await createStressSource(engine, { name: "stress_src" });
        for (let round = 0; round < 3; round++) {
          await upsertStressRound(engine, { name: "stress" }, { name: "stress_src" }, shape);
        }
      } finally {
        await engine.close();
      }
    },
  );
});
