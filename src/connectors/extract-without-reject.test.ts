import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { CsvSource } from "./csv-source.js";
import { MemorySource } from "./memory-source.js";

/** `extract` returns its rejections, so a caller that does not want them streamed passes no `reject`. */
let dir: string;
let engine: DuckDBEngine;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-no-reject-"));
  engine = await DuckDBEngine.create();
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("extract without a reject callback", () => {
  it("pushed down (CSV on DuckDB): the bad row is in the result, the good ones are loaded", async () => {
    const path = join(dir, "orders.csv");
    writeFileSync(path, "id,amount\n1,10.5\n2,ten\n3,7\n");
    const source = new CsvSource({ path, columns: { id: "bigint", amount: "double" } });
    const result = await source.extract(engine, { schema: "staging", name: "orders" }, {});
    expect(result.rowsLoaded).toBe(2);
    expect(result.rejections).toHaveLength(1);
    expect(result.rejections[0]).toMatchObject({ line: 3, column: "amount" });
  });

  it("read in JS (memory source): the source's rejections are in the result", async () => {
    const source = new MemorySource({
      schema: { fields: [{ name: "id", type: "bigint" }] },
      rows: [{ id: 1 }],
      rejections: [{ location: "memory", line: 2, reason: "bad" }],
    });
    const result = await source.extract(engine, { name: "mem" }, {});
    expect(result).toMatchObject({ rowsLoaded: 1, rowsRead: 2 });
    expect(result.rejections).toEqual([{ location: "memory", line: 2, reason: "bad" }]);
  });
});
