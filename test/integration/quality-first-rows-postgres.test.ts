import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../../src/engines/engine.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { compileExpectations } from "../../src/quality/compile-expectations.js";
import type { ExpectationConfig } from "../../src/quality/expectations/expectation.js";
import { mainScanSql } from "../../src/quality/main-scan.js";
import { validateDataset } from "../../src/quality/validate-dataset.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

// PostgreSQL finds a table's first failing rows after a counting-only (parallel) main scan,
// block range by block range. The rows must be the same as DuckDB's (row id order) wherever
// in the table they are: at the start, past the first ranges, in the last block.
const SCHEMA = "weir_first_rows_pg";
const ROWS = 200_000;
// Row numbers (1-based, insertion order) whose `code` is bad: one early, the rest spread to the end.
const RARE = [7, 70_001, 150_003, ROWS];
// Every 9,000th row has a bad `v`: 22 rows, more than the 20 listed, across many blocks.
const SPREAD = Array.from({ length: Math.floor(ROWS / 9_000) }, (_, i) => (i + 1) * 9_000);

const table = `SELECT i AS id,
    CASE WHEN i IN (${RARE.join(", ")}) THEN 'bad-' || i ELSE 'ok' END AS code,
    CASE WHEN i % 9000 = 0 THEN -i ELSE i END AS v,
    CASE WHEN i % 2 = 0 THEN 'pad-' || i END AS note`;

const suite: ExpectationConfig[] = [
  { type: "expect_column_values_to_be_in_set", kwargs: { column: "code", value_set: ["ok"] } },
  {
    type: "expect_column_values_to_be_between",
    kwargs: {
      column: "v",
      min_value: 0,
      result_format: { result_format: "COMPLETE", unexpected_index_column_names: ["id"] },
    },
  },
  { type: "expect_column_values_to_be_between", kwargs: { column: "v", min_value: 0 } },
  {
    type: "expect_column_values_to_not_be_null",
    kwargs: { column: "note", row_condition: "id > 199990", result_format: "COMPLETE" },
  },
  { type: "expect_column_values_to_match_regex", kwargs: { column: "code", regex: "^ok$" } },
];

describe.skipIf(!postgresAvailable)("first failing rows on PostgreSQL, found by block range", () => {
  let pg: PostgresEngine;
  let duck: DuckDBEngine;

  beforeAll(async () => {
    pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 });
    await pg.run(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg.run(`CREATE SCHEMA ${SCHEMA}`);
    await pg.run(`CREATE TABLE ${SCHEMA}.t AS ${table} FROM generate_series(1, ${ROWS}) AS s(i) ORDER BY i`);
    duck = await DuckDBEngine.create({ threads: 2 });
    await duck.run(`CREATE SCHEMA ${SCHEMA}`);
    await duck.run(`CREATE TABLE ${SCHEMA}.t AS ${table} FROM range(1, ${ROWS + 1}) AS s(i) ORDER BY i`);
  }, 60_000);
  afterAll(async () => {
    await pg?.run(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg?.close();
    await duck?.close();
  });

  it("the table spans more than one block range (the first is 512 blocks)", async () => {
    const [row] = await pg.query<{ blocks: string }>(
      `SELECT pg_relation_size('${SCHEMA}.t') / 8192 AS blocks`,
    );
    expect(Number(row!.blocks)).toBeGreaterThan(512 * 2);
  });

  it("lists the same first failing rows as DuckDB, in row order, wherever they are", async () => {
    const target = { schema: SCHEMA, name: "t" };
    const [onPg, onDuck] = await Promise.all([
      validateDataset(pg, target, suite),
      validateDataset(duck, target, suite),
    ]);
    const strip = (r: (typeof onPg.results)[number]) => r.result;
    expect(onPg.results.map(strip)).toEqual(onDuck.results.map(strip));

    const [rare, complete, summary, notNull, regex] = onPg.results;
    expect(rare!.result.partial_unexpected_list).toEqual(RARE.map((i) => `bad-${i}`));
    expect(complete!.result.unexpected_index_list).toEqual(SPREAD.map((i) => ({ id: i, v: -i })));
    expect(complete!.result.unexpected_count).toBe(SPREAD.length);
    expect(summary!.result.partial_unexpected_list).toEqual(SPREAD.slice(0, 20).map((i) => -i));
    // Odd ids above 199,990 have no note: the row_condition's rows only, all in the last block.
    expect(notNull!.result.unexpected_count).toBe(5);
    expect(notNull!.result.unexpected_list).toEqual([null, null, null, null, null]);
    expect(regex!.result.partial_unexpected_list).toEqual(RARE.map((i) => `bad-${i}`));
  }, 60_000);

  it("the main scan only counts: no ordered aggregate, no row position, no fence", async () => {
    const target = { schema: SCHEMA, name: "t" };
    const fields = (await pg.describe(target))!.fields;
    const compiled = compileExpectations(pg as Engine, target, fields, suite, { rowOrder: "ctid" });
    const sql = mainScanSql(pg, compiled, compiled.items);
    expect(sql).not.toMatch(/array_agg|ctid|OFFSET 0/);
    const plan = await pg.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`);
    expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toMatch(/Partial Aggregate/);
  });
});
