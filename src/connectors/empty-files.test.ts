import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectBatches } from "../core/batch.js";
import { ConnectorError } from "../core/errors.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "../lake/lake.js";
import { CsvSource } from "./csv-source.js";
import { NdjsonSource } from "./ndjson-source.js";
import { ParquetSource } from "./parquet-source.js";
import type { Rejection } from "./source.js";

const dir = mkdtempSync(join(tmpdir(), "weir-empty-"));
const at = (name: string) => join(dir, name);
let engine: DuckDBEngine;
const noReject = { reject: () => {} };

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  writeFileSync(at("zero.csv"), "");
  writeFileSync(at("blank.csv"), "\n \r\n\t\n");
  writeFileSync(at("header.csv"), "id,name\n");
  writeFileSync(at("header-blank.csv"), "id,name\n\n  \n");
  writeFileSync(at("zero.ndjson"), "");
  writeFileSync(at("blank.ndjson"), "\n\n");
  writeFileSync(at("arrays.ndjson"), "[1]\n[2]\n");
  writeFileSync(at("zero.parquet"), "");
  for (const [folder, files] of Object.entries({
    "blank-first": { "a.csv": "", "b.csv": "id,name\n1,Ada\n", "c.csv": " \n\t\n", "d.csv": "id,name\n" },
    "all-empty": { "a.csv": "", "b.csv": " \n" },
  })) {
    mkdirSync(at(folder));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(at(folder), name), text);
  }
  await engine.run(`COPY (SELECT 1::BIGINT AS id) TO '${at("ok.parquet")}' (FORMAT parquet)`);
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function extractError(source: CsvSource | NdjsonSource | ParquetSource): Promise<ConnectorError> {
  const error = await source.extract(engine, { name: "landed" }, noReject).catch((e: unknown) => e);
  await source.close();
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

async function landedColumns(): Promise<[string, string][]> {
  const schema = await engine.describe({ name: "landed" });
  return schema!.fields.map((f) => [f.name, f.type]);
}

describe("an empty CSV file", () => {
  it.each(["zero.csv", "blank.csv"])(
    "without declared columns, %s is an error naming the file",
    async (file) => {
      const error = await extractError(new CsvSource({ path: at(file) }));
      expect(error.code).toBe("CONNECTOR_READ_FAILED");
      expect(error.message).toBe(
        `${at(file)}: file is empty (no header row, no data); declare \`columns\` to read an empty file as zero rows`,
      );
      expect(error.details).toMatchObject({ location: at(file), files: [at(file)] });
      // read() and schema() say the same, never a phantom column0.
      await expect(collectBatches(new CsvSource({ path: at(file) }).read(noReject))).rejects.toThrow(
        /file is empty/,
      );
      await expect(new CsvSource({ path: at(file) }).schema()).rejects.toThrow(/file is empty/);
    },
  );

  it.each(["header.csv", "header-blank.csv"])(
    "with only a header, %s is an error naming the columns",
    async (file) => {
      const error = await extractError(new CsvSource({ path: at(file) }));
      expect(error.message).toBe(
        `${at(file)}: file has a header but no data rows, so the types of its columns cannot be inferred; declare \`columns\` (types for id, name) to read it as zero rows`,
      );
    },
  );

  it.each(["zero.csv", "blank.csv", "header.csv"])(
    "with declared columns, %s loads zero rows of them",
    async (file) => {
      const source = new CsvSource({ path: at(file), columns: { id: "integer", name: "varchar" } });
      const result = await source.extract(engine, { name: "landed" }, noReject);
      expect(result).toMatchObject({ rowsRead: 0, rowsLoaded: 0, rejections: [], rowsSkipped: 0 });
      expect(await landedColumns()).toEqual([
        ["id", "integer"],
        ["name", "varchar"],
      ]);
      expect(await collectBatches(source.read(noReject))).toEqual([]);
      expect((await source.schema()).fields.map((f) => f.name)).toEqual(["id", "name"]);
      await source.close();
    },
  );

  it("with only a header and columns declared for some of them, names the others", async () => {
    const error = await extractError(new CsvSource({ path: at("header.csv"), columns: { id: "integer" } }));
    expect(error.message).toContain("declare `columns` (types for name)");
  });

  it("in a glob, is skipped when other files hold rows (DuckDB reads a blank one as a phantom column0)", async () => {
    const source = new CsvSource({ path: join(at("blank-first"), "*.csv") });
    const result = await source.extract(engine, { name: "landed" }, noReject);
    expect(result.rowsLoaded).toBe(1);
    expect(await landedColumns()).toEqual([
      ["id", "bigint"],
      ["name", "varchar"],
    ]);
    await source.close();
  });

  it("in a glob where every file is empty, is an error naming each", async () => {
    const glob = join(at("all-empty"), "*.csv");
    const error = await extractError(new CsvSource({ path: glob }));
    expect(error.message).toBe(
      `${glob}: every file is empty (no header row, no data): ${join(at("all-empty"), "a.csv")}, ${join(at("all-empty"), "b.csv")}; declare \`columns\` to read an empty file as zero rows`,
    );
  });
});

describe("an empty NDJSON file", () => {
  it.each(["zero.ndjson", "blank.ndjson"])(
    "without declared columns, %s is an error naming the file",
    async (file) => {
      const error = await extractError(new NdjsonSource({ path: at(file) }));
      expect(error.code).toBe("CONNECTOR_READ_FAILED");
      expect(error.message).toBe(
        `${at(file)}: file is empty (no JSON object to infer the columns from); declare \`columns\` to read an empty file as zero rows`,
      );
    },
  );

  it("with no JSON object on any line and no declared columns, says so", async () => {
    const error = await extractError(new NdjsonSource({ path: at("arrays.ndjson") }));
    expect(error.message).toBe(
      `${at("arrays.ndjson")}: no line is a JSON object, so there are no columns to infer; declare \`columns\` to read the file (its lines are then rejected)`,
    );
  });

  it.each(["zero.ndjson", "blank.ndjson"])(
    "with declared columns, %s loads zero rows of them",
    async (file) => {
      const source = new NdjsonSource({ path: at(file), columns: { id: "bigint", at: "timestamp" } });
      const result = await source.extract(engine, { name: "landed" }, noReject);
      expect(result).toMatchObject({ rowsRead: 0, rowsLoaded: 0, rejections: [] });
      expect(await landedColumns()).toEqual([
        ["id", "bigint"],
        ["at", "timestamp"],
      ]);
      await source.close();
    },
  );

  it("with declared columns and no object on any line, rejects every line", async () => {
    const source = new NdjsonSource({ path: at("arrays.ndjson"), columns: { id: "bigint" } });
    const rejections: Rejection[] = [];
    const result = await source.extract(engine, { name: "landed" }, { reject: (r) => rejections.push(r) });
    expect(result).toMatchObject({ rowsRead: 2, rowsLoaded: 0 });
    expect(rejections.map((r) => [r.line, r.expected])).toEqual([
      [1, "a JSON object"],
      [2, "a JSON object"],
    ]);
    await source.close();
  });
});

describe("an empty Parquet file", () => {
  it("is an error naming the file, alone or in a glob", async () => {
    const error = await extractError(new ParquetSource({ path: at("zero.parquet") }));
    expect(error.code).toBe("CONNECTOR_READ_FAILED");
    expect(error.message).toBe(
      `${at("zero.parquet")}: file is empty (0 bytes), not a Parquet file (one has at least a header and a footer)`,
    );
    const glob = await extractError(new ParquetSource({ path: at("*.parquet") }));
    expect(glob.message).toContain(`${at("*.parquet")}: file is empty (0 bytes): ${at("zero.parquet")}`);
  });
});

describe("an empty CSV and a lake overwrite", () => {
  it("leaves the lake dataset's schema and rows alone, or overwrites it with the declared schema", async () => {
    const lake = await Lake.open({ root: at("lake"), engine });
    const dataset = lake.dataset("raw.customers");
    await dataset.write(
      { engine, sql: "SELECT 1::INTEGER AS id, 'Ada' AS name UNION ALL SELECT 2, 'Grace'" },
      { mode: "overwrite" },
    );
    const columns = async () => (await dataset.manifest())!.schema.map((c) => c.name);
    const load = async (source: CsvSource) => {
      await source.extract(engine, { name: "staged" }, noReject);
      await dataset.write({ engine, sql: "SELECT * FROM staged" }, { mode: "overwrite" });
    };

    // Before: zero rows of a phantom `column0` replaced the dataset.
    await expect(load(new CsvSource({ path: at("zero.csv") }))).rejects.toThrow(/file is empty/);
    expect(await columns()).toEqual(["id", "name"]);
    const rows = await engine.query(`SELECT count(*)::INT AS n FROM ${await dataset.scanSql()}`);
    expect(rows).toEqual([{ n: 2 }]);

    await load(new CsvSource({ path: at("zero.csv"), columns: { id: "integer", name: "varchar" } }));
    expect(await columns()).toEqual(["id", "name"]);
    expect((await dataset.manifest())!.schema.map((c) => c.type)).toEqual(["INTEGER", "VARCHAR"]);
  });
});
