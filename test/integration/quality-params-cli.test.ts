import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;

function weir(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, WEIR_HOME: join(dir, "home"), NO_COLOR: "1", FORCE_COLOR: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += String(d);
  });
  child.stderr.on("data", (d) => {
    stderr += String(d);
  });
  return new Promise((done) => child.on("exit", (code) => done({ code, stdout, stderr })));
}

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
