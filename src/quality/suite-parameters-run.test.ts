import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../core/errors.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { runSuite } from "./run-suite.js";
import { parseSuiteYaml } from "./suite-yaml.js";

const NOW = new Date("2024-03-10T12:00:00Z");
// Line numbers matter: errors point at the $PARAMETER kwarg (line 7, 10, 12).
const SUITE = `name: orders
suite_parameters:
  min_rows: 3
  since: "2024-03-01"
expectations:
  - type: expect_table_row_count_to_be_between
    kwargs: { min_value: { $PARAMETER: min_rows }, max_value: { $PARAMETER: "min_rows * 10" } }
  - type: expect_column_max_to_be_between
    kwargs:
      column: placed
      min_value: { $PARAMETER: "now() - timedelta(days=1)" }
  - type: expect_column_min_to_be_between
    kwargs: { column: placed, min_value: { $PARAMETER: since } }
`;

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("suite parameters in a suite run", () => {
  let engine: DuckDBEngine;
  const table = { name: "orders" };
  beforeAll(async () => {
    engine = await DuckDBEngine.create();
    await engine.run(
      "CREATE TABLE orders AS SELECT * FROM (VALUES (1, TIMESTAMP '2024-03-02 08:00:00'), (2, TIMESTAMP '2024-03-09 18:00:00'), (3, TIMESTAMP '2024-03-10 09:00:00'), (4, TIMESTAMP '2024-03-10 10:00:00')) t(id, placed)",
    );
  });
  afterAll(async () => engine?.close());

  it("takes values when the suite runs: the suite's own, the run's over them, now() from the check's time", async () => {
    const suite = parseSuiteYaml(SUITE, "orders.suite.yaml");
    // Loading keeps the references; nothing is evaluated yet.
    expect(suite.expectations[1]!.config.kwargs.min_value).toEqual({
      $PARAMETER: "now() - timedelta(days=1)",
    });
    const passed = await runSuite(engine, table, suite, { now: NOW, failOnError: false });
    expect(passed.checks.map((c) => c.success)).toEqual([true, true, true]);
    expect(passed.validation.results.map((r) => r.expectation.kwargs)).toEqual([
      { min_value: 3, max_value: 30 },
      { column: "placed", min_value: "2024-03-09T12:00:00" },
      { column: "placed", min_value: "2024-03-01" },
    ]);
    const overridden = await runSuite(engine, table, suite, {
      now: new Date("2024-03-12T00:00:00Z"),
      suiteParameters: { min_rows: 5, since: "2024-03-05" },
      failOnError: false,
    });
    expect(overridden.checks.map((c) => c.success)).toEqual([false, false, false]);
    expect(overridden.validation.results[0]!.expectation.kwargs).toEqual({ min_value: 5, max_value: 50 });
  });

  it("points at the argument in the file when a parameter is unknown or does not fit", async () => {
    const unknown = parseSuiteYaml(
      SUITE.replace("$PARAMETER: since", "$PARAMETER: since_day"),
      "orders.suite.yaml",
    );
    const error = await runSuite(engine, table, unknown, { now: NOW }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'orders.suite.yaml:13:42: expectations[2] (expect_column_min_to_be_between): min_value: $PARAMETER "since_day": no value for parameter "since_day" (given: min_rows, since)',
    );
    const wrong = parseSuiteYaml(
      SUITE.replace('{ $PARAMETER: "min_rows * 10" }', "100"),
      "orders.suite.yaml",
    );
    const misfit = await runSuite(engine, table, wrong, {
      now: NOW,
      suiteParameters: { min_rows: "many" },
    }).catch((e: unknown) => e);
    expect((misfit as Error).message).toContain(
      "orders.suite.yaml:7:26: expectations[0] (expect_table_row_count_to_be_between)",
    );
    expect((misfit as Error).message).toContain("min_value:");
    // The same text inside an expression must read as a number or a date.
    const inExpression = await runSuite(engine, table, parseSuiteYaml(SUITE, "orders.suite.yaml"), {
      now: NOW,
      suiteParameters: { min_rows: "many" },
    }).catch((e: unknown) => e);
    expect((inExpression as Error).message).toContain(
      'orders.suite.yaml:7:63: expectations[0] (expect_table_row_count_to_be_between): max_value: $PARAMETER "min_rows * 10": parameter "min_rows" is "many"',
    );
    expect((misfit as Error).message).toContain('with suite parameters: min_value = "many"');
  });

  it("refuses a bad expression, or another bad argument beside a parameter, when the suite is loaded", () => {
    const syntax = configError(() =>
      parseSuiteYaml(SUITE.replace("now() - timedelta(days=1)", "now() -"), "orders.suite.yaml"),
    );
    expect(syntax.message).toContain(
      "orders.suite.yaml:11:18: expectations[1] (expect_column_max_to_be_between)",
    );
    expect(syntax.message).toContain(
      'min_value: $PARAMETER "now() -": expected a number, a name or "(", found the end of the expression at character 8',
    );
    const typo = configError(() =>
      parseSuiteYaml(
        SUITE.replace("column: placed\n", "column: placed\n      max_vlaue: 3\n"),
        "orders.suite.yaml",
      ),
    );
    expect(typo.message).toContain("max_vlaue");
  });
});

describe("suite parameters in validateDataset", () => {
  it("takes them as an option, as GX's validation run does", async () => {
    const engine = await DuckDBEngine.create();
    try {
      await engine.run("CREATE TABLE t AS SELECT * FROM range(5) r(n)");
      const { validateDataset } = await import("./validate-dataset.js");
      const expectations = [
        { type: "expect_table_row_count_to_equal", kwargs: { value: { $PARAMETER: "rows + 1" } } },
      ];
      const result = await validateDataset(engine, { name: "t" }, expectations, {
        suiteParameters: { rows: 4 },
      });
      expect(result.results[0]).toMatchObject({ success: true, expectation: { kwargs: { value: 5 } } });
      const missing = await validateDataset(engine, { name: "t" }, expectations).catch((e: unknown) => e);
      expect((missing as Error).message).toBe(
        'expectations[0] (expect_table_row_count_to_equal): value: $PARAMETER "rows + 1": no value for parameter "rows" (no suite parameters were given)',
      );
    } finally {
      await engine.close();
    }
  });
});
