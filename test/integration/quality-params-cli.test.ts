import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runWeir } from "../support/weir-process.js";

let dir: string;

const weir = (...args: string[]) => runWeir(args, { WEIR_HOME: join(dir, "home") });

const SUITE = `name: orders
suite_parameters:
  min_rows: 2
expectations:
  - type: expect_table_row_count_to_be_between
    kwargs: { min_value: { $PARAMETER: min_rows } }
  - type: expect_column_values_to_be_in_set
    kwargs: { column: status, value_set: { $PARAMETER: statuses } }
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-params-cli-"));
  writeFileSync(join(dir, "suite.yaml"), SUITE);
  writeFileSync(join(dir, "orders.csv"), "id,status\n1,open\n2,shipped\n3,open\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("weir check --param", () => {
  it("gives suite parameters on the command line, JSON values as JSON, over the suite's own", async () => {
    const args = ["check", join(dir, "orders.csv"), "--suite", join(dir, "suite.yaml"), "--json"];
    const ok = await weir(...args, "--param", 'statuses=["open","shipped"]');
    expect(ok.code, ok.stderr).toBe(0);
    const passed = JSON.parse(ok.stdout);
    expect(
      passed.validation.results.map((r: { expectation: { kwargs: unknown } }) => r.expectation.kwargs),
    ).toEqual([{ min_value: 2 }, { column: "status", value_set: ["open", "shipped"] }]);
    const strict = await weir(...args, "--param", "min_rows=10", "--param", 'statuses=["open"]');
    expect(strict.code, strict.stderr).toBe(1);
    expect(JSON.parse(strict.stdout).checks.map((c: { success: boolean }) => c.success)).toEqual([
      false,
      false,
    ]);
  }, 60_000);

  it("says which parameter is missing, and where the suite uses it", async () => {
    const r = await weir("check", join(dir, "orders.csv"), "--suite", join(dir, "suite.yaml"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${join(dir, "suite.yaml")}:8:42: expectations[1] (expect_column_values_to_be_in_set): value_set: $PARAMETER "statuses": no value for parameter "statuses" (given: min_rows)`,
    );
    const bad = await weir(
      "check",
      join(dir, "orders.csv"),
      "--suite",
      join(dir, "suite.yaml"),
      "--param",
      "statuses",
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--param "statuses": expected name=value');
  }, 60_000);
});

describe("weir check --result-format", () => {
  const run = (...extra: string[]) =>
    weir(
      "check",
      join(dir, "orders.csv"),
      "--suite",
      join(dir, "suite.yaml"),
      "--param",
      'statuses=["open"]',
      "--json",
      ...extra,
    );
  const inSet = (stdout: string) => JSON.parse(stdout).validation.results[1].result;

  it("applies GX's result_format to every expectation: a level, or its dict as JSON", async () => {
    const complete = await run("--result-format", "COMPLETE");
    expect(complete.code, complete.stderr).toBe(1);
    expect(inSet(complete.stdout)).toMatchObject({ unexpected_count: 1, unexpected_list: ["shipped"] });
    const booleanOnly = await run("--result-format", "BOOLEAN_ONLY");
    expect(inSet(booleanOnly.stdout)).toEqual({});
    const indexed = await run(
      "--result-format",
      '{"result_format": "COMPLETE", "unexpected_index_column_names": ["id"]}',
    );
    expect(inSet(indexed.stdout).unexpected_index_list).toEqual([{ id: 2, status: "shipped" }]);
  }, 60_000);

  it("refuses a format GX does not know, as a config error", async () => {
    const bad = await run("--result-format", "EVERYTHING");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--result-format");
  }, 60_000);
});
