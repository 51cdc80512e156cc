import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { quarantine } from "./quarantine.js";
import { checkRows, notNull } from "./row-checks.js";

let engine: DuckDBEngine;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  await engine.run("CREATE SCHEMA staging");
  await engine.run(
    "CREATE TABLE staging.c AS SELECT * FROM (VALUES (1, 'x'), (NULL, 'y'), (NULL, 'z')) t(id, name)",
  );
  await checkRows(engine, {
    source: { schema: "staging", name: "c" },
    passed: { schema: "staging", name: "c_ok" },
    failed: { schema: "staging", name: "c_bad" },
    checks: [notNull("id")],
  });
});
afterAll(async () => engine.close());

const rejection = {
  location: "crm.sqlite#customers",
  line: 17,
  column: "registration_date",
  expected: "date",
  value: "2024-02-30",
  reason: 'crm.sqlite#customers row 17, column "registration_date": no such date',
};

async function dump(): Promise<Record<string, unknown>[]> {
  return engine.query(
    `SELECT run_id, CAST(logical_date AS VARCHAR) AS d, stage, "check", reason, location, line, CAST(record AS VARCHAR) AS record
     FROM quarantine.customers ORDER BY stage, d, line NULLS LAST, record`,
  );
}

describe("quarantine", () => {
  it("files check failures with their record as JSON and source rejections with their location", async () => {
    const a = await quarantine(engine, {
      dataset: "customers",
      runId: "r1",
      logicalDate: "2024-01-15",
      stage: "check",
      failed: { schema: "staging", name: "c_bad" },
    });
    expect(a).toMatchObject({ rows: 2, byCheck: { "not_null(id)": 2 } });
    const b = await quarantine(engine, {
      dataset: "customers",
      runId: "r1",
      logicalDate: "2024-01-15",
      stage: "extract",
      rejections: [rejection],
    });
    expect(b).toMatchObject({ rows: 1, byCheck: { "parse(registration_date)": 1 } });
    const rows = await dump();
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      stage: "check",
      check: "not_null(id)",
      reason: "id is null",
      location: "staging.c_bad",
    });
    expect(JSON.parse(String(rows[0]!.record))).toEqual({ id: null, name: "y" });
    expect(rows[2]).toMatchObject({ stage: "extract", line: 17, location: "crm.sqlite#customers" });
    expect(JSON.parse(String(rows[2]!.record))).toEqual({
      column: "registration_date",
      expected: "date",
      value: "2024-02-30",
    });
  });

  it("replaces a date's rows for the stage on a re-run and keeps other dates", async () => {
    await quarantine(engine, {
      dataset: "customers",
      runId: "r2",
      logicalDate: "2024-01-16",
      stage: "extract",
      rejections: [rejection],
    });
    const again = await quarantine(engine, {
      dataset: "customers",
      runId: "r3",
      logicalDate: "2024-01-15",
      stage: "extract",
      rejections: [rejection, { ...rejection, line: 18 }],
    });
    expect(again.rows).toBe(2);
    const rows = await dump();
    const extract15 = rows.filter((r) => r.stage === "extract" && r.d === "2024-01-15");
    expect(extract15.map((r) => [r.run_id, r.line])).toEqual([
      ["r3", 17],
      ["r3", 18],
    ]);
    expect(rows.filter((r) => r.d === "2024-01-16")).toHaveLength(1);
    expect(rows.filter((r) => r.stage === "check")).toHaveLength(2);
    // An empty re-run clears the date's stage.
    await quarantine(engine, {
      dataset: "customers",
      runId: "r4",
      logicalDate: "2024-01-15",
      stage: "extract",
      rejections: [],
    });
    expect((await dump()).filter((r) => r.stage === "extract" && r.d === "2024-01-15")).toHaveLength(0);
  });
});
