import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../../src/lake/lake.js";

const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;
let home: string;

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function weir(...args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, WEIR_HOME: home, NO_COLOR: "1", FORCE_COLOR: "0" },
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

const SUITE = `name: people
expectations:
  - name: id_present
    type: expect_column_values_to_not_be_null
    kwargs: { column: id }
  - type: expect_column_values_to_be_between
    kwargs: { column: age, min_value: 0, max_value: 120 }
  - type: expect_table_row_count_to_be_between
    kwargs: { min_value: 100 }
    severity: warn
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-quality-cli-"));
  home = join(dir, "home");
  writeFileSync(join(dir, "suite.yaml"), SUITE);
  writeFileSync(join(dir, "good.csv"), "id,age,note\n1,30,ok\n2,41,fine\n3,52,<script>alert(1)</script>\n");
  writeFileSync(join(dir, "bad.csv"), "id,age,note\n1,30,ok\n,41,no id\n3,500,<script>alert(1)</script>\n");
  // A warehouse table and a lake dataset in the home the CLI opens.
  const engine = await DuckDBEngine.create({ path: join(home, "warehouse.duckdb") });
  await engine.run("CREATE TABLE people AS SELECT * FROM (VALUES (1, 30), (2, 40)) t(id, age)");
  const lake = await Lake.open({ root: join(home, "lake"), engine });
  await lake.dataset("lake.raw.people").write({ engine, sql: "SELECT * FROM people" }, { mode: "overwrite" });
  await engine.close();
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("weir check", () => {
  it("exits 1 on a failed error-severity check and prints the result as JSON", async () => {
    const r = await weir("check", join(dir, "bad.csv"), "--suite", join(dir, "suite.yaml"), "--json");
    expect(r.code, r.stderr).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ success: false, suite: "people", dataset: "bad.csv" });
    expect(result.checks.map((c: { name: string; success: boolean }) => [c.name, c.success])).toEqual([
      ["id_present", false],
      ["expect_column_values_to_be_between(age)", false],
      ["expect_table_row_count_to_be_between", false],
    ]);
    expect(result.score).toMatchObject({ checks: 0, rows: 1 / 3, validRows: 1, rowCount: 3 });
  }, 30_000);

  it("exits 0 when only warnings fail, lists checks for people and writes an escaped HTML report", async () => {
    const report = join(dir, "report.html");
    const r = await weir(
      "check",
      join(dir, "good.csv"),
      "--suite",
      join(dir, "suite.yaml"),
      "--html",
      report,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ id_present\s+0 of 3 unexpected/);
    expect(r.stdout).toMatch(/! expect_table_row_count_to_be_between\s+\[warn\] observed 3/);
    expect(r.stdout).toMatch(/score: checks 66\.7 % \(2 of 3 passed\) · rows 100 % \(3 of 3 valid\)/);
    expect(r.stdout).toContain("passed (1 warning)");
    const html = readFileSync(report, "utf8");
    expect(html).toContain("id_present");
    expect(html).not.toMatch(/<script/i);
  }, 30_000);

  it("checks a warehouse table and a lake dataset, and keeps the history", async () => {
    const table = await weir("check", "people", "--suite", join(dir, "suite.yaml"));
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain("on people (2 rows");
    const lake = await weir("check", "lake.raw.people", "--suite", join(dir, "suite.yaml"), "--json");
    expect(lake.code, lake.stderr).toBe(0);
    expect(JSON.parse(lake.stdout)).toMatchObject({ dataset: "lake.raw.people", success: true });

    const history = await weir("check", "--history", "people", "--json");
    expect(history.code, history.stderr).toBe(0);
    const records = JSON.parse(history.stdout);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ dataset: "people", suite: "people", success: true, rowCount: 2 });
    const csv = await weir("check", "--history", "bad.csv", "--csv");
    expect(csv.stdout.split("\n")[0]).toBe(
      "checked_at,dataset,suite,run_id,check_id,check_success,score_checks,score_rows,row_count,name,type,severity,success,element_count,unexpected_count,unexpected_percent,observed_value",
    );
    expect(csv.stdout).toMatch(
      /,bad\.csv,people,,chk_\w+,false,0,0\.333\d*,3,id_present,expect_column_values_to_not_be_null,error,false,3,1,/,
    );
  }, 60_000);

  it("names the file, line and column of a bad suite and exits 2", async () => {
    writeFileSync(join(dir, "typo.yaml"), SUITE.replace("to_be_between", "to_be_betwen"));
    const r = await weir("check", join(dir, "good.csv"), "--suite", join(dir, "typo.yaml"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/typo\.yaml:6:\d+: .*expect_column_values_to_be_betwen/);
    expect(r.stderr).toContain("expect_column_values_to_be_between");
    const missing = await weir("check", "no_such_table", "--suite", join(dir, "suite.yaml"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no table no_such_table/);
  }, 30_000);
});

describe("weir profile", () => {
  it("prints per-column statistics and writes a suggested suite that passes", async () => {
    const suggested = join(dir, "suggested.yaml");
    const r = await weir("profile", join(dir, "good.csv"), "--json", "--suggest", suggested);
    expect(r.code, r.stderr).toBe(0);
    const profile = JSON.parse(r.stdout);
    expect(profile.rowCount).toBe(3);
    expect(profile.columns.find((c: { name: string }) => c.name === "age")).toMatchObject({
      nullCount: 0,
      distinctCount: 3,
      min: 30,
      max: 52,
    });
    expect(existsSync(suggested)).toBe(true);
    expect(readFileSync(suggested, "utf8")).toMatch(/^# Suggested by weir profile/);
    const check = await weir("check", join(dir, "good.csv"), "--suite", suggested);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).not.toMatch(/✗|!/);
  }, 30_000);
});
