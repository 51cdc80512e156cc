import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";
import { runWeir } from "../support/weir-process.js";

// `weir check` / `weir profile <file>` read the file through the source a pipeline would
// use, so they see the same rows, rejections and column types.
const dir = mkdtempSync(join(tmpdir(), "weir-file-target-"));
const home = join(dir, "home");
const at = (name: string) => join(dir, name);

const weir = (...args: string[]) => runWeir(args, { WEIR_HOME: home });

const SUITE = `name: abc
expectations:
  - type: expect_column_values_to_not_be_null
    kwargs: { column: c }
  - type: expect_table_row_count_to_equal
    kwargs: { value: 3 }
`;

beforeAll(() => {
  // The field report's file: line 3 has a fourth value.
  writeFileSync(at("abc.csv"), "a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n");
  writeFileSync(at("suite.yaml"), SUITE);
  const zips = ["id,zip"];
  for (let i = 0; i < 30_000; i++) zips.push(`${i},${i < 25_000 ? 10_000 + i : `00${500 + (i % 100)}`}`);
  writeFileSync(at("zips.csv"), `${zips.join("\n")}\n`);
  writeFileSync(at("orders.json"), JSON.stringify([{ id: 1, title: "a" }, { id: 2, title: 7 }, 3], null, 2));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("weir profile <file>", () => {
  it("reads a CSV as CsvSource does: three columns, the bad line rejected and shown", async () => {
    const r = await weir("profile", at("abc.csv"), "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const profile = JSON.parse(r.stdout);
    expect(profile.target).toBe(at("abc.csv"));
    expect(profile.rowCount).toBe(2);
    expect(profile.columns.map((c: { name: string; type: string }) => `${c.name}:${c.type}`)).toEqual([
      "a:bigint",
      "b:bigint",
      "c:bigint",
    ]);
    expect(profile.read).toMatchObject({
      file: at("abc.csv"),
      source: "csv",
      rowsRead: 3,
      rowsLoaded: 2,
      rejected: 1,
    });
    expect(profile.read.rejections).toEqual([
      expect.objectContaining({ location: at("abc.csv"), line: 3, expected: "3 columns" }),
    ]);
    expect(profile.read.rejections[0].reason).toContain(`${at("abc.csv")}:3`);

    const human = await weir("profile", at("abc.csv"));
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(
      `read ${at("abc.csv")} (csv): 3 rows: 2 loaded, 1 rejected (not profiled)`,
    );
    expect(human.stdout).toContain(`⇥ ${at("abc.csv")}:3`);
    expect(human.stdout).toContain("columns: a bigint, b bigint, c bigint");
  });

  it("says a zip column past the sniffer's sample is text, and why", async () => {
    const r = await weir("profile", at("zips.csv"));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /columns: id bigint, zip varchar \(text: "005\d\d" would read as 5\d\d as bigint \(5000 such values\)\)/,
    );
    expect(r.stdout).toContain("30000 rows: 30000 loaded\n");
  });

  it("reads a JSON array with JsonSource: mixed kinds are text, a non-object is rejected", async () => {
    const r = await weir("profile", at("orders.json"), "--json");
    expect(r.code).toBe(0);
    const profile = JSON.parse(r.stdout);
    expect(profile.rowCount).toBe(2);
    expect(profile.read).toMatchObject({ source: "json", rowsRead: 3, rejected: 1 });
    expect(profile.read.rejections[0]).toMatchObject({ line: 3, expected: "a JSON object" });
    expect(profile.read.columns).toEqual([
      { name: "id", type: "bigint", origin: "inferred" },
      { name: "title", type: "varchar", origin: "inferred" },
    ]);
  });
});

describe("weir check <file>", () => {
  it("checks the rows the source loaded and reports the rejected ones", async () => {
    const r = await weir("check", at("abc.csv"), "--suite", at("suite.yaml"), "--json");
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.validation.rowCount).toBe(2);
    expect(result.read).toMatchObject({ rowsRead: 3, rowsLoaded: 2, rejected: 1 });
    expect(result.checks.map((c: { success: boolean }) => c.success)).toEqual([true, false]);
  });

  it.skipIf(!postgresAvailable)(
    "with --engine postgres, checks a scratch table there and drops it",
    async () => {
      const r = await weir(
        "check",
        at("abc.csv"),
        "--suite",
        at("suite.yaml"),
        "--engine",
        POSTGRES_URL,
        "--json",
      );
      expect(r.stderr).toBe("");
      const result = JSON.parse(r.stdout);
      expect(result.validation.rowCount).toBe(2);
      expect(result.read).toMatchObject({ rowsLoaded: 2, rejected: 1 });
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        const left = await client.query(
          "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'weir_check_abc_csv_%'",
        );
        expect(left.rows).toEqual([]);
      } finally {
        await client.end();
      }
    },
  );
});
