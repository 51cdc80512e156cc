import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectBatches } from "../core/batch.js";
import { ConfigError, ConnectorError } from "../core/errors.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { createSource } from "./create-source.js";
import { jsonFormatOf } from "./json-format.js";
import { JsonSource } from "./json-source.js";
import { NdjsonSource } from "./ndjson-source.js";

// Rejections are asserted from ExtractResult.rejections; the callback is only required by older contracts.
const noReject = { reject: () => {} };

const dir = mkdtempSync(join(tmpdir(), "weir-json-"));
const at = (name: string) => join(dir, name);
let engine: DuckDBEngine;
const orders = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => ({
    id: from + k,
    customer: `c${(from + k) % 7}`,
    amount: (from + k) * 2.5,
    placed_at: `2024-03-0${1 + ((from + k) % 2)}T10:00:00`,
    items: [{ sku: `s${from + k}` }],
  }));

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  // Pretty-printed, as exports usually are: one element spans several lines.
  writeFileSync(at("orders.json"), JSON.stringify(orders(1, 20), null, 2));
  mkdirSync(at("parts"));
  writeFileSync(
    join(at("parts"), "a.json"),
    `\uFEFF  ${JSON.stringify([...orders(1, 3), 42, null, ...orders(4, 5)])}`,
  );
  writeFileSync(join(at("parts"), "b.json"), JSON.stringify([...orders(6, 7), "x", ...orders(8, 8)]));
  writeFileSync(
    at("orders.ndjson"),
    `${orders(1, 5)
      .map((o) => JSON.stringify(o))
      .join("\n")}\nnot json\n`,
  );
  writeFileSync(at("broken.json"), '[{"id": 1},\n{"id": 2},\n{"id" 3},\n{"id": 4}]');
  mkdirSync(at("mixed"));
  writeFileSync(join(at("mixed"), "a.json"), JSON.stringify(orders(1, 2)));
  writeFileSync(join(at("mixed"), "b.json"), JSON.stringify(orders(3, 3)[0]));
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("JsonSource", () => {
  it("reads a top-level array of objects with inferred types, nested values as json", async () => {
    const source = createSource({ type: "json", path: at("orders.json") });
    expect(source).toBeInstanceOf(JsonSource);
    const result = await source.extract(engine, { name: "orders" }, noReject);
    expect(result).toMatchObject({ rowsRead: 20, rowsLoaded: 20, rejections: [] });
    expect(result.inferredSchema?.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      "id:bigint",
      "customer:varchar",
      "amount:double",
      "placed_at:timestamp",
      "items:json",
    ]);
    expect(
      await engine.query("SELECT id, customer, amount, items::VARCHAR AS items FROM orders WHERE id = 20"),
    ).toEqual([{ id: 20, customer: "c6", amount: 50, items: '[{"sku":"s20"}]' }]);
    await source.close?.();
  });

  it("rejects elements that are not objects with the file and record number, per file", async () => {
    const source = new JsonSource({ path: join(at("parts"), "*.json") });
    const rejected: unknown[] = [];
    const result = await source.extract(engine, { name: "parts" }, { reject: (r) => rejected.push(r) });
    expect(result.rowsLoaded).toBe(8);
    expect(result.rowsRead).toBe(11);
    expect(rejected).toEqual(result.rejections);
    expect(result.rejections.map((r) => [r.location, r.line, r.expected, r.value])).toEqual([
      [join(at("parts"), "a.json"), 4, "a JSON object", "42"],
      [join(at("parts"), "a.json"), 5, "a JSON object", "null"],
      [join(at("parts"), "b.json"), 3, "a JSON object", '"x"'],
    ]);
    expect(result.rejections[0]!.reason).toBe(
      `${join(at("parts"), "a.json")}, record 4: not a valid JSON object`,
    );
    expect((await engine.query("SELECT id FROM parts ORDER BY id")).map((r) => r.id)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    await source.close();
  });

  it("reads newline-delimited files as NdjsonSource does, line numbers and all", async () => {
    const source = new JsonSource({ path: at("orders.ndjson") });
    const result = await source.extract(engine, { name: "nd" }, noReject);
    expect(result).toMatchObject({ rowsRead: 6, rowsLoaded: 5 });
    expect(result.rejections.map((r) => [r.line, r.expected])).toEqual([[6, "a JSON object"]]);
    const rows = await collectBatches(source.read(noReject));
    expect(rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    await source.close();
  });

  it("fails a malformed array naming the file, byte and record, loading none of it", async () => {
    const source = new JsonSource({ path: at("broken.json"), columns: { id: "bigint" } });
    const error = await source.extract(engine, { name: "broken" }, noReject).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${at("broken.json")}: not valid JSON in record 3, at its byte \\d+ \\(.+\\); a JSON array cannot be read past a syntax error, so none of its records were loaded$`,
      ),
    );
    expect(await engine.describe({ name: "broken" })).toBeUndefined();
    await source.close();
  });

  it("refuses a glob that mixes arrays and NDJSON, naming both", async () => {
    const source = new JsonSource({ path: join(at("mixed"), "*.json") });
    const error = await source.extract(engine, { name: "mixed" }, noReject).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(
      `the files mix JSON arrays (${join(at("mixed"), "a.json")}) and newline-delimited JSON (${join(at("mixed"), "b.json")})`,
    );
    await source.close();
  });
});

describe("NdjsonSource given a JSON array", () => {
  it.each([
    ["pretty.json", JSON.stringify(orders(1, 3), null, 2)],
    ["one-line.json", JSON.stringify(orders(1, 3))],
    [
      "element-per-line.json",
      `[${orders(1, 3)
        .map((o) => JSON.stringify(o))
        .join(",\n")}]\n`,
    ],
    // The field report's layout: the last element alone is a valid NDJSON line, so one row "loaded".
    [
      "bracket-lines.json",
      `[\n${orders(1, 3)
        .map((o) => JSON.stringify(o))
        .join(",\n")}\n]\n`,
    ],
  ])("refuses %s, pointing at JsonSource", async (name, text) => {
    writeFileSync(at(name), text);
    const source = new NdjsonSource({ path: at(name) });
    const error = await source.extract(engine, { name: "arr" }, noReject).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toBe(
      `${at(name)} is a JSON array, not newline-delimited JSON; use JsonSource (type: json)`,
    );
    await source.close();
  });

  it("tells arrays from NDJSON whose records are arrays", async () => {
    const cases: [string, string, string | undefined][] = [
      ["a1", "[1]\n[2]\n", "newline_delimited"],
      ["a2", "  [\n 1,\n 2\n]", "array"],
      ["a3", '[{"a":1}]\n\n', "array"],
      ["a4", '{"a":1}\n', "newline_delimited"],
      ["a5", " \n\t", undefined],
    ];
    for (const [name, text, format] of cases) {
      writeFileSync(at(name), text);
      expect([name, await jsonFormatOf(at(name))]).toEqual([name, format]);
    }
  });
});
