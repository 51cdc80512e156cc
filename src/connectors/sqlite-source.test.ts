import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectBatches } from "../core/batch.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import type { Rejection } from "./source.js";
import { SqliteSource, sqliteLogicalType } from "./sqlite-source.js";

const dir = mkdtempSync(join(tmpdir(), "weir-sqlite-"));
const path = join(dir, "shop.db");
const day = (d: string) => ({
  start: new Date(`${d}T00:00:00Z`),
  end: new Date(new Date(`${d}T00:00:00Z`).getTime() + 86_400_000),
});

beforeAll(() => {
  const db = new Database(path);
  db.exec(`CREATE TABLE orders (id INTEGER, amount REAL, note TEXT, updated_at DATETIME, paid BOOLEAN)`);
  const insert = db.prepare("INSERT INTO orders VALUES (?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (let i = 1; i <= 25_000; i++) {
      const at = `2024-01-0${1 + (i % 3)} ${String(i % 24).padStart(2, "0")}:00:00`;
      insert.run(i, i / 10, `n${i}`, at, i % 2);
    }
  })();
  insert.run(25_001, 1, "bad date", "not-a-date", 1);
  insert.run("abc", 1, "bad id", "2024-01-02 05:00:00", 0);
  db.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("SqliteSource", () => {
  it("maps declared types by SQLite affinity", () => {
    expect(sqliteLogicalType("INTEGER")).toBe("bigint");
    expect(sqliteLogicalType("INT")).toBe("integer");
    expect(sqliteLogicalType("VARCHAR(20)")).toBe("varchar");
    expect(sqliteLogicalType("DATETIME")).toBe("timestamp");
    expect(sqliteLogicalType("REAL")).toBe("double");
    expect(sqliteLogicalType("NUMERIC(10,2)")).toBe("decimal");
  });

  it("reads columnar batches of 10k rows and rejects values that do not fit", async () => {
    const source = new SqliteSource({ path, table: "orders" });
    expect((await source.schema()).fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      "id:bigint",
      "amount:double",
      "note:varchar",
      "updated_at:timestamp",
      "paid:boolean",
    ]);
    const rejections: Rejection[] = [];
    const sizes: number[] = [];
    let rows = 0;
    for await (const b of source.read({ reject: (r) => rejections.push(r) })) {
      sizes.push(b.numRows);
      rows += b.numRows;
      expect(b.columns).toHaveLength(5);
    }
    expect(sizes).toEqual([10_000, 10_000, 5_000]);
    expect(rows).toBe(25_000);
    expect(rejections).toHaveLength(2);
    expect(rejections[0]).toMatchObject({
      location: `${path}#orders`,
      line: 25_001,
      column: "updated_at",
      expected: "timestamp",
      value: "not-a-date",
    });
    expect(rejections[1]).toMatchObject({ line: 25_002, column: "id", expected: "bigint", value: "abc" });
    await source.close();
  });

  it("pushes the interval down; intervals are disjoint and re-runs read the same rows", async () => {
    const source = new SqliteSource({ path, table: "orders", incremental: { cursorColumn: "updated_at" } });
    const engine = await DuckDBEngine.create();
    const ctx = (d: string) => ({ interval: day(d), reject: () => {} });
    const a = await source.extract(engine, { schema: "raw", name: "a" }, ctx("2024-01-02"));
    const b = await source.extract(engine, { schema: "raw", name: "b" }, ctx("2024-01-03"));
    const again = await source.extract(engine, { schema: "raw", name: "a2" }, ctx("2024-01-02"));
    // i % 3 == 1 → Jan 2, plus the "abc" row whose id is rejected.
    expect(a.rowsLoaded).toBe(8334);
    expect(a.rejections).toHaveLength(1);
    expect(a.rowsRead).toBe(8335);
    expect(b.rowsLoaded).toBe(8333);
    expect(again.rowsLoaded).toBe(a.rowsLoaded);
    // Jan-2 rows have i % 3 == 1, so their hour (i % 24) is 1, 4, …, 22.
    expect(a.cursor).toBe("2024-01-02 22:00:00");
    const overlap = await engine.query("SELECT count(*) AS n FROM raw.a JOIN raw.b USING (id)");
    expect(Number(overlap[0]!.n)).toBe(0);
    const same = await engine.query(
      "SELECT count(*) AS n FROM (SELECT id FROM raw.a EXCEPT SELECT id FROM raw.a2)",
    );
    expect(Number(same[0]!.n)).toBe(0);
    await engine.close();
    await source.close();
  });

  it("reads a query with type overrides and the high-water mark as `since`", async () => {
    const source = new SqliteSource({
      path,
      query: "SELECT id, updated_at FROM orders WHERE id <= 30",
      columns: { id: "integer" },
      incremental: { cursorColumn: "updated_at" },
    });
    const rows = await collectBatches(source.read({ since: "2024-01-03 01:00:00", reject: () => {} }));
    expect(rows.map((r) => r.id)).toEqual([2, 5, 8, 11, 14, 17, 20, 23, 26, 29]);
    await source.close();
  });

  it("fails with the path when the file is missing", async () => {
    const source = new SqliteSource({ path: join(dir, "nope.db"), table: "t" });
    await expect(source.schema()).rejects.toThrow(/cannot open SQLite database .*nope\.db/);
  });

  it("reports progress against the interval's row count and keeps the raw row of a rejection", async () => {
    const source = new SqliteSource({ path, table: "orders", incremental: { cursorColumn: "updated_at" } });
    const seen: Array<[number, number | undefined]> = [];
    const rejections: Rejection[] = [];
    let rows = 0;
    for await (const b of source.read({
      interval: day("2024-01-02"),
      reject: (r) => rejections.push(r),
      progress: (done, total) => seen.push([done, total]),
    })) {
      rows += b.numRows;
    }
    await source.close();
    // Rows of 2024-01-02: every third id plus the one with id "abc", which is rejected.
    const total = seen[0]![1]!;
    expect(total).toBe(rows + rejections.length);
    expect(seen.at(-1)).toEqual([total, total]);
    expect(seen.map(([done]) => done)).toEqual([...seen.map(([done]) => done)].sort((a, b) => a - b));
    expect(rejections).toHaveLength(1);
    expect(JSON.parse(rejections[0]!.raw!)).toMatchObject({ id: "abc", note: "bad id" });
  });
});
