import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectBatches } from "../core/batch.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { ParquetSource } from "./parquet-source.js";

const dir = mkdtempSync(join(tmpdir(), "weir-parquet-"));
let engine: DuckDBEngine;
const day = (d: string) => ({
  start: new Date(`${d}T00:00:00Z`),
  end: new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000),
});

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  await engine.run(`COPY (SELECT i AS id, 'r' || (i % 2) AS region, TIMESTAMP '2024-05-01' + INTERVAL (i % 4) DAY AS updated_at, i * 1.5 AS amount
    FROM range(1, 1001) t(i)) TO '${join(dir, "sales")}' (FORMAT parquet, PARTITION_BY (region))`);
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("ParquetSource", () => {
  it("reads hive partitions as columns and the schema from the files", async () => {
    const source = new ParquetSource({
      path: join(dir, "sales", "**", "*.parquet"),
      columns: { id: "integer" },
    });
    const fields = (await source.schema()).fields;
    expect(fields).toContainEqual({ name: "id", type: "integer" });
    expect(fields).toContainEqual({ name: "updated_at", type: "timestamp" });
    expect(fields).toContainEqual({ name: "region", type: "varchar" });
    const result = await source.extract(engine, { schema: "raw", name: "sales" }, { reject: () => {} });
    expect(result).toMatchObject({ rowsRead: 1000, rowsLoaded: 1000, rowsSkipped: 0, rejections: [] });
    expect(
      await engine.query("SELECT region, count(*)::INT AS n FROM raw.sales GROUP BY 1 ORDER BY 1"),
    ).toEqual([
      { region: "r0", n: 500 },
      { region: "r1", n: 500 },
    ]);
    await source.close();
  });

  it("pushes the interval down, counts skipped rows from metadata, and reads in JS", async () => {
    const source = new ParquetSource({
      path: join(dir, "sales", "*", "*.parquet"),
      incremental: { cursorColumn: "updated_at" },
    });
    const a = await source.extract(engine, { name: "d2" }, { reject: () => {}, interval: day("2024-05-02") });
    const b = await source.extract(engine, { name: "d3" }, { reject: () => {}, interval: day("2024-05-03") });
    expect(a.rowsLoaded).toBe(250);
    expect(a.rowsSkipped).toBe(750);
    expect(a.cursor).toBe("2024-05-02 00:00:00");
    expect(await engine.query("SELECT count(*)::INT AS n FROM d2 JOIN d3 USING (id)")).toEqual([{ n: 0 }]);
    expect(b.rowsLoaded).toBe(250);
    const rows = await collectBatches(source.read({ reject: () => {}, interval: day("2024-05-02") }));
    expect(rows).toHaveLength(250);
    expect(rows.every((r) => String(r.updated_at).startsWith("2024-05-02"))).toBe(true);
    await source.close();
  });
});
