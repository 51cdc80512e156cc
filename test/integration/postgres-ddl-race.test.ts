import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemorySource } from "../../src/connectors/memory-source.js";
import type { Schema } from "../../src/core/types.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { quarantine } from "../../src/quality/quarantine.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { dropSchemas } from "../support/weir-process.js";

/**
 * The DDL concurrent runs race on, on PostgreSQL: a second session creating the same
 * schema or table waits for the first and then fails with a duplicate on the catalog
 * (23505 on pg_namespace or pg_type, 42P06, 42P07). Every round uses new names and starts
 * the creators at once, each on its own pooled connection.
 */
const ROUNDS = 8;
const SCHEMA: Schema = {
  fields: [
    { name: "id", type: "bigint" },
    { name: "name", type: "varchar" },
  ],
};
const created: string[] = [];
const datasets: string[] = [];
let engine: PostgresEngine;

function fresh(prefix: string): string {
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  created.push(name);
  return name;
}

function failures(results: PromiseSettledResult<unknown>[]): string[] {
  return results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
}

describe.skipIf(!postgresAvailable)("DDL of concurrent runs on PostgreSQL", () => {
  beforeAll(async () => {
    engine = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 8 });
  });
  afterAll(async () => {
    for (const d of datasets) await engine.run(`DROP TABLE IF EXISTS quarantine."${d}"`).catch(() => 0);
    await engine?.close();
    await dropSchemas(...created);
  });

  it("createTable in one new schema, from transactions and autocommit at once, all succeed", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const schema = fresh("ddl_race");
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          i % 2 === 0
            ? engine.transaction(async (tx) => {
                await tx.createTable({ schema, name: `t${i}` }, SCHEMA);
                await tx.run(`INSERT INTO "${schema}"."t${i}" VALUES (1, 'a')`);
              })
            : engine.createTable({ schema, name: `t${i}` }, SCHEMA),
        ),
      );
      expect(failures(results), `round ${round}`).toEqual([]);
    }
  });

  it("extracts started at once into one new schema all succeed", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const schema = fresh("extract_race");
      const rows = Array.from({ length: 20 }, (_, i) => ({ id: i, name: `r${i}` }));
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) =>
          new MemorySource({ schema: SCHEMA, rows }).extract(engine, { schema, name: `t${i}` }, {}),
        ),
      );
      expect(failures(results), `round ${round}`).toEqual([]);
      expect(results.map((r) => (r.status === "fulfilled" ? r.value.rowsLoaded : -1))).toEqual(
        Array(6).fill(20),
      );
    }
  });

  it("quarantines of different dates into a new quarantine table at once keep every row", async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const dataset = `race_${randomBytes(4).toString("hex")}`;
      datasets.push(dataset);
      const dates = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"];
      const results = await Promise.allSettled(
        dates.map((logicalDate, i) =>
          quarantine(engine, {
            dataset,
            runId: `run_${i}`,
            logicalDate,
            stage: "extract",
            rejections: Array.from({ length: i + 1 }, (_, line) => ({
              location: "orders.csv",
              line: line + 2,
              reason: "not a number",
            })),
          }),
        ),
      );
      expect(failures(results), `round ${round}`).toEqual([]);
      const counts = await engine.query<{ d: string; n: string }>(
        `SELECT CAST(logical_date AS TEXT) AS d, count(*) AS n FROM quarantine."${dataset}" GROUP BY 1 ORDER BY 1`,
      );
      expect(counts.map((r) => [r.d, Number(r.n)])).toEqual(dates.map((d, i) => [d, i + 1]));
    }
  });
});
