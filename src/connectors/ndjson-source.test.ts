import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectBatches } from "../core/batch.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { NdjsonSource } from "./ndjson-source.js";
import type { Rejection } from "./source.js";

const dir = mkdtempSync(join(tmpdir(), "weir-ndjson-"));
let engine: DuckDBEngine;
const day = (d: string) => ({
  start: new Date(`${d}T00:00:00Z`),
  end: new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000),
});

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  mkdirSync(join(dir, "events"));
  const events = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, k) => {
      const i = from + k;
      return JSON.stringify({
        id: i,
        kind: i % 2 ? "click" : "view",
        at: `2024-03-0${1 + (i % 2)}T10:00:0${i % 10}Z`,
        tags: [i],
      });
    }).join("\n");
  writeFileSync(join(dir, "events", "1.ndjson"), `${events(1, 10)}\n`);
  // A broken line and a blank line in the second file, so line numbers must be per file.
  writeFileSync(
    join(dir, "events", "2.ndjson"),
    `${events(11, 12)}\n{"id": 13, "kind": \n\n${events(14, 15)}\n`,
  );
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("NdjsonSource", () => {
  it("infers the schema with nested values as json, overrides on top", async () => {
    const source = new NdjsonSource({ path: join(dir, "events", "*.ndjson"), columns: { id: "integer" } });
    expect((await source.schema()).fields).toEqual([
      { name: "id", type: "integer" },
      { name: "kind", type: "varchar" },
      { name: "at", type: "timestamp" },
      { name: "tags", type: "json" },
    ]);
    await source.close();
  });

  it("loads good lines and rejects a broken one with its file and line", async () => {
    const source = new NdjsonSource({ path: join(dir, "events", "*.ndjson") });
    const rejections: Rejection[] = [];
    const result = await source.extract(engine, { name: "events" }, { reject: (r) => rejections.push(r) });
    expect(result.rowsLoaded).toBe(14);
    expect(result.rowsRead).toBe(15);
    expect(rejections).toEqual(result.rejections);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({
      location: join(dir, "events", "2.ndjson"),
      line: 3,
      expected: "a JSON object",
    });
    expect(await engine.query(`SELECT tags::VARCHAR AS t FROM events WHERE id = 15`)).toEqual([
      { t: "[15]" },
    ]);
    await source.close();
  });

  it("filters by interval with exact accounting and a high-water mark", async () => {
    const source = new NdjsonSource({
      path: join(dir, "events", "*.ndjson"),
      incremental: { cursorColumn: "at" },
    });
    const odd = await source.extract(
      engine,
      { name: "odd" },
      { reject: () => {}, interval: day("2024-03-02") },
    );
    const even = await source.extract(
      engine,
      { name: "even" },
      { reject: () => {}, interval: day("2024-03-01") },
    );
    expect(odd.rowsLoaded).toBe(7);
    expect(even.rowsLoaded).toBe(7);
    expect(odd.rowsSkipped).toBe(7);
    expect(odd.rowsLoaded + odd.rejections.length + (odd.rowsSkipped ?? 0)).toBe(15);
    expect(odd.cursor).toBe("2024-03-02 10:00:09");
    const rows = await collectBatches(source.read({ reject: () => {}, interval: day("2024-03-02") }));
    expect(rows.map((r) => r.id).sort((a, b) => Number(a) - Number(b))).toEqual([1, 3, 5, 7, 9, 11, 15]);
    await source.close();
  });
});
