import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TableRef } from "../../src/core/types.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import type { ExpectationResult } from "../../src/quality/expectations/expectation.js";
import { validateDataset } from "../../src/quality/validate-dataset.js";
import {
  type CaseTable,
  checkCase,
  checkQueryCase,
  EXPECTATION_CASES,
  loadCaseTables,
  QUERY_CASES,
} from "../support/expectation-cases.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

// The shared expectation cases on PostgreSQL, and every result compared with DuckDB's.
// A suffix per run, so two test runs at once (other checkouts, other helpers) never share the schema.
const SCHEMA = `weir_quality_expectations_pg_${process.pid}`;

describe.skipIf(!postgresAvailable)("expectations on PostgreSQL", () => {
  let pg: PostgresEngine;
  let duck: DuckDBEngine;
  let pgTables: Record<CaseTable, TableRef>;
  let duckTables: Record<CaseTable, TableRef>;

  beforeAll(async () => {
    pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 3 });
    await pg.run(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    pgTables = await loadCaseTables(pg, SCHEMA);
    duck = await DuckDBEngine.create();
    duckTables = await loadCaseTables(duck, "cases");
  });
  afterAll(async () => {
    await pg?.run(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await pg?.close();
    await duck?.close();
  });

  it.each(EXPECTATION_CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await checkCase(pg, pgTables, c);
  });

  it.each(QUERY_CASES.map((c) => [c.name, c] as const))("query target: %s", async (_name, c) => {
    const onPg = await checkQueryCase(pg, c);
    const onDuck = (await validateDataset(duck, { sql: c.sql }, [c.expectation])).results[0];
    expect(onPg).toEqual(onDuck);
  });

  it("compares text by code point whatever the column's collation, as DuckDB does", async () => {
    const table = { schema: SCHEMA, name: "collated" };
    await pg.run(`CREATE TABLE ${SCHEMA}.collated (s TEXT COLLATE "und-x-icu", n INTEGER)`);
    await pg.run(
      `INSERT INTO ${SCHEMA}.collated VALUES ('b', 1), ('B', 2), ('a', 3), ('A', 4), ('é', 5), ('e', 6)`,
    );
    await duck.run(`CREATE TABLE cases.collated (s VARCHAR, n INTEGER)`);
    await duck.run(
      `INSERT INTO cases.collated VALUES ('b', 1), ('B', 2), ('a', 3), ('A', 4), ('é', 5), ('e', 6)`,
    );
    const expectations = [
      { type: "expect_column_min_to_be_between", kwargs: { column: "s", min_value: "A", max_value: "A" } },
      { type: "expect_column_max_to_be_between", kwargs: { column: "s", min_value: "é" } },
      { type: "expect_column_values_to_be_between", kwargs: { column: "s", min_value: "a" } },
      { type: "expect_column_values_to_be_increasing", kwargs: { column: "s", order_by: "n" } },
      { type: "expect_column_distinct_values_to_be_in_set", kwargs: { column: "s", value_set: ["a", "b"] } },
      { type: "expect_column_values_to_be_unique", kwargs: { column: "s" } },
      { type: "expect_sql_to_return_no_rows", kwargs: { sql: "SELECT s FROM {batch} WHERE n > 2" } },
      {
        type: "expect_column_pair_values_a_to_be_greater_than_b",
        kwargs: { column_A: "s", column_B: "s", or_equal: true },
      },
    ];
    const onPg = await validateDataset(pg, table, expectations);
    const onDuck = await validateDataset(duck, { schema: "cases", name: "collated" }, expectations);
    expect(onPg).toEqual(onDuck);
    // Code point order: "A" < "B" < "a" < "b" < "e" < "é" (a locale would say a < A < b < B).
    expect(onPg.results[0]!.success).toBe(true);
    // The first failing rows in row order: 'B' was inserted before 'A'.
    expect(onPg.results[2]!.result.partial_unexpected_list).toEqual(["B", "A"]);
    expect(onPg.results[3]!.result.partial_unexpected_list).toEqual(["B", "A", "e"]);
    expect(onPg.results[4]!.result.observed_value).toEqual(["A", "B", "a", "b", "e", "é"]);
    expect(onPg.results[6]!.result.partial_unexpected_list).toEqual([
      { s: "A" },
      { s: "a" },
      { s: "e" },
      { s: "é" },
    ]);
  });

  it("agrees with DuckDB on every result object, case by case and as whole suites", async () => {
    for (const table of ["people", "empty", "hostile"] as const) {
      const expectations = EXPECTATION_CASES.filter((c) => c.table === table).map((c) => c.expectation);
      const onPg = await validateDataset(pg, pgTables[table], expectations);
      const onDuck = await validateDataset(duck, duckTables[table], expectations);
      const pairs = onPg.results.map(
        (r, i) => [r, onDuck.results[i]] as [ExpectationResult, ExpectationResult],
      );
      // The type expectations report each engine's own type name (TEXT on PostgreSQL, VARCHAR
      // on DuckDB), as GX does; everything else is the same.
      const sameTypes = (r: ExpectationResult) =>
        /_to_be_of_type|_in_type_list/.test(r.expectation.type)
          ? { ...r, result: { ...r.result, observed_value: "(engine type)" } }
          : r;
      for (const [p, d] of pairs) expect(sameTypes(p), p.expectation.type).toEqual(sameTypes(d));
      expect({ ...onPg, scans: 0, results: onPg.results.map(sameTypes) }).toEqual({
        ...onDuck,
        scans: 0,
        results: onDuck.results.map(sameTypes),
      });
      expect(onPg.scans).toBe(onDuck.scans);
    }
  });
});
