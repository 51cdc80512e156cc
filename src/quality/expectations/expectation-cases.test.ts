import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CaseTable,
  checkCase,
  checkQueryCase,
  EXPECTATION_CASES,
  loadCaseTables,
  QUERY_CASES,
} from "../../../test/support/expectation-cases.js";
import type { TableRef } from "../../core/types.js";
import { DuckDBEngine } from "../../engines/duckdb/duckdb-engine.js";
import { validateDataset } from "../validate-dataset.js";

// The shared case list (test/support/expectation-cases.ts) on DuckDB; the same list runs on
// PostgreSQL in test/integration/quality-expectations-postgres.test.ts.
describe("expectations on DuckDB", () => {
  let engine: DuckDBEngine;
  let tables: Record<CaseTable, TableRef>;

  beforeAll(async () => {
    engine = await DuckDBEngine.create();
    tables = await loadCaseTables(engine, "cases");
  });
  afterAll(async () => engine?.close());

  it.each(EXPECTATION_CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    await checkCase(engine, tables, c);
  });

  it.each(QUERY_CASES.map((c) => [c.name, c] as const))("query target: %s", async (_name, c) => {
    await checkQueryCase(engine, c);
  });

  it("gives the same results when a table's cases run together as one suite", async () => {
    for (const table of ["people", "empty", "hostile"] as const) {
      const cases = EXPECTATION_CASES.filter((c) => c.table === table);
      const together = await validateDataset(
        engine,
        tables[table],
        cases.map((c) => c.expectation),
      );
      const alone = [];
      for (const c of cases)
        alone.push((await validateDataset(engine, tables[table], [c.expectation])).results[0]);
      expect(together.results).toEqual(alone);
    }
  });
});
