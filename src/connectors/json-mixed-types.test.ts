import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { JsonSource } from "./json-source.js";
import { NdjsonSource } from "./ndjson-source.js";
import type { Source } from "./source.js";

// Rejections are asserted from ExtractResult.rejections; the callback is only required by older contracts.
const noReject = { reject: () => {} };

// Inferred JSON types never change or lose a value: a field whose values mix kinds is text
// (each value as its JSON text), integers with fractions are double; a string that is not
// a date in a field inferred as one is rejected; declared columns reject what does not fit.
const dir = mkdtempSync(join(tmpdir(), "weir-json-mixed-"));
let engine: DuckDBEngine;
const LATE = 25_000; // past read_json's 20,480-record sample

function write(name: string, records: unknown[]): { ndjson: string; array: string } {
  const ndjson = join(dir, `${name}.ndjson`);
  const array = join(dir, `${name}.json`);
  writeFileSync(ndjson, `${records.map((r) => JSON.stringify(r)).join("\n")}\n`);
  writeFileSync(array, `[\n${records.map((r) => JSON.stringify(r)).join(",\n")}\n]\n`);
  return { ndjson, array };
}

const titles = Array.from({ length: 1000 }, (_, i) => ({ id: i, title: i % 20 === 7 ? 1900 + i : `t${i}` }));
const late = Array.from({ length: LATE + 4 }, (_, i) => {
  const tail = i >= LATE;
  return {
    id: i,
    score: tail && i === LATE ? 1.5 : i,
    code: tail && i === LATE + 1 ? "00501" : 10_000 + i,
    flag: tail && i === LATE + 2 ? "yes" : i % 2 === 0,
    at: tail && i === LATE + 3 ? "yesterday" : "2024-03-01 10:00:00",
  };
});
let files: Record<"titles" | "late", { ndjson: string; array: string }>;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  files = { titles: write("titles", titles), late: write("late", late) };
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

const sources: [string, (path: "titles" | "late", columns?: Record<string, "bigint">) => Source][] = [
  [
    "NdjsonSource",
    (p, columns) => new NdjsonSource({ path: files[p].ndjson, ...(columns ? { columns } : {}) }),
  ],
  [
    "JsonSource (array)",
    (p, columns) => new JsonSource({ path: files[p].array, ...(columns ? { columns } : {}) }),
  ],
];

describe.each(sources)("%s: mixed-type fields", (_name, open) => {
  it("reads a field that is a string in 95% of records and a number in 5% as text", async () => {
    const source = open("titles");
    const result = await source.extract(engine, { name: "titles" }, noReject);
    expect(result).toMatchObject({ rowsRead: 1000, rowsLoaded: 1000, rejections: [] });
    expect(await engine.query("SELECT id FROM titles WHERE title = 't3'")).toEqual([{ id: 3 }]);
    expect(await engine.query("SELECT id FROM titles WHERE title = '1907'")).toEqual([{ id: 7 }]);
    const numbers = await engine.query("SELECT count(*)::INT AS n FROM titles WHERE title NOT LIKE 't%'");
    expect(numbers).toEqual([{ n: 50 }]);
    expect(result.inferredSchema?.fields.find((f) => f.name === "title")?.type).toBe("varchar");
    await source.close?.();
  });

  it("widens fields whose other kinds come after the sample, and rejects a non-date in a date field", async () => {
    const source = open("late");
    const result = await source.extract(engine, { name: "late" }, noReject);
    // in = loaded + rejected: only the "yesterday" record is rejected.
    expect(result.rowsRead).toBe(LATE + 4);
    expect(result.rowsLoaded).toBe(LATE + 3);
    expect(result.rejections).toHaveLength(1);
    expect(result.rejections[0]).toMatchObject({
      line: LATE + 4,
      column: "at",
      expected: "timestamp",
      value: "yesterday",
    });
    expect(result.rejections[0]!.reason).toContain('field "at": "yesterday" is not of type timestamp');
    const types = Object.fromEntries(result.inferredSchema!.fields.map((f) => [f.name, [f.type, f.note]]));
    expect(types).toEqual({
      id: ["bigint", undefined],
      score: ["double", "double: 1.5 is not a bigint"],
      code: ["varchar", 'text: "00501" (a string) is not a bigint'],
      flag: ["varchar", 'text: "yes" (a string) is not a boolean'],
      at: ["timestamp", undefined],
    });
    const rows = await engine.query(
      `SELECT id, score, code, flag FROM late WHERE id IN (0, 1, ${LATE}, ${LATE + 1}, ${LATE + 2}) ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 0, score: 0, code: "10000", flag: "true" },
      { id: 1, score: 1, code: "10001", flag: "false" },
      { id: LATE, score: 1.5, code: String(10_000 + LATE), flag: "true" },
      { id: LATE + 1, score: LATE + 1, code: "00501", flag: "false" },
      { id: LATE + 2, score: LATE + 2, code: String(10_002 + LATE), flag: "yes" },
    ]);
    // The source remembers what it widened.
    expect((await source.schema()).fields.find((f) => f.name === "code")?.type).toBe("varchar");
    await source.close?.();
  });

  it("rejects values that do not fit a declared column, naming field, expected and found", async () => {
    const source = open("titles", { title: "bigint" });
    const result = await source.extract(engine, { name: "declared" }, noReject);
    expect(result.rowsLoaded).toBe(50);
    expect(result.rejections).toHaveLength(950);
    expect(result.rowsRead).toBe(1000);
    expect(result.rejections[0]).toMatchObject({ column: "title", expected: "bigint", value: "t0" });
    expect(result.rejections[0]!.reason).toContain('field "title": "t0" is not of type bigint');
    await source.close?.();
  });
});
