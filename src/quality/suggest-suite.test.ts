import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../test/support/servers.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import type { Engine } from "../engines/engine.js";
import { PostgresEngine } from "../engines/postgres/postgres-engine.js";
import { profileDataset } from "./profile.js";
import { runSuite } from "./run-suite.js";
import { dateRange, mostlyFor, tolerantRange } from "./suggest-bounds.js";
import { suggestionNotes, suggestSuite, suiteToYaml, withoutFileExtension } from "./suggest-suite.js";
import { parseSuiteYaml } from "./suite-yaml.js";

/**
 * `weir profile --suggest` (issue 10 friction): the suggested suite passed on the profiled
 * data and failed on the next batch (exact min/max), knew nothing of "NA" text, had no
 * date ranges and kept ".csv" in its name.
 */
describe("tolerant bounds", () => {
  it("widens a range by a tenth and rounds outward, keeping 0 as the floor of non-negative data", () => {
    expect(tolerantRange(13, 99, { integer: true })).toEqual({ min: 4, max: 108 });
    expect(tolerantRange(0.5, 999.99, { integer: false })).toEqual({ min: 0, max: 1100 });
    expect(tolerantRange(-40, 60, { integer: true })).toEqual({ min: -50, max: 70 });
    expect(tolerantRange(5, 5, { integer: true })).toEqual({ min: 4, max: 6 });
    expect(tolerantRange(0.1, 0.3, { integer: false })).toEqual({ min: 0.08, max: 0.32 });
  });

  it("gives dates a range from a little before the first to a year past the last (or the profile's day)", () => {
    expect(dateRange("2024-01-01", "2024-01-31 10:00:00", new Date("2024-02-01T08:00:00Z"))).toEqual({
      min: "2023-12-29",
      max: "2025-01-31",
    });
    expect(dateRange("2024-01-05", "2024-01-05", new Date("2024-01-05T00:00:00Z"))).toEqual({
      min: "2024-01-04",
      max: "2025-01-04",
    });
    expect(dateRange("not a date", "2024-01-05", new Date())).toBeUndefined();
  });

  it("tolerates about twice the share of missing values seen", () => {
    expect(mostlyFor(0.02)).toBe(0.96);
    expect(mostlyFor(0.05)).toBe(0.9);
    expect(mostlyFor(0.6)).toBeUndefined();
  });

  it("names a suite after the data, not its file", () => {
    expect(withoutFileExtension("customers.csv")).toBe("customers");
    expect(withoutFileExtension("orders-*.parquet")).toBe("orders-*");
    expect(withoutFileExtension("/data/events.ndjson.gz (suggested)")).toBe("/data/events (suggested)");
    expect(withoutFileExtension("dim_customers")).toBe("dim_customers");
  });
});

const engines: [string, boolean, () => Promise<Engine>][] = [
  ["duckdb", true, () => DuckDBEngine.create({ memoryLimit: "256MB", threads: 2 })],
  ["postgres", postgresAvailable, () => PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 })],
];

describe.each(engines)("a suggested suite on %s", (kind, available, open) => {
  let engine: Engine;
  const schema = `weir_h9_suggest_${process.pid}`;
  const t = (name: string) => ({ schema, name });

  beforeAll(async () => {
    if (!available) return;
    engine = await open();
    if (kind === "postgres") await engine.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await engine.run(`CREATE SCHEMA ${schema}`);
    // 200 customers: ages 18..96, spend with 2 % NULL, signup dates in January, a region
    // where 5 % say "NA" or "" instead of NULL.
    await engine.run(
      `CREATE TABLE ${schema}.batch1 AS SELECT i AS id, 18 + (i * 7) % 79 AS age,
         CASE WHEN i % 50 = 0 THEN NULL ELSE CAST(i * 2.5 AS DOUBLE PRECISION) END AS spend,
         CAST(DATE '2024-01-01' + CAST(i % 31 AS INTEGER) AS DATE) AS signup,
         CASE WHEN i % 40 = 0 THEN 'NA' WHEN i % 40 = 1 THEN '' ELSE (ARRAY['north','south','east'])[1 + i % 3] END AS region
       FROM generate_series(1, 200) AS g(i)`,
    );
    // The next batch: a little beyond every range seen, the same share of missing values.
    await engine.run(
      `CREATE TABLE ${schema}.batch2 AS SELECT 1000 + i AS id, 17 + (i * 7) % 83 AS age,
         CASE WHEN i % 50 = 0 THEN NULL ELSE CAST(i * 2.6 AS DOUBLE PRECISION) END AS spend,
         CAST(DATE '2024-02-01' + CAST(i % 29 AS INTEGER) AS DATE) AS signup,
         CASE WHEN i % 40 = 0 THEN 'N/A' WHEN i % 40 = 1 THEN 'NA' ELSE (ARRAY['north','south','east'])[1 + i % 3] END AS region
       FROM generate_series(1, 200) AS g(i)`,
    );
  });
  afterAll(async () => {
    if (!available) return;
    if (kind === "postgres") await engine.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await engine.close();
  });

  it.skipIf(!available)(
    "passes on the profiled batch and on the next one, and flags text standing for missing values",
    async () => {
      const profile = await profileDataset(engine, t("batch1"), { now: new Date("2024-02-01T00:00:00Z") });
      const region = profile.columns.find((c) => c.name === "region")!;
      expect(region.missingLike).toEqual({ count: 10, values: ["", "NA"] });
      const input = suggestSuite(profile, { name: "customers.csv", dataset: "customers.csv" });
      expect(input).toMatchObject({ name: "customers", dataset: "customers" });
      const kwargs = (type: string, column: string) =>
        input.expectations!.find((e) => e.type === type && e.kwargs?.column === column)?.kwargs;
      expect(kwargs("expect_column_values_to_be_between", "age")).toEqual({
        column: "age",
        min_value: 10,
        max_value: 104,
      });
      expect(kwargs("expect_column_values_to_be_between", "signup")).toEqual({
        column: "signup",
        min_value: "2023-12-29",
        max_value: "2025-01-31",
      });
      expect(kwargs("expect_column_values_to_not_be_null", "spend")).toEqual({
        column: "spend",
        mostly: 0.96,
      });
      expect(kwargs("expect_column_values_to_not_be_in_set", "region")).toEqual({
        column: "region",
        value_set: ["", "NA"],
        mostly: 0.9,
      });
      expect(suggestionNotes(profile)).toEqual([
        'column "region": 10 value(s) look missing but are not NULL ("", "NA"); suggested as expect_column_values_to_not_be_in_set',
      ]);
      const suite = parseSuiteYaml(suiteToYaml(input, "suggested"), "customers.suite.yaml");
      const failures = async (table: string) =>
        (await runSuite(engine, t(table), suite, { failOnError: false })).checks
          .filter((c) => !c.success)
          .map((c) => c.name);
      expect(await failures("batch1")).toEqual([]);
      // The next batch differs only where a new batch would: new ids, new dates, a bit wider.
      expect(await failures("batch2")).toEqual(["expect_column_values_to_be_in_set(region)"]);
      await engine.run(
        `INSERT INTO ${schema}.batch2 (id, age, signup, region) VALUES (5000, 250, DATE '2204-01-01', 'north')`,
      );
      expect(await failures("batch2")).toEqual(
        expect.arrayContaining([
          "expect_column_values_to_be_between(age)",
          "expect_column_values_to_be_between(signup)",
        ]),
      );
    },
  );
});
