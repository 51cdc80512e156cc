import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectBatches } from "../core/batch.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { CsvSource } from "./csv-source.js";
import { MemorySink } from "./memory-sink.js";

const dir = mkdtempSync(join(tmpdir(), "weir-csv-"));
let engine: DuckDBEngine;
const noReject = { reject: () => {} };
const day = (d: string) => ({
  start: new Date(`${d}T00:00:00Z`),
  end: new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000),
});

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  const lines = ["id,name,amount,updated_at"];
  for (let i = 1; i <= 300; i++)
    lines.push(`${i},name ${i},${i}.25,2024-01-0${1 + (i % 3)} ${String(i % 24).padStart(2, "0")}:30:00`);
  writeFileSync(join(dir, "orders.csv"), `${lines.join("\n")}\n`);
  mkdirSync(join(dir, "parts"));
  writeFileSync(join(dir, "parts", "a.csv"), "id;city\n1;Zürich\n2;Köln\n");
  writeFileSync(join(dir, "parts", "b.csv"), "id;city\n3;Genève\n");
  writeFileSync(join(dir, "latin1.csv"), Buffer.from("id,city\n1,Sm\u00f8rum\n", "latin1"));
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("CsvSource", () => {
  it("infers the schema with DuckDB's sniffer and applies a partial override", async () => {
    const source = new CsvSource({ path: join(dir, "orders.csv"), columns: { amount: "decimal" } });
    expect((await source.schema()).fields).toEqual([
      { name: "id", type: "bigint" },
      { name: "name", type: "varchar" },
      { name: "amount", type: "decimal" },
      { name: "updated_at", type: "timestamp" },
    ]);
    await source.close();
  });

  it("pushes the read into DuckDB and lands typed columns", async () => {
    const source = new CsvSource({ path: join(dir, "orders.csv"), columns: { id: "integer" } });
    const result = await source.extract(engine, { schema: "raw", name: "orders" }, noReject);
    expect(result).toMatchObject({ rowsRead: 300, rowsLoaded: 300, rejections: [], rowsSkipped: 0 });
    expect(await engine.describe({ schema: "raw", name: "orders" })).toMatchObject({
      fields: [
        { name: "id", type: "integer" },
        { name: "name", type: "varchar" },
        { name: "amount", type: "double" },
        { name: "updated_at", type: "timestamp" },
      ],
    });
    // Extract replaces the target, so a re-run does not duplicate.
    await source.extract(engine, { schema: "raw", name: "orders" }, noReject);
    expect(await engine.query("SELECT count(*)::INT AS n, sum(id)::INT AS s FROM raw.orders")).toEqual([
      { n: 300, s: 45150 },
    ]);
    await source.close();
  });

  it("reads disjoint intervals, re-reads the same rows, and returns the high-water mark", async () => {
    const source = new CsvSource({
      path: join(dir, "orders.csv"),
      incremental: { cursorColumn: "updated_at" },
    });
    const a = await source.extract(engine, { name: "jan2" }, { ...noReject, interval: day("2024-01-02") });
    const b = await source.extract(engine, { name: "jan3" }, { ...noReject, interval: day("2024-01-03") });
    const again = await source.extract(
      engine,
      { name: "jan2b" },
      { ...noReject, interval: day("2024-01-02") },
    );
    expect(a.rowsLoaded).toBe(100);
    expect(a.rowsSkipped).toBe(200);
    expect(a.rowsRead + (a.rowsSkipped ?? 0)).toBe(300);
    expect(b.rowsLoaded).toBe(100);
    expect(a.cursor).toBe("2024-01-02 22:30:00");
    expect(await engine.query("SELECT count(*)::INT AS n FROM jan2 JOIN jan3 USING (id)")).toEqual([
      { n: 0 },
    ]);
    expect(
      await engine.query("SELECT count(*)::INT AS n FROM (SELECT * FROM jan2 EXCEPT SELECT * FROM jan2b)"),
    ).toEqual([{ n: 0 }]);
    expect(again.rowsLoaded).toBe(100);
    await source.close();
  });

  it("reads a glob with options in JS as batches, reporting skipped rows", async () => {
    const source = new CsvSource({ path: join(dir, "parts", "*.csv"), delimiter: ";" });
    const rows = await collectBatches(source.read(noReject));
    expect(rows.map((r) => r.city).sort()).toEqual(["Genève", "Köln", "Zürich"]);
    const sink = new MemorySink();
    let skipped = 0;
    const filtered = new CsvSource({
      path: join(dir, "orders.csv"),
      incremental: { cursorColumn: "updated_at" },
    });
    await sink.write({
      batches: filtered.read({ ...noReject, interval: day("2024-01-01"), skipped: (n) => (skipped += n) }),
    });
    expect(sink.rows()).toHaveLength(100);
    expect(skipped).toBe(200);
    await source.close();
    await filtered.close();
  });

  it("decodes latin-1 files", async () => {
    const source = new CsvSource({ path: join(dir, "latin1.csv"), encoding: "latin-1" });
    expect(await collectBatches(source.read(noReject))).toEqual([{ id: 1, city: "Smørum" }]);
    await source.close();
  });

  it("names the file when it cannot be read", async () => {
    const source = new CsvSource({ path: join(dir, "missing.csv") });
    await expect(source.extract(engine, { name: "x" }, noReject)).rejects.toThrow(/missing\.csv/);
    await source.close();
  });
});
