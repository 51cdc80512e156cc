import { describe, expect, it } from "vitest";
import { batchFromRows, collectBatches } from "../core/batch.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { MemorySink } from "./memory-sink.js";
import { MemorySource } from "./memory-source.js";

const schema = {
  fields: [
    { name: "id", type: "integer" as const },
    { name: "day", type: "date" as const },
    { name: "v", type: "varchar" as const },
  ],
};
const batch = (rows: { id: number; day: string; v: string }[]) => batchFromRows(schema, rows);

describe("MemorySink", () => {
  it("honours append, overwrite, upsert and overwrite-partition", async () => {
    const first = [
      { id: 1, day: "2024-01-01", v: "a" },
      { id: 2, day: "2024-01-02", v: "b" },
    ];
    const second = [
      { id: 2, day: "2024-01-02", v: "B" },
      { id: 3, day: "2024-01-02", v: "c" },
    ];
    const append = new MemorySink();
    await append.write({ batches: [batch(first)] });
    await append.write({ batches: [batch(second)] });
    expect(append.rows()).toHaveLength(4);
    expect(append.writes).toEqual([2, 2]);

    const overwrite = new MemorySink({ mode: "overwrite" });
    await overwrite.write({ batches: [batch(first)] });
    await overwrite.write({ batches: [batch(second)] });
    expect(overwrite.rows().map((r) => r.id)).toEqual([2, 3]);

    const upsert = new MemorySink({ mode: "upsert", key: ["id"] });
    await upsert.write({ batches: [batch(first)] });
    await upsert.write({ batches: [batch(second)] });
    await upsert.write({ batches: [batch(second)] });
    expect(upsert.rows().map((r) => `${r.id}${r.v}`)).toEqual(["1a", "2B", "3c"]);

    const partitions = new MemorySink({ mode: "overwrite-partition", partitionColumns: ["day"] });
    await partitions.write({ batches: [batch(first)] });
    await partitions.write({ batches: [batch([{ id: 9, day: "2024-01-02", v: "z" }])] });
    expect(partitions.rows().map((r) => r.id)).toEqual([1, 9]);

    expect(() => new MemorySink({ mode: "upsert" })).toThrow(/needs key columns/);
  });

  it("reads SQL input from an engine", async () => {
    const engine = await DuckDBEngine.create();
    const sink = new MemorySink();
    await sink.write({ engine, sql: "SELECT i AS n FROM range(3) t(i)" });
    expect(sink.rows()).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    await engine.close();
  });
});

describe("MemorySource", () => {
  it("filters by interval, reports rejections and skips, and extracts with a high-water mark", async () => {
    const source = new MemorySource({
      schema,
      rows: [
        { id: 1, day: "2024-01-01", v: "a" },
        { id: 2, day: "2024-01-02", v: "b" },
      ],
      rejections: [{ location: "memory", line: 3, reason: "bad" }],
      incremental: { cursorColumn: "day" },
    });
    const interval = { start: new Date("2024-01-02T00:00:00Z"), end: new Date("2024-01-03T00:00:00Z") };
    let skipped = 0;
    const rows = await collectBatches(
      source.read({ interval, reject: () => {}, skipped: (n) => (skipped += n) }),
    );
    expect(rows.map((r) => r.id)).toEqual([2]);
    expect(skipped).toBe(1);
    const engine = await DuckDBEngine.create();
    const result = await source.extract(engine, { schema: "t", name: "m" }, { interval, reject: () => {} });
    expect(result).toMatchObject({ rowsLoaded: 1, rowsRead: 2, rowsSkipped: 1, cursor: "2024-01-02" });
    expect(await engine.query("SELECT id, v FROM t.m")).toEqual([{ id: 2, v: "b" }]);
    expect(source.reads).toBe(2);
    await engine.close();
  });
});
