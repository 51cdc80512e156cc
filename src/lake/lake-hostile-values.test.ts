import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchFromRows } from "../core/batch.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "./lake.js";

let engine: DuckDBEngine;
let root: string;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  root = await mkdtemp(join(tmpdir(), "weir-lake-hostile-"));
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

const HOSTILE = [
  "with space",
  "a/b",
  "../../escape",
  "k=v",
  "x=y/z=w",
  "Köln – 日本 🚀",
  "100%",
  "%2F",
  'it\'s "quoted"',
  "?#&+",
  "",
  "__HIVE_DEFAULT_PARTITION__x",
  "back\\slash",
  ".",
  // What DuckDB reads back as NULL from a folder name, and their escaped forms.
  "__HIVE_DEFAULT_PARTITION__",
  "__HIVE_DEFAULT_PARTITION__~",
  "NULL",
  "null",
  "nUlL",
  "NULL~",
  "NULL~~",
  "~",
];

describe("hostile partition values", () => {
  it("round-trip through folder names, the manifest, filters and reads", async () => {
    const lake = await Lake.open({ root, engine });
    const ds = lake.dataset("raw.hostile");
    const schema = {
      fields: [
        { name: "id", type: "integer" as const },
        { name: "tag", type: "varchar" as const },
      ],
    };
    const rows = [...HOSTILE.map((tag, id) => ({ id, tag })), { id: 99, tag: null }];
    const commit = await ds.write(
      { batches: [batchFromRows(schema, rows)] },
      { mode: "overwrite", partitionBy: ["tag"] },
    );
    expect(commit.filesAdded).toBe(rows.length);

    // Every partition is exactly one folder level inside the dataset: nothing escaped it.
    const folders = (await readdir(ds.dir)).filter((n) => n.startsWith("tag="));
    expect(folders).toHaveLength(rows.length);
    for (const folder of folders) expect(folder.slice(4)).not.toMatch(/[/\\]/);

    const values = (await ds.partitions()).map((p) => p.values.tag);
    // Sorted by JSON text, so that the NULL partition and the text "null" stay apart.
    const sorted = (list: (string | null | undefined)[]) => list.map((v) => JSON.stringify(v)).sort();
    expect(sorted(values)).toEqual(sorted([...HOSTILE, null]));

    const all = await engine.query(`SELECT id, tag FROM ${await ds.scanSql()} ORDER BY id`);
    expect(all).toEqual(rows);

    for (const [id, tag] of HOSTILE.entries()) {
      const sql = (await ds.scanSql({ tag }))!;
      const got = await engine.query(`SELECT id, tag FROM ${sql}`);
      expect(got, `filter tag=${JSON.stringify(tag)}`).toEqual([{ id, tag }]);
    }
    const nulls = await engine.query(`SELECT id, tag FROM ${await ds.scanSql({ tag: null })}`);
    expect(nulls).toEqual([{ id: 99, tag: null }]);
    const some = await engine.query(
      `SELECT id FROM ${await ds.scanSql({ tag: ["a/b", "k=v"] })} ORDER BY id`,
    );
    expect(some.map((r) => r.id)).toEqual([1, 3]);
  });
});
