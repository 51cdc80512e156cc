import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { CsvSource } from "./csv-source.js";
import { NdjsonSource } from "./ndjson-source.js";
import type { Rejection } from "./source.js";
import { SqliteSource } from "./sqlite-source.js";

// Every input row must end up loaded or rejected with file, line, column and what was expected.
const dir = mkdtempSync(join(tmpdir(), "weir-malformed-"));
let engine: DuckDBEngine;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  writeFileSync(
    join(dir, "orders.csv"),
    Buffer.concat([
      Buffer.from(
        [
          "id,name,ordered_on", // 1 header
          "1,alice,2024-01-01", // 2 ok
          "2,bob,2024-01-02,extra", // 3 too many columns
          "3,carol", // 4 too few columns
          "abc,dave,2024-01-04", // 5 'abc' in an integer column
          "5,erin,2024-13-45", // 6 impossible date
          "6,frank,2024-01-06", // 7 ok
          "7,", // 8 start of invalid UTF-8 line
        ].join("\n"),
      ),
      Buffer.from([0xc3, 0x28, 0xff]), // invalid UTF-8 bytes inside the name
      Buffer.from(',2024-01-07\n8,heidi,2024-01-08\n9,"ivan,2024-01-09\n'), // 9 ok, 10 unterminated quote
    ]),
  );
  writeFileSync(
    join(dir, "events.ndjson"),
    Buffer.concat([
      Buffer.from('{"id":1,"at":"2024-01-01T00:00:00Z"}\n'), // 1 ok
      Buffer.from('{"id":2,"at":\n'), // 2 truncated
      Buffer.from("not json at all\n"), // 3 garbage
      Buffer.from('{"id":"four","at":"2024-01-01T00:00:00Z"}\n'), // 4 wrong type
      Buffer.from('{"id":5,"at":"yesterday"}\n'), // 5 wrong type
      Buffer.from('{"id":6,"name":"'), // 6 invalid UTF-8
      Buffer.from([0xff, 0xfe]),
      Buffer.from('","at":"2024-01-01T00:00:00Z"}\n'),
      Buffer.from("[1,2,3]\n"), // 7 valid JSON, not an object
      Buffer.from('{"id":8,"at":"2024-01-02T00:00:00Z"}\n'), // 8 ok
    ]),
  );
  const db = new Database(join(dir, "legacy.db"));
  db.exec("CREATE TABLE customers (id INTEGER, signed_up DATETIME, score REAL)");
  const insert = db.prepare("INSERT INTO customers VALUES (?, ?, ?)");
  insert.run(1, "2024-01-01 10:00:00", 1.5);
  insert.run(2, "not-a-date", 2);
  insert.run("abc", "2024-01-01 11:00:00", 3);
  insert.run(4, "2024-02-30 00:00:00", 4);
  insert.run(5, "2024-01-01 12:00:00", "lots");
  insert.run(6, null, null);
  db.close();
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function byLine(rejections: Rejection[]): Map<number, Rejection> {
  return new Map(rejections.map((r) => [r.line!, r]));
}

describe("malformed input", () => {
  it("CSV: every line is loaded or rejected with file, line, column and expected type", async () => {
    const file = join(dir, "orders.csv");
    const source = new CsvSource({ path: file, columns: { id: "integer", ordered_on: "date" } });
    const result = await source.extract(engine, { name: "orders" }, { reject: () => {} });
    const dataLines = 9;
    expect(result.rowsLoaded + result.rejections.length).toBe(dataLines);
    expect(result.rowsRead).toBe(dataLines);
    expect(result.rowsLoaded).toBe(3);
    expect(await engine.query("SELECT id FROM orders ORDER BY id")).toEqual([
      { id: 1 },
      { id: 6 },
      { id: 8 },
    ]);
    const bad = byLine(result.rejections);
    expect([...bad.keys()].sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 8, 10]);
    for (const r of result.rejections) {
      expect(r.location).toBe(file);
      expect(r.expected).toBeTruthy();
      expect(r.reason).toContain(`${file}:${r.line}`);
    }
    expect(bad.get(3)).toMatchObject({ expected: "3 columns" });
    expect(bad.get(4)).toMatchObject({ expected: "3 columns", column: "ordered_on" });
    expect(bad.get(5)).toMatchObject({ column: "id", expected: "integer", value: "abc" });
    expect(bad.get(6)).toMatchObject({ column: "ordered_on", expected: "date", value: "2024-13-45" });
    expect(bad.get(8)).toMatchObject({ column: "name", expected: "utf-8 text" });
    expect(bad.get(10)).toMatchObject({ column: "name", expected: "a closing quote" });
    await source.close();
  });

  it("NDJSON: broken, mistyped and undecodable lines are rejected by line", async () => {
    const file = join(dir, "events.ndjson");
    const source = new NdjsonSource({ path: file, columns: { id: "integer", at: "timestamptz" } });
    const result = await source.extract(engine, { name: "events" }, { reject: () => {} });
    expect(result.rowsLoaded + result.rejections.length).toBe(8);
    expect(result.rowsLoaded).toBe(2);
    const bad = byLine(result.rejections);
    expect([...bad.keys()]).toEqual([2, 3, 4, 5, 6, 7]);
    for (const r of result.rejections) {
      expect(r.location).toBe(file);
      expect(r.expected).toBeTruthy();
    }
    expect(bad.get(2)).toMatchObject({ expected: "a JSON object" });
    expect(bad.get(4)).toMatchObject({ column: "id", expected: "integer", value: "four" });
    expect(bad.get(5)).toMatchObject({ column: "at", expected: "timestamptz", value: "yesterday" });
    expect(bad.get(6)).toMatchObject({ expected: "utf-8 text" });
    expect(bad.get(7)).toMatchObject({ expected: "a JSON object", value: "[1,2,3]" });
    await source.close();
  });

  it("SQLite: values that do not coerce are rejections, not crashes", async () => {
    const path = join(dir, "legacy.db");
    const source = new SqliteSource({ path, table: "customers" });
    const result = await source.extract(engine, { name: "customers" }, { reject: () => {} });
    expect(result.rowsLoaded + result.rejections.length).toBe(6);
    expect(result.rowsLoaded).toBe(2);
    expect(result.rejections.map((r) => [r.line, r.column, r.expected, r.value])).toEqual([
      [2, "signed_up", "timestamp", "not-a-date"],
      [3, "id", "bigint", "abc"],
      [4, "signed_up", "timestamp", "2024-02-30 00:00:00"],
      [5, "score", "double", "lots"],
    ]);
    for (const r of result.rejections) expect(r.location).toBe(`${path}#customers`);
    expect(await engine.query("SELECT id, signed_up FROM customers ORDER BY id")).toEqual([
      { id: 1, signed_up: "2024-01-01 10:00:00" },
      { id: 6, signed_up: null },
    ]);
    await source.close();
  });
});
