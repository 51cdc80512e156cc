import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchFromRows } from "../core/batch.js";
import { ConfigError } from "../core/errors.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "../lake/lake.js";
import { timePartitions } from "../lake/partitioning.js";
import { LakeSink } from "./lake-sink.js";

let engine: DuckDBEngine;
let root: string;
let lake: Lake;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  root = await mkdtemp(join(tmpdir(), "weir-lake-sink-"));
  lake = await Lake.open({ root, engine });
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

describe("LakeSink", () => {
  it("commits each write and re-runs idempotently with overwrite-partition", async () => {
    const sink = new LakeSink(lake.dataset("raw.orders"), {
      mode: "overwrite-partition",
      partitionBy: timePartitions("ordered_at", "day"),
    });
    expect(sink.type).toBe("lake");
    expect(sink.location).toBe("lake.raw.orders");

    const day = (d: string, n: number) => ({
      engine,
      sql: `SELECT i AS id, TIMESTAMP '2024-05-${d} 08:00:00' + to_minutes(i) AS ordered_at FROM range(${n}) r(i)`,
    });
    expect(await sink.write(day("01", 10))).toMatchObject({ rowsWritten: 10, commit: { version: 1 } });
    expect((await sink.write(day("02", 4))).rowsWritten).toBe(4);
    const rerun = await sink.write(day("01", 7));
    expect(rerun.commit).toMatchObject({
      version: 3,
      filesRemoved: 1,
      partitions: [{ year: "2024", month: "05", day: "01" }],
    });

    const from = await lake.dataset("raw.orders").scanSql();
    const perDay = await engine.query(`SELECT day, count(*) AS n FROM ${from} GROUP BY day ORDER BY day`);
    // Time partitions read back as integers (their folders stay zero-padded: `day=01`).
    expect(perDay.map((r) => [r.day, Number(r.n)])).toEqual([
      [1, 7],
      [2, 4],
    ]);
  });

  it("appends JS batches", async () => {
    const sink = new LakeSink(lake.dataset("sandbox.notes"), { mode: "append" });
    const schema = { fields: [{ name: "note", type: "varchar" as const }] };
    await sink.write({ batches: [batchFromRows(schema, [{ note: "a" }, { note: "b" }])] });
    const result = await sink.write({ batches: [batchFromRows(schema, [{ note: "c" }])] });
    expect(result.rowsWritten).toBe(1);
    const rows = await engine.query(
      `SELECT note FROM ${await lake.dataset("sandbox.notes").scanSql()} ORDER BY note`,
    );
    expect(rows.map((r) => r.note)).toEqual(["a", "b", "c"]);
  });

  it("refuses upsert: the lake has no keys", () => {
    expect(() => new LakeSink(lake.dataset("raw.orders"), { mode: "upsert" })).toThrow(ConfigError);
    expect(() => new LakeSink(lake.dataset("raw.orders"), { mode: "upsert" })).toThrow(
      /does not support write mode "upsert"/,
    );
  });
});
