import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "./lake.js";
import { timePartitions } from "./partitioning.js";

// Partition values live in folder names; they must read back with the type they were
// written with, never DuckDB's guess from the folder text.
let engine: DuckDBEngine;
let lake: Lake;
let root: string;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  root = await mkdtemp(join(tmpdir(), "weir-lake-types-"));
  lake = await Lake.open({ root, engine });
  await engine.run(`CREATE TABLE src AS
    SELECT i AS id, (2023 + i % 2)::INTEGER AS year, DATE '2024-02-27' + (i % 3)::INTEGER AS day,
           ['007', '010', '7'][1 + i % 3] AS code, TIMESTAMP '2024-03-09 22:30:00' + to_hours(i) AS ts,
           (i % 2 = 0) AS flag
      FROM range(12) r(i)`);
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

async function columnTypes(from: string): Promise<Record<string, string>> {
  const rows = await engine.query<{ column_name: string; column_type: string }>(
    `DESCRIBE SELECT * FROM ${from}`,
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.column_type]));
}

describe("lake partition column types", () => {
  it("reads integer, date, boolean and timestamp partitions back typed, and number-like text as text", async () => {
    const ds = lake.dataset("lake.raw.typed");
    await ds.write(
      { engine, sql: "SELECT * FROM src" },
      { mode: "overwrite", partitionBy: ["year", "day", "code", "flag"] },
    );
    const scan = (await ds.scanSql())!;
    expect(await columnTypes(scan)).toMatchObject({
      year: "INTEGER",
      day: "DATE",
      code: "VARCHAR",
      flag: "BOOLEAN",
    });
    const back = await engine.query(
      `SELECT id, year, day::VARCHAR AS day, code, flag FROM ${scan} ORDER BY id`,
    );
    const want = await engine.query("SELECT id, year, day::VARCHAR AS day, code, flag FROM src ORDER BY id");
    expect(back).toEqual(want);
    expect(back.filter((r) => r.code === "007")).toHaveLength(4);
    expect(back.filter((r) => r.code === "7")).toHaveLength(4);
    // Typed comparisons work as on the source table.
    expect(
      await engine.query(
        `SELECT count(*)::INT AS n FROM ${scan} WHERE year > 2023 AND day >= DATE '2024-02-28'`,
      ),
    ).toEqual(
      await engine.query("SELECT count(*)::INT AS n FROM src WHERE year > 2023 AND day >= DATE '2024-02-28'"),
    );
    // A filter that prunes every file keeps the same column types.
    expect(await columnTypes((await ds.scanSql({ code: "none" }))!)).toMatchObject({
      year: "INTEGER",
      day: "DATE",
      code: "VARCHAR",
      flag: "BOOLEAN",
    });
  });

  it("reads a timestamp partition back exactly", async () => {
    const ds = lake.dataset("lake.raw.by_ts");
    await ds.write({ engine, sql: "SELECT id, ts FROM src" }, { mode: "overwrite", partitionBy: ["ts"] });
    const scan = (await ds.scanSql())!;
    expect((await columnTypes(scan)).ts).toBe("TIMESTAMP");
    expect(await engine.query(`SELECT id, ts::VARCHAR AS ts FROM ${scan} ORDER BY id`)).toEqual(
      await engine.query("SELECT id, ts::VARCHAR AS ts FROM src ORDER BY id"),
    );
  });

  it("reads time partitions as integers, keeping zero-padded folders and filters", async () => {
    const ds = lake.dataset("lake.raw.by_hour");
    await ds.write(
      { engine, sql: "SELECT id, ts FROM src" },
      { mode: "overwrite", partitionBy: timePartitions("ts", "hour") },
    );
    expect((await ds.partitions()).map((p) => p.path)[0]).toBe("year=2024/month=03/day=09/hour=22");
    const scan = (await ds.scanSql())!;
    expect(await columnTypes(scan)).toMatchObject({
      year: "INTEGER",
      month: "INTEGER",
      day: "INTEGER",
      hour: "INTEGER",
    });
    // Was: Binder Error: Cannot compare values of type VARCHAR and type INTEGER_LITERAL.
    expect(await engine.query(`SELECT count(*)::INT AS n FROM ${scan} WHERE month = 3 AND day > 9`)).toEqual([
      { n: 10 },
    ]);
    expect(await engine.query(`SELECT DISTINCT year, month, day FROM ${scan} ORDER BY day LIMIT 1`)).toEqual([
      { year: 2024, month: 3, day: 9 },
    ]);
    // Pruning still matches the folder text.
    const tenth = (await ds.scanSql({ day: "10" }))!;
    expect(await engine.query(`SELECT count(*)::INT AS n FROM ${tenth}`)).toEqual([{ n: 10 }]);
    expect((await columnTypes((await ds.scanSql({ day: "31" }))!)).day).toBe("INTEGER");
  });
});
