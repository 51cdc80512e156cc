import { describe, expect, it } from "vitest";
import { batchFromRows } from "../core/batch.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { EngineTableSink } from "./engine-table-sink.js";
import { MemorySource } from "./memory-source.js";

const schema = {
  fields: [
    { name: "id", type: "integer" as const },
    { name: "name", type: "varchar" as const },
  ],
};

describe("EngineTableSink", () => {
  it("upserts batches idempotently and names its location", async () => {
    const engine = await DuckDBEngine.create();
    const sink = new EngineTableSink({
      engine,
      table: { schema: "dw", name: "people" },
      mode: "upsert",
      key: ["id"],
    });
    expect(sink.location).toBe("duckdb:dw.people");
    const rows = [
      { id: 1, name: "ann" },
      { id: 2, name: "bo" },
    ];
    expect(await sink.write({ batches: [batchFromRows(schema, rows)] })).toEqual({ rowsWritten: 2 });
    await sink.write({
      batches: [
        batchFromRows(schema, [
          { id: 2, name: "bob" },
          { id: 3, name: "cy" },
        ]),
      ],
    });
    await sink.write({
      batches: [
        batchFromRows(schema, [
          { id: 2, name: "bob" },
          { id: 3, name: "cy" },
        ]),
      ],
    });
    expect(await engine.query("SELECT id, name FROM dw.people ORDER BY id")).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bob" },
      { id: 3, name: "cy" },
    ]);
    await engine.close();
  });

  it("overwrites with a source's batches", async () => {
    const engine = await DuckDBEngine.create();
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `n${i}` }));
    const source = new MemorySource({ schema, rows });
    const sink = new EngineTableSink({ engine, table: { name: "people" }, mode: "overwrite" });
    await sink.write({ batches: [batchFromRows(schema, [{ id: -1, name: "old" }])] });
    const result = await sink.write({ batches: source.read({ reject: () => {} }) });
    expect(result.rowsWritten).toBe(5000);
    expect(await engine.query("SELECT count(*)::INT AS n, min(id)::INT AS lo FROM people")).toEqual([
      { n: 5000, lo: 0 },
    ]);
    await engine.close();
  });
});
