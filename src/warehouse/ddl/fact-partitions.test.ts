import { describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../../test/support/servers.js";
import type { Engine } from "../../engines/engine.js";
import { openEngine } from "../../engines/open-engine.js";
import type { ColumnInput } from "../model/column-types.js";
import { defineFact } from "../model/define-fact.js";
import { createModelTable } from "./create-table-sql.js";
import { ensurePartitions, partitionName, partitionRanges } from "./fact-partitions.js";
import { tableDefinition } from "./table-definition.js";

const fact = (schema: string, name: string, key: ColumnInput, granularity: "month" | "day" = "month") =>
  defineFact({
    name,
    schema,
    grain: ["id"],
    columns: { id: "bigint", day: key, amount: "double" },
    partitionBy: { column: "day", granularity },
    loadBy: "day",
    indexes: [["day", "id"]],
  });

describe("partitionRanges", () => {
  it("bounds months and days of yyyymmdd keys as integers, of dates as ISO dates", () => {
    const ints = tableDefinition(fact("s", "f", "integer"), "postgres");
    expect(partitionRanges(ints, [20240131, "20240215", 20240101, 20241201])).toEqual([
      { name: "f_p202401", period: "202401", from: 20240101, to: 20240201 },
      { name: "f_p202402", period: "202402", from: 20240201, to: 20240301 },
      { name: "f_p202412", period: "202412", from: 20241201, to: 20250101 },
    ]);
    const dates = tableDefinition(fact("s", "f", "date", "day"), "postgres");
    expect(partitionRanges(dates, ["2024-02-29", "2024-12-31 10:00:00"])).toEqual([
      { name: "f_p20240229", period: "20240229", from: "2024-02-29", to: "2024-03-01" },
      { name: "f_p20241231", period: "20241231", from: "2024-12-31", to: "2025-01-01" },
    ]);
  });

  it("refuses a value that is no calendar day, naming the table", () => {
    const def = tableDefinition(fact("s", "f", "integer"), "postgres");
    expect(() => partitionRanges(def, [20240230])).toThrow(/cannot partition s\.f: 20240230/);
    expect(() => partitionRanges(def, ["soon"])).toThrow(
      expect.objectContaining({ code: "WAREHOUSE_LOAD_FAILED" }),
    );
  });

  it("keeps long names within 63 bytes", () => {
    const name = partitionName("f".repeat(60), "202401");
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name).not.toBe(partitionName(`${"f".repeat(59)}g`, "202401"));
  });
});

describe("ensurePartitions on DuckDB", () => {
  it("does nothing: DuckDB has no declarative partitions", async () => {
    const engine = await openEngine(":memory:");
    try {
      const def = tableDefinition(fact("main", "f", "integer"), engine.kind);
      await createModelTable(engine, def);
      expect(await ensurePartitions(engine, def, [20240101])).toEqual([]);
      await engine.run("INSERT INTO main.f (id, day, amount) VALUES (1, 20240101, 1.5)");
    } finally {
      await engine.close();
    }
  });
});

describe.skipIf(!postgresAvailable)("ensurePartitions on PostgreSQL", () => {
  const withSchema = async (tag: string, fn: (engine: Engine, schema: string) => Promise<void>) => {
    const engine = await openEngine(POSTGRES_URL);
    const schema = `wh_part_${tag}_${process.pid}`;
    try {
      await fn(engine, schema);
    } finally {
      await engine.run(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await engine.close();
    }
  };

  it("creates the missing month partitions once, with the parent's indexes, and rows land in them", async () => {
    await withSchema("month", async (engine, schema) => {
      const def = tableDefinition(fact(schema, 'f "x"', "integer"), engine.kind);
      await createModelTable(engine, def);
      expect(await ensurePartitions(engine, def, [20240105, 20240131, 20240201])).toEqual([
        'f "x"_p202401',
        'f "x"_p202402',
      ]);
      expect(await ensurePartitions(engine, def, [20240110, 20240301])).toEqual(['f "x"_p202403']);
      const t = engine.dialect.quoteTable(def.table);
      await engine.run(
        `INSERT INTO ${t} (id, day, amount) VALUES (1, 20240131, 1), (2, 20240201, 2), (3, 20240315, 3)`,
      );
      const placed = await engine.query(`SELECT tableoid::regclass::text AS part, id FROM ${t} ORDER BY id`);
      expect(placed.map((r) => String(r.part).split(".").pop())).toEqual([
        '"f ""x""_p202401"',
        '"f ""x""_p202402"',
        '"f ""x""_p202403"',
      ]);
      const indexed = await engine.query(
        "SELECT count(*) AS n FROM pg_indexes WHERE schemaname = $1 AND tablename = $2",
        [schema, 'f "x"_p202402'],
      );
      expect(Number(indexed[0]!.n)).toBe(1);
    });
  });

  it("creates day partitions of a date column", async () => {
    await withSchema("day", async (engine, schema) => {
      const def = tableDefinition(fact(schema, "f", "date", "day"), engine.kind);
      await createModelTable(engine, def);
      expect(await ensurePartitions(engine, def, ["2024-02-28", "2024-02-29"])).toEqual([
        "f_p20240228",
        "f_p20240229",
      ]);
      await engine.run(`INSERT INTO "${schema}".f (id, day) VALUES (1, DATE '2024-02-29')`);
      await expect(
        engine.run(`INSERT INTO "${schema}".f (id, day) VALUES (2, DATE '2024-03-01')`),
      ).rejects.toThrow(/no partition/);
    });
  });

  it("lets two loads creating the same partitions at once both succeed, 10 rounds", {
    timeout: 60_000,
  }, async () => {
    await withSchema("race", async (engine, schema) => {
      const other = await openEngine(POSTGRES_URL);
      try {
        for (let round = 0; round < 10; round++) {
          const def = tableDefinition(fact(schema, `f${round}`, "integer"), engine.kind);
          await createModelTable(engine, def);
          const values = [20240101, 20240201, 20240301, 20240401];
          const results = await Promise.allSettled([
            ensurePartitions(engine, def, values),
            ensurePartitions(other, def, values),
          ]);
          expect(
            results
              .filter((r) => r.status === "rejected")
              .map((r) => String((r as PromiseRejectedResult).reason)),
          ).toEqual([]);
          const created = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
          const [row] = await engine.query(
            `SELECT count(*) AS n FROM pg_inherits WHERE inhparent = $1::regclass`,
            [engine.dialect.quoteTable(def.table)],
          );
          expect(Number(row!.n)).toBe(4);
          // Each partition was made by one of the two (or both saw it made): never more than four.
          expect(new Set(created).size).toBeLessThanOrEqual(4);
        }
      } finally {
        await other.close();
      }
    });
  });
});
