import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectBatches } from "../core/batch.js";
import { WeirError } from "../core/errors.js";
import type { LogEvent } from "../core/log.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { CsvSource } from "./csv-source.js";

// Rejections are asserted from ExtractResult.rejections; the callback is only required by older contracts.
const noReject = { reject: () => {} };

// DuckDB's sniffer types columns from the first 20,480 rows; these files put the values
// that must not be read as numbers past that sample.
const dir = mkdtempSync(join(tmpdir(), "weir-csv-types-"));
let engine: DuckDBEngine;
const LATE = 25_000;

function writeCsv(name: string, header: string, rows: number, line: (i: number) => string): string {
  const lines = [header];
  for (let i = 0; i < rows; i++) lines.push(line(i));
  const file = join(dir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** The file's values of one column, as text, in file order. */
function columnText(file: string, index: number): string[] {
  return readFileSync(file, "utf8")
    .trimEnd()
    .split("\n")
    .slice(1)
    .map((l) => l.split(",")[index]!);
}

beforeAll(async () => {
  engine = await DuckDBEngine.create();
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("CsvSource: inferred types never change values", () => {
  it("keeps a zip column text when zero-prefixed values come only after row 25,000", async () => {
    // Rows 0..24999 hold 5-digit zips without a leading zero; later ones start with 0.
    const file = writeCsv("zips.csv", "id,zip,amount", 30_000, (i) =>
      [
        i,
        i < LATE ? String(10_000 + (i % 89_999)) : `00${String(500 + (i % 500)).padStart(3, "0")}`,
        `${i}.5`,
      ].join(","),
    );
    const logs: LogEvent[] = [];
    const source = new CsvSource({ path: file });
    const result = await source.extract(
      engine,
      { name: "zips" },
      { ...noReject, logger: { log: (e) => logs.push(e) } },
    );
    expect(result).toMatchObject({ rowsRead: 30_000, rowsLoaded: 30_000, rejections: [] });
    expect((await engine.describe({ name: "zips" }))?.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      "id:bigint",
      "zip:varchar",
      "amount:double",
    ]);
    const rows = await engine.query<{ zip: string }>("SELECT zip FROM zips ORDER BY id");
    expect(rows.map((r) => r.zip)).toEqual(columnText(file, 1));
    expect(rows[LATE]!.zip).toBe("00500");
    // Says what was inferred, and why zip is text.
    const zip = result.inferredSchema?.fields.find((f) => f.name === "zip");
    expect(zip).toMatchObject({ type: "varchar", origin: "inferred" });
    expect(zip?.note).toMatch(/^text: "00\d{3}" would read as \d+ as bigint \(5000 such values\)$/);
    expect(result.inferredSchema?.fields.find((f) => f.name === "id")).toEqual({
      name: "id",
      type: "bigint",
      origin: "inferred",
    });
    expect(logs.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/zips\.csv: columns id bigint, zip varchar \(text: /),
    );
    // The plan remembers: schema() and read() agree with what landed.
    expect((await source.schema()).fields.find((f) => f.name === "zip")?.type).toBe("varchar");
    const batchRows = await collectBatches(source.read(noReject));
    expect(batchRows[LATE]?.zip).toBe("00500");
    await source.close();
  });

  it("reads text for a '+' sign, surrounding spaces, separators and digits beyond BIGINT", async () => {
    const late: Record<string, string> = {
      plus: "+5",
      spaced: " 7",
      grouped: '"1,234"',
      huge: "99999999999999999999",
      precise: "0.12345678901234567",
    };
    const names = Object.keys(late);
    const file = writeCsv("odd.csv", ["id", ...names].join(","), LATE + 10, (i) =>
      [i, ...names.map((n) => (i === LATE + 5 ? late[n] : n === "precise" ? `${i}.25` : String(i + 1)))].join(
        ",",
      ),
    );
    const source = new CsvSource({ path: file });
    const result = await source.extract(engine, { name: "odd" }, noReject);
    expect(result.rejections).toEqual([]);
    const types = Object.fromEntries(result.inferredSchema!.fields.map((f) => [f.name, f.type]));
    expect(types).toEqual({
      id: "bigint",
      plus: "varchar",
      spaced: "varchar",
      grouped: "varchar",
      huge: "varchar",
      precise: "varchar",
    });
    const [row] = await engine.query<Record<string, string>>(
      `SELECT * EXCLUDE (id) FROM odd WHERE id = ${LATE + 5}`,
    );
    expect(row).toEqual({ ...late, grouped: "1,234" });
    const [first] = await engine.query<Record<string, string>>("SELECT plus, precise FROM odd WHERE id = 0");
    expect(first).toEqual({ plus: "1", precise: "0.25" });
    await source.close();
  });

  it("reads a later non-number as text in an undeclared column, and rejects it in a declared one", async () => {
    const file = writeCsv(
      "ages.csv",
      "id,age",
      LATE + 3,
      (i) => `${i},${i === LATE + 1 ? "N/A" : 20 + (i % 50)}`,
    );
    const inferred = new CsvSource({ path: file });
    const loose = await inferred.extract(engine, { name: "ages_inferred" }, noReject);
    expect(loose).toMatchObject({ rowsLoaded: LATE + 3, rejections: [] });
    expect(loose.inferredSchema?.fields[1]).toMatchObject({ name: "age", type: "varchar" });
    expect(loose.inferredSchema?.fields[1]?.note).toBe('text: "N/A" is not a bigint');
    await inferred.close();

    const declared = new CsvSource({ path: file, columns: { age: "bigint" } });
    const strict = await declared.extract(engine, { name: "ages_declared" }, noReject);
    expect(strict.rowsLoaded).toBe(LATE + 2);
    expect(strict.rejections).toHaveLength(1);
    expect(strict.rejections[0]).toMatchObject({
      line: LATE + 3,
      column: "age",
      expected: "bigint",
      value: "N/A",
    });
    expect(strict.inferredSchema?.fields[1]).toEqual({ name: "age", type: "bigint", origin: "declared" });
    await declared.close();
  });

  it("keeps number types when every value reads back unchanged", async () => {
    const file = writeCsv(
      "clean.csv",
      "id,score,delta",
      LATE + 100,
      (i) => `${i},${(i % 1000) / 8},${i % 2 ? -i : 0}`,
    );
    const source = new CsvSource({ path: file });
    const result = await source.extract(engine, { name: "clean" }, noReject);
    expect(result.inferredSchema?.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      "id:bigint",
      "score:double",
      "delta:bigint",
    ]);
    expect(result.inferredSchema?.fields.every((f) => f.note === undefined)).toBe(true);
    expect(await engine.query("SELECT sum(delta)::BIGINT AS s FROM clean")).toEqual([
      { s: -(((LATE + 100) / 2) ** 2) },
    ]);
    await source.close();
  });

  it("refuses to read an incremental cursor column as text, naming the value", async () => {
    const file = writeCsv(
      "cursor.csv",
      "seq,name",
      LATE + 2,
      (i) => `${i === LATE + 1 ? "0042" : i + 100},n${i}`,
    );
    const source = new CsvSource({ path: file, incremental: { cursorColumn: "seq" } });
    const error = await source.extract(engine, { name: "cursor" }, noReject).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeirError);
    expect((error as WeirError).code).toBe("SCHEMA_MISMATCH");
    expect((error as Error).message).toContain(
      'incremental cursor column "seq" was sniffed as a number, but "0042" would read as 42 as bigint',
    );
    await source.close();
  });
});
