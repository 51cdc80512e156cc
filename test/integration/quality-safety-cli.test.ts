import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { hostileCondition, serverFile } from "../support/hostile-sql.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

const ROOT = resolve(import.meta.dirname, "../..");
const PG_SCHEMA = `weir_safety_cli_${randomBytes(4).toString("hex")}`;
let dir: string;
let home: string;
const files: string[] = [];

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

function suite(name: string, expectation: string): string {
  const file = join(dir, `${name}.suite.yaml`);
  writeFileSync(file, `name: ${name}\nexpectations:\n${expectation}`);
  return file;
}

function newFile(): string {
  const file = serverFile();
  files.push(file);
  return file;
}

async function duckdbRows(): Promise<unknown[]> {
  const engine = await DuckDBEngine.create({ path: join(home, "warehouse.duckdb") });
  try {
    return await engine.query("SELECT id FROM t ORDER BY id");
  } finally {
    await engine.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-quality-safety-cli-"));
  home = join(dir, "home");
  const engine = await DuckDBEngine.create({ path: join(home, "warehouse.duckdb") });
  await engine.run("CREATE TABLE t AS SELECT * FROM (VALUES (1, 30), (2, 40)) v(id, age)");
  await engine.close();
  if (postgresAvailable) {
    const pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 1 });
    await pg.run(`CREATE SCHEMA ${PG_SCHEMA}`);
    await pg.run(`CREATE TABLE ${PG_SCHEMA}.t AS SELECT * FROM (VALUES (1, 30), (2, 40)) v(id, age)`);
    await pg.close();
  }
}, 60_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const file of files) rmSync(file, { force: true });
  if (postgresAvailable) {
    const pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 1 });
    await pg.run(`DROP SCHEMA IF EXISTS ${PG_SCHEMA} CASCADE`);
    await pg.close();
  }
});

describe("weir check with hostile suites", () => {
  it("refuses the issue's row_condition and SQL checks that are not one query: exit 2 at the suite's line, nothing dropped or written", async () => {
    const condition = (table: string) =>
      `  - type: expect_table_row_count_to_be_between\n    kwargs:\n      min_value: 1\n      row_condition: ${JSON.stringify(hostileCondition(newFile(), table))}\n`;
    const sqlCheck = (sql: string) =>
      `  - type: expect_column_values_to_not_be_null\n    kwargs: { column: id }\n  - type: expect_sql_to_return_no_rows\n    kwargs:\n      sql: ${JSON.stringify(sql)}\n`;
    const pgEngine = postgresAvailable ? ["--engine", POSTGRES_URL] : [];
    // The suites are refused before any engine is opened, so the commands can run side by side.
    const [duck, pg, twoStatements, deleting] = await Promise.all([
      weir("check", "t", "--suite", suite("hostile", condition("t"))),
      weir(
        "check",
        `${PG_SCHEMA}.t`,
        "--suite",
        suite("hostile_pg", condition(`${PG_SCHEMA}.t`)),
        ...pgEngine,
      ),
      weir("check", "t", "--suite", suite("two", sqlCheck("SELECT 1; DROP TABLE t"))),
      weir("check", "t", "--suite", suite("deleting", sqlCheck("DELETE FROM t RETURNING *"))),
    ]);
    for (const [r, name] of [
      [duck, "hostile"],
      [pg, "hostile_pg"],
    ] as const) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `error \\[CONFIG_INVALID\\]: \\S*${name}\\.suite\\.yaml:6:22: expectations\\[0\\] \\(expect_table_row_count_to_be_between\\): invalid arguments:\\n\\s+row_condition: expected one SQL boolean expression`,
        ),
      );
    }
    expect(twoStatements.code, twoStatements.stderr).toBe(2);
    expect(twoStatements.stderr).toMatch(
      /two\.suite\.yaml:7:12: expectations\[1\] \(expect_sql_to_return_no_rows\): invalid arguments:\n\s+sql: expected one SQL query .*";" at character 9/,
    );
    expect(deleting.code, deleting.stderr).toBe(2);
    expect(deleting.stderr).toMatch(/deleting\.suite\.yaml:7:12: .*it begins with DELETE, not a query/s);
    expect(await duckdbRows()).toEqual([{ id: 1 }, { id: 2 }]);
    if (postgresAvailable) {
      const engine = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 1 });
      expect(await engine.query(`SELECT count(*) AS n FROM ${PG_SCHEMA}.t`)).toEqual([{ n: 2 }]);
      await engine.close();
    }
    for (const file of files) expect(existsSync(file), file).toBe(false);
  }, 60_000);

  it("reports a kwarg of the wrong type at its line, and refuses a YAML alias bomb as a config error", async () => {
    const ten = suite(
      "ten",
      "  - type: expect_column_values_to_be_between\n    kwargs: { column: age, min_value: ten, max_value: 120 }\n",
    );
    const r = await weir("check", "t", "--suite", ten);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /error \[CONFIG_INVALID\]: \S*ten\.suite\.yaml:4:39: expectations\[0\] \(expect_column_values_to_be_between\): invalid arguments:\n\s+min_value: expected a number \(column "age" is integer\), got "ten"/,
    );
    const anchors = `a: &a [${Array(9).fill('"lol"').join(",")}]`;
    const levels = "bcdefghi"
      .split("")
      .map((x, i) => `${x}: &${x} [${Array(9).fill(`*${"abcdefgh"[i]}`).join(",")}]`);
    const bomb = suite(
      "bomb",
      `  - type: expect_table_row_count_to_equal\n    kwargs: { value: 2 }\n    meta:\n      ${[anchors, ...levels].join("\n      ")}\n`,
    );
    const exploded = await weir("check", "t", "--suite", bomb);
    expect(exploded.code, exploded.stderr).toBe(2);
    expect(exploded.stderr).toMatch(/error \[CONFIG_INVALID\]: \S*bomb\.suite\.yaml:7:14: the YAML aliases/);
    expect(exploded.stderr).not.toContain("INTERNAL");
  }, 60_000);
});
