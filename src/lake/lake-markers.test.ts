import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { batchFromRows } from "../core/batch.js";
import type { Schema } from "../core/types.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "./lake.js";
import type { CommitStep } from "./lake-commit.js";
import type { LakeDataset } from "./lake-dataset.js";
import { listParquetFiles } from "./lake-files.js";
import { MANIFEST_FILE } from "./manifest.js";

/**
 * Epoch markers make a lake write idempotent per key: a stream sink commits epoch N of a
 * partition with marker `stream:<job>:<partition>` = N, and committing N again (a replay
 * after a crash) writes nothing.
 */
let engine: DuckDBEngine;
const roots: string[] = [];
let root: string;
/** The step at which the next commit fails (once), as an in-process crash. */
let failAt: CommitStep | undefined;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
});
afterAll(async () => {
  await engine.close();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "weir-lake-markers-"));
  roots.push(root);
  failAt = undefined;
});

async function openDataset(): Promise<LakeDataset> {
  const lake = await Lake.open({
    root,
    engine,
    onCommitStep: (step) => {
      if (step === failAt) {
        failAt = undefined;
        throw new Error(`crash at ${step}`);
      }
    },
  });
  return lake.dataset("raw.user_events");
}

const SCHEMA: Schema = {
  fields: [
    { name: "user_id", type: "varchar" },
    { name: "position", type: "bigint" },
    { name: "date", type: "varchar" },
  ],
};

function epochInput(epoch: number) {
  const rows = [1, 2, 3].map((i) => ({ user_id: `u${i}`, position: epoch * 10 + i, date: "2024-03-01" }));
  return { batches: [batchFromRows(SCHEMA, rows)] };
}

const KEY = "stream:user-events:0";
const write = (ds: LakeDataset, epoch: number) =>
  ds.write(epochInput(epoch), { mode: "append", partitionBy: ["date"], marker: { key: KEY, value: epoch } });

async function positions(ds: LakeDataset): Promise<number[]> {
  const from = await ds.scanSql();
  if (from === undefined) return [];
  const rows = await engine.query<{ position: bigint | number }>(
    `SELECT position FROM ${from} ORDER BY position`,
  );
  return rows.map((r) => Number(r.position));
}

describe("lake epoch markers", () => {
  it("commits an epoch once: the same epoch (or an older one) again is a no-op", async () => {
    const ds = await openDataset();
    const first = await write(ds, 1);
    expect(first.skipped).toBeUndefined();
    expect(first.rowsWritten).toBe(3);
    expect(await ds.marker(KEY)).toBe(1);

    const again = await write(ds, 1);
    expect(again).toMatchObject({ skipped: true, rowsWritten: 0, filesAdded: 0, version: first.version });
    expect(again.commitId).toBe(first.commitId);
    expect(await positions(ds)).toEqual([11, 12, 13]);

    const second = await write(ds, 2);
    expect(second.version).toBe(first.version + 1);
    expect((await write(ds, 1)).skipped).toBe(true);
    expect((await write(ds, 2)).skipped).toBe(true);
    expect(await positions(ds)).toEqual([11, 12, 13, 21, 22, 23]);
    expect(await ds.marker(KEY)).toBe(2);
    // Nothing was staged for the skipped writes: only the two commits' files exist.
    expect(await listParquetFiles(ds.dir)).toHaveLength(2);
  });

  it("keeps markers per key and carries them forward through commits without a marker", async () => {
    const ds = await openDataset();
    await write(ds, 5);
    await ds.write(epochInput(7), { mode: "append", marker: { key: "stream:user-events:1", value: 7 } });
    await ds.write(epochInput(9), { mode: "append" });
    expect((await ds.manifest())?.markers).toEqual({ [KEY]: 5, "stream:user-events:1": 7 });
    expect((await write(ds, 5)).skipped).toBe(true);
    expect((await write(ds, 6)).skipped).toBeUndefined();
  });

  it("a crash before the manifest is published leaves the epoch unmarked; the retry commits it once", async () => {
    const ds = await openDataset();
    await write(ds, 1);
    failAt = "manifest-written";
    await expect(write(ds, 2)).rejects.toThrow(/crash at manifest-written/);
    expect(await ds.marker(KEY)).toBe(1);
    expect(await positions(ds)).toEqual([11, 12, 13]);

    const retry = await write(ds, 2);
    expect(retry.skipped).toBeUndefined();
    expect(retry.rowsWritten).toBe(3);
    expect((await write(ds, 2)).skipped).toBe(true);
    expect(await positions(ds)).toEqual([11, 12, 13, 21, 22, 23]);
  });

  it.each<CommitStep>(["staged", "moved"])(
    "a crash at %s leaves the epoch unmarked and the retry commits it once",
    async (step) => {
      const ds = await openDataset();
      failAt = step;
      await expect(write(ds, 1)).rejects.toThrow(`crash at ${step}`);
      expect(await ds.marker(KEY)).toBeUndefined();
      await write(ds, 1);
      await write(ds, 1);
      expect(await positions(ds)).toEqual([11, 12, 13]);
    },
  );

  it("a crash right after the swap keeps the epoch: the retry is a no-op", async () => {
    const ds = await openDataset();
    failAt = "swapped";
    await expect(write(ds, 1)).rejects.toThrow(/crash at swapped/);
    expect(await ds.marker(KEY)).toBe(1);
    expect((await write(ds, 1)).skipped).toBe(true);
    expect(await positions(ds)).toEqual([11, 12, 13]);
  });

  it("reads manifests written before markers existed", async () => {
    const ds = await openDataset();
    await ds.write(epochInput(1), { mode: "append", partitionBy: ["date"] });
    const path = join(ds.dir, MANIFEST_FILE);
    const manifest = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    expect(manifest).not.toHaveProperty("markers");
    await writeFile(path, JSON.stringify(manifest));
    expect(await ds.marker(KEY)).toBeUndefined();
    expect((await write(ds, 1)).skipped).toBeUndefined();
    expect((await ds.manifest())?.markers).toEqual({ [KEY]: 1 });
    expect(await positions(ds)).toEqual([11, 11, 12, 12, 13, 13]);
    expect((await readdir(ds.dir)).filter((n) => n.startsWith("_manifest.json.tmp"))).toEqual([]);
  });

  it("refuses a malformed marker", async () => {
    const ds = await openDataset();
    await expect(
      ds.write(epochInput(1), { mode: "append", marker: { key: "", value: 1 } }),
    ).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(
      ds.write(epochInput(1), { mode: "append", marker: { key: KEY, value: Number.NaN } }),
    ).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});
