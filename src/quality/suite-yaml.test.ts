import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defineSuite } from "./suite.js";
import { loadSuiteFile, parseSuiteYaml } from "./suite-yaml.js";

const dir = mkdtempSync(join(tmpdir(), "weir-suite-yaml-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error a suite text raises (or fails the test). */
function errorOf(
  text: string,
  file = "orders.suite.yaml",
): Error & { code?: string; details?: Record<string, unknown> } {
  try {
    parseSuiteYaml(text, file);
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the suite to be rejected");
}

const GOOD = `# orders
dataset: orders
expectations:
  - type: expect_column_values_to_not_be_null
    kwargs: { column: id }
  - type: expect_column_values_to_be_between
    kwargs:
      column: amount
      min_value: 0
      max_value: 1000
    severity: warn
  - type: expect_column_values_to_match_regex
    name: valid_email
    kwargs: { column: email, regex: '^[^@]+@[^@]+$' }
    quarantine: true
freshness: { column: updated_at, maxAge: 24h }
schema:
  columns:
    - { name: id, type: bigint }
  allowExtra: true
anomalies: { metrics: [row_count, "null_rate:email"], minHistory: 3 }
`;

describe("loadSuiteFile", () => {
  it("reads a suite with defaults, names and actions", async () => {
    const file = join(dir, "orders.suite.yaml");
    writeFileSync(file, GOOD);
    const suite = await loadSuiteFile(file);
    expect(suite.name).toBe("orders");
    expect(suite.dataset).toBe("orders");
    expect(suite.expectations.map((e) => [e.name, e.severity, e.quarantine])).toEqual([
      ["expect_column_values_to_not_be_null(id)", "error", false],
      ["expect_column_values_to_be_between(amount)", "warn", false],
      ["valid_email", "error", true],
    ]);
    expect(suite.expectations[1]!.config.kwargs).toMatchObject({
      column: "amount",
      min_value: 0,
      max_value: 1000,
    });
    expect(suite.freshness).toEqual({ column: "updated_at", maxAge: "24h", severity: "error" });
    expect(suite.anomalies).toMatchObject({
      metrics: ["row_count", "null_rate:email"],
      method: "zscore",
      severity: "warn",
    });
  });

  it("names a missing file", async () => {
    await expect(loadSuiteFile(join(dir, "nope.yaml"))).rejects.toThrow(
      /cannot read suite file .*nope\.yaml/,
    );
  });
});

describe("suite errors name the file, line and column", () => {
  it("reports YAML syntax errors with their position", () => {
    const e = errorOf("expectations:\n  - type: x\n    kwargs: { column: id\n");
    expect(e.message).toMatch(/^orders\.suite\.yaml:\d+:\d+: invalid YAML: /);
    expect(e.code).toBe("CONFIG_INVALID");
  });

  it("reports a bad field value at the node, with the expectation type", () => {
    const e = errorOf(GOOD.replace("severity: warn", "severity: fatal"));
    expect(e.message).toMatch(/^orders\.suite\.yaml:11:15: expectations\[1\]\.severity: .*"error".*"warn"/);
    expect(e.message).toContain("(in expect_column_values_to_be_between)");
  });

  it("reports an unknown field and a bad duration", () => {
    expect(errorOf(GOOD.replace("severity: warn", "severty: warn")).message).toMatch(
      /^orders\.suite\.yaml:11:14: expectations\[1\]: .*severty/,
    );
    expect(errorOf(GOOD.replace("maxAge: 24h", "maxAge: 1 day")).message).toMatch(
      /^orders\.suite\.yaml:16:42: freshness\.maxAge: expected a duration/,
    );
  });

  it("reports a bad anomaly metric and a bad schema type", () => {
    expect(errorOf(GOOD.replace('"null_rate:email"', "nulls")).message).toMatch(
      /^orders\.suite\.yaml:21:\d+: anomalies\.metrics\[1\]: expected row_count, null_rate:<column>/,
    );
    expect(errorOf(GOOD.replace("type: bigint", "type: int64")).message).toMatch(
      /^orders\.suite\.yaml:19:\d+: schema\.columns\[0\]\.type: /,
    );
  });

  it("suggests the closest type for an unknown expectation", () => {
    const e = errorOf(
      GOOD.replace("expect_column_values_to_be_between", "expect_column_values_to_be_betwen"),
    );
    expect(e.message).toMatch(
      /^orders\.suite\.yaml:6:5: expectations\[1\]: unknown expectation type "expect_column_values_to_be_betwen"; did you mean expect_column_values_to_be_between/,
    );
    expect(e.details).toMatchObject({
      suite: "orders.suite.yaml",
      type: "expect_column_values_to_be_betwen",
    });
  });

  it("points a bad argument at its own line, naming the type and the argument", () => {
    const e = errorOf(GOOD.replace("min_value: 0", "min_value: 0\n      mostly: 1.5"));
    expect(e.message).toMatch(
      /^orders\.suite\.yaml:10:15: expectations\[1\] \(expect_column_values_to_be_between\): invalid arguments:\n {2}mostly: /,
    );
    expect(e.details).toMatchObject({ argument: "mostly", position: "orders.suite.yaml:10:15" });
    const unknown = errorOf(GOOD.replace("kwargs: { column: id }", "kwargs: { column: id, colour: red }"));
    expect(unknown.message).toMatch(
      /^orders\.suite\.yaml:5:35: expectations\[0\] .*invalid arguments:\n.*"colour"/,
    );
    const missing = errorOf(GOOD.replace("kwargs: { column: id }", "kwargs: {}"));
    expect(missing.message).toMatch(
      /^orders\.suite\.yaml:5:13: expectations\[0\] \(expect_column_values_to_not_be_null\): invalid arguments:\n {2}column: /,
    );
  });

  it("refuses a file that is not a mapping, and duplicate names", () => {
    expect(errorOf("- a\n- b\n").message).toMatch(/^orders\.suite\.yaml:1:1: a suite file must be a mapping/);
    const dup = `expectations:
  - { type: expect_column_values_to_not_be_null, kwargs: { column: a }, name: x }
  - { type: expect_column_values_to_not_be_null, kwargs: { column: b }, name: x }
`;
    expect(errorOf(dup).message).toMatch(/^orders\.suite\.yaml:3:\d+: two expectations are named "x"/);
  });
});

describe("defineSuite", () => {
  it("numbers colliding default names and reads GX suite JSON", () => {
    const suite = defineSuite({
      expectations: [
        { type: "expect_column_values_to_be_between", kwargs: { column: "a", min_value: 0, max_value: 1 } },
        { type: "expect_column_values_to_be_between", kwargs: { column: "a", min_value: 0, max_value: 2 } },
      ],
    });
    expect(suite.expectations.map((e) => e.name)).toEqual([
      "expect_column_values_to_be_between(a)",
      "expect_column_values_to_be_between(a)#2",
    ]);
    const gx = parseSuiteYaml(
      JSON.stringify({
        expectation_suite_name: "gx",
        meta: { great_expectations_version: "0.18.8" },
        data_asset_type: null,
        expectations: [
          { expectation_type: "expect_column_values_to_not_be_null", kwargs: { column: "id" }, meta: {} },
        ],
      }),
      "gx.json",
    );
    expect(gx.name).toBe("gx");
    expect(gx.expectations[0]!.config.type).toBe("expect_column_values_to_not_be_null");
  });
});
