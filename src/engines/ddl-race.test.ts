import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CsvSource } from "../connectors/csv-source.js";
import { MemorySource } from "../connectors/memory-source.js";
import { ParquetSource } from "../connectors/parquet-source.js";
import type { Source } from "../connectors/source.js";
import type { Schema } from "../core/types.js";
import { quarantine } from "../quality/quarantine.js";
import { DuckDBEngine } from "./duckdb/duckdb-engine.js";

/**
 * DDL that runs of a backfill race on, on a fresh DuckDB warehouse: every extract creates
 * its target's schema, every `createTable` too (inside a transaction or not), and every
 * quarantine creates `quarantine.<dataset>`. DuckDB fails the later of two transactions
 * creating the same catalog entry ("Catalog write-write conflict"), so each round opens a
 * new database file and starts them all at once.
 */
const ROUNDS = 8;
let dir: string;
let parquet: string;
let csv: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-ddl-race-"));
  parquet = join(dir, "orders.parquet");
  csv = join(dir, "orders.csv");
  const engine = await DuckDBEngine.create();
  await engine.run(
    `COPY (SELECT range AS id, 'x' || range AS name FROM range(200)) TO '${parquet}' (FORMAT parquet)`,
  );
  await engine.close();
  writeFileSync(csv, `id,name\n${Array.from({ length: 200 }, (_, i) => `${i},x${i}`).join("\n")}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCHEMA: Schema = {
  fields: [
    { name: "id", type: "bigint" },
    { name: "name", type: "varchar" },
  ],
};

function sources(): Source[] {
  const rows = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `m${i}` }));
  return [
    new ParquetSource({ path: parquet }),
    new ParquetSource({ path: parquet }),
    new CsvSource({ path: csv }),
    new CsvSource({ path: csv }),
    new MemorySource({ schema: SCHEMA, rows }),
    new MemorySource({ schema: SCHEMA, rows }),
  ];
}

async function freshEngine(round: number): Promise<DuckDBEngine> {
  return DuckDBEngine.create({ path: join(dir, `warehouse-${round}-${Date.now()}.duckdb`) });
}

describe("DDL of concurrent runs on a fresh DuckDB warehouse", () => {
  it("extracts started at once into one new schema all succeed", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const engine = await freshEngine(round);
      try {
        const all = sources();
        const results = await Promise.allSettled(
          all.map((source, i) => source.extract(engine, { schema: "staging", name: `t${i}` }, {})),
        );
        const failures = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
        expect(failures, `round ${round}`).toEqual([]);
        const counts = await engine.query<{ n: bigint }>(
          `SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = 'staging'`,
        );
        expect(Number(counts[0]!.n)).toBe(all.length);
      } finally {
        await Promise.all(sources().map((s) => s.close?.()));
        await engine.close();
      }
    }
  });

  it("createTable in a new schema, from concurrent transactions and autocommit, all succeed", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const engine = await freshEngine(round);
      try {
        const results = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) =>
            i % 2 === 0
              ? engine.transaction(async (tx) => {
                  await tx.createTable({ schema: "raw", name: `t${i}` }, SCHEMA);
                  await tx.run(`INSERT INTO raw.t${i} VALUES (1, 'a')`);
                })
              : engine.createTable({ schema: "raw", name: `t${i}` }, SCHEMA),
          ),
        );
        expect(
          results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : [])),
          `round ${round}`,
        ).toEqual([]);
      } finally {
        await engine.close();
      }
    }
  });

  it("quarantines of different dates into a new quarantine table at once keep every row", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const engine = await freshEngine(round);
      try {
        const dates = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"];
        const results = await Promise.allSettled(
          dates.map((logicalDate, i) =>
            quarantine(engine, {
              dataset: "orders",
              runId: `run_${i}`,
              logicalDate,
              stage: "extract",
              rejections: Array.from({ length: i + 1 }, (_, line) => ({
                location: "orders.csv",
                line: line + 2,
                column: "id",
                reason: "not a number",
              })),
            }),
          ),
        );
        expect(
          results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : [])),
          `round ${round}`,
        ).toEqual([]);
        const rows = await engine.query<{ d: string; n: bigint }>(
          "SELECT CAST(logical_date AS VARCHAR) AS d, count(*) AS n FROM quarantine.orders GROUP BY 1 ORDER BY 1",
        );
        expect(rows.map((r) => [r.d, Number(r.n)])).toEqual(dates.map((d, i) => [d, i + 1]));
      } finally {
        await engine.close();
      }
    }
  });
});
