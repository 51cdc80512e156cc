import { copyFile, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { WeirError } from "../core/errors.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "./lake.js";
import { type CommitResult, commitWrite } from "./lake-commit.js";
import type { LakeDataset } from "./lake-dataset.js";
import { listParquetFiles } from "./lake-files.js";
import { MANIFEST_FILE } from "./manifest.js";
import { manifestClaimName } from "./manifest-publish.js";

/**
 * The manifest's version check, on its own: commits made WITHOUT the lock (as if two writers
 * both believed they held it) must never overwrite each other.
 */
let engine: DuckDBEngine;
let ds: LakeDataset;
const roots: string[] = [];

beforeAll(async () => {
  engine = await DuckDBEngine.create();
});
afterAll(async () => {
  await engine.close();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});
beforeEach(async () => {
  const root = await mkdtemp(join(tmpdir(), "weir-lake-publish-"));
  roots.push(root);
  ds = (await Lake.open({ root, engine })).dataset("raw.t");
  await ds.write(partition(0), { mode: "overwrite-partition", partitionBy: ["p"] });
});

const partition = (p: number) => ({ engine, sql: `SELECT ${p} AS p, i FROM range(3) r(i)` });

/** A commit (lock bypassed) that stops after writing its manifest until `go()`. */
function gatedCommit(p: number): { result: Promise<CommitResult>; ready: Promise<void>; go: () => void } {
  let reached!: () => void;
  let go!: () => void;
  const ready = new Promise<void>((r) => {
    reached = r;
  });
  const gate = new Promise<void>((r) => {
    go = r;
  });
  const result = commitWrite({
    dataset: ds.id,
    datasetDir: ds.dir,
    engine,
    input: partition(p),
    mode: "overwrite-partition",
    onStep: async (step) => {
      if (step !== "manifest-written") return;
      reached();
      await gate;
    },
  });
  return { result, ready, go };
}

async function livePartitions(): Promise<number[]> {
  const manifest = (await ds.manifest())!;
  return manifest.files.map((f) => Number(f.partition.p)).sort();
}

async function expectOnlyLiveFiles(): Promise<void> {
  const manifest = (await ds.manifest())!;
  expect(await listParquetFiles(ds.dir)).toEqual(manifest.files.map((f) => f.path).sort());
  const top = (await readdir(ds.dir)).filter((n) => n.startsWith("_manifest")).sort();
  expect(top).toEqual([MANIFEST_FILE, manifestClaimName(manifest.version)]);
  // The kept claim is the current manifest itself (a hard link), not a stale copy.
  const inode = async (name: string) => (await stat(join(ds.dir, name))).ino;
  expect(await inode(manifestClaimName(manifest.version))).toBe(await inode(MANIFEST_FILE));
}

const rejection = async (p: Promise<unknown>) =>
  (await p.then(
    () => undefined,
    (e: unknown) => e,
  )) as WeirError | undefined;

describe("manifest version check", () => {
  it("a commit planned from a manifest another commit replaced fails, retryable, instead of overwriting it", async () => {
    const a = gatedCommit(1);
    const b = gatedCommit(2);
    await Promise.all([a.ready, b.ready]);
    a.go();
    expect((await a.result).version).toBe(2);
    b.go();
    const error = await rejection(b.result);
    expect(error?.code).toBe("LAKE_COMMIT_FAILED");
    expect(error?.retryable).toBe(true);
    expect(error?.message).toMatch(/was planned from version 1 .* a concurrent commit got in first/);
    expect(await livePartitions()).toEqual([0, 1]);
    await expectOnlyLiveFiles(); // the loser's files were rolled back

    // Written again, it commits on top of the winner.
    await ds.write(partition(2), { mode: "overwrite-partition" });
    expect(await livePartitions()).toEqual([0, 1, 2]);
  });

  it("also when the version it would create was committed and its claim since removed", async () => {
    const late = gatedCommit(3);
    await late.ready;
    // Also lock-free: a locked write would first clear the stopped commit's files away as leftovers.
    const direct = (p: number) =>
      commitWrite({
        dataset: ds.id,
        datasetDir: ds.dir,
        engine,
        input: partition(p),
        mode: "overwrite-partition",
      });
    await direct(1); // version 2
    await direct(2); // version 3: version 2's claim is gone
    expect((await readdir(ds.dir)).includes(manifestClaimName(2))).toBe(false);
    late.go();
    const error = await rejection(late.result);
    expect(error?.code).toBe("LAKE_COMMIT_FAILED");
    expect(error?.message).toMatch(/but the manifest is now version 3/);
    expect(await livePartitions()).toEqual([0, 1, 2]);
    await expectOnlyLiveFiles();
  });

  it("a claim left by a writer that died before its rename is removed by the next writer", async () => {
    // As if a writer claimed version 2 and was killed before renaming it into place.
    await copyFile(join(ds.dir, MANIFEST_FILE), join(ds.dir, manifestClaimName(2)));
    const commit = await ds.write(partition(1), { mode: "overwrite-partition" });
    expect(commit.version).toBe(2);
    expect(await livePartitions()).toEqual([0, 1]);
    await expectOnlyLiveFiles();
  });
});
