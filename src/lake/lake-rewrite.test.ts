import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "./lake.js";
import type { CommitStep } from "./lake-commit.js";
import type { LakeDataset } from "./lake-dataset.js";
import { listParquetFiles } from "./lake-files.js";
import { timePartitions } from "./partitioning.js";

const repo = fileURLToPath(new URL("../..", import.meta.url));
const SUBJECT = "ann@example.com";

let engine: DuckDBEngine;
const roots: string[] = [];

beforeAll(async () => {
  engine = await DuckDBEngine.create();
});
afterAll(async () => {
  await engine.close();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

async function newRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "weir-lake-rewrite-"));
  roots.push(root);
  return root;
}

/**
 * 5 partitions (p = 0…4) of 10 rows; the subject has 2 rows in p=1 and 1 in p=3, each
 * partition written by its own commit so their files can be told apart.
 */
async function customers(lake: Lake): Promise<LakeDataset> {
  const ds = lake.dataset("raw.customers");
  for (let p = 0; p < 5; p++) {
    await ds.write(
      {
        engine,
        sql: `SELECT i AS id, CASE WHEN (${p} = 1 AND i IN (2, 7)) OR (${p} = 3 AND i = 4) THEN '${SUBJECT}' ELSE 'c' || ${p} || '-' || i || '@example.com' END AS email, ${p} AS p FROM range(10) r(i)`,
      },
      { mode: "overwrite-partition", partitionBy: ["p"] },
    );
  }
  return ds;
}

async function rows(ds: LakeDataset, where = "true"): Promise<number> {
  const from = await ds.scanSql();
  if (!from) return 0;
  const [row] = await engine.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${from} WHERE ${where}`);
  return Number(row!.n);
}

/** The Parquet files on disk are exactly the manifest's, and no commit leftovers remain. */
async function expectClean(ds: LakeDataset): Promise<void> {
  const manifest = (await ds.manifest())!;
  expect(await listParquetFiles(ds.dir)).toEqual(manifest.files.map((f) => f.path).sort());
  const top = (await readdir(ds.dir)).filter((n) => n.startsWith("_"));
  expect(top.sort()).toEqual(["_manifest.json", `_manifest.v${manifest.version}.json`]);
}

describe("LakeDataset.rewritePartitions", () => {
  it("removes exactly the matching rows, rewriting only the partitions that hold them, in one commit", async () => {
    const ds = await customers(await Lake.open({ root: await newRoot(), engine }));
    const before = (await ds.manifest())!;

    const result = await ds.rewritePartitions(`"email" = $1`, { params: [SUBJECT] });

    expect(result).toMatchObject({
      dataset: "lake.raw.customers",
      version: before.version + 1,
      rowsRemoved: 3,
      rowsWritten: 17,
      filesAdded: 2,
      filesRemoved: 2,
      dryRun: false,
    });
    expect(result.partitions).toEqual([
      { values: { p: "1" }, path: "p=1", rows: 2 },
      { values: { p: "3" }, path: "p=3", rows: 1 },
    ]);
    const after = (await ds.manifest())!;
    expect(after.version).toBe(before.version + 1);
    expect(after.commits.at(-1)).toMatchObject({
      id: result.commitId,
      mode: "overwrite-partition",
      rows: 17,
      partitions: [{ p: "1" }, { p: "3" }],
    });
    // The untouched partitions keep their very files; the two rewritten ones have the new commit's.
    const untouched = (m: typeof before) => m.files.filter((f) => !["1", "3"].includes(f.partition.p!));
    expect(untouched(after)).toEqual(untouched(before));
    const rewritten = after.files.filter((f) => ["1", "3"].includes(f.partition.p!));
    expect(rewritten.map((f) => [f.partition.p, f.commitId, f.rows])).toEqual([
      ["1", result.commitId, 8],
      ["3", result.commitId, 9],
    ]);
    expect(await rows(ds)).toBe(47);
    expect(await rows(ds, `email = '${SUBJECT}'`)).toBe(0);
    // Every other row of the rewritten partitions is still there.
    expect(await rows(ds, "p = 1")).toBe(8);
    expect(await rows(ds, "p = 3 AND id <> 4")).toBe(9);
    // The old files are deleted, not only unlisted: the removed rows are gone from disk.
    await expectClean(ds);
  });

  it("drops a partition whose rows all match; a dry run only counts; no match commits nothing", async () => {
    const ds = await customers(await Lake.open({ root: await newRoot(), engine }));
    const version = (await ds.manifest())!.version;

    const dry = await ds.rewritePartitions("p = $1 OR email = $2", { params: [2, SUBJECT], dryRun: true });
    expect(dry).toMatchObject({ rowsRemoved: 13, dryRun: true, version });
    expect(dry.commitId).toBeUndefined();
    expect(dry.partitions.map((p) => [p.path, p.rows])).toEqual([
      ["p=1", 2],
      ["p=2", 10],
      ["p=3", 1],
    ]);
    expect((await ds.manifest())!.version).toBe(version);
    expect(await rows(ds)).toBe(50);

    const result = await ds.rewritePartitions("p = $1 OR email = $2", { params: [2, SUBJECT] });
    expect(result).toMatchObject({ rowsRemoved: 13, filesAdded: 2, filesRemoved: 3 });
    expect((await ds.partitions()).map((p) => p.path)).toEqual(["p=0", "p=1", "p=3", "p=4"]);
    expect(await rows(ds)).toBe(37);
    await expectClean(ds);

    const again = await ds.rewritePartitions("p = $1 OR email = $2", { params: [2, SUBJECT] });
    expect(again).toMatchObject({ rowsRemoved: 0, partitions: [], version: version + 1 });
    expect(again.commitId).toBeUndefined();
    expect((await ds.manifest())!.version).toBe(version + 1);
  });

  it("keeps folder names verbatim (zero-padded time partitions) and rewrites an unpartitioned dataset", async () => {
    const lake = await Lake.open({ root: await newRoot(), engine });
    const events = lake.dataset("raw.events");
    await events.write(
      {
        engine,
        sql: `SELECT i AS id, TIMESTAMP '2024-03-05 10:00:00' + INTERVAL (i) DAY AS at, CASE WHEN i % 3 = 0 THEN '${SUBJECT}' ELSE 'x' END AS email FROM range(6) r(i)`,
      },
      { mode: "overwrite-partition", partitionBy: timePartitions("at", "day") },
    );
    const result = await events.rewritePartitions(`email = $1 AND month = $2`, { params: [SUBJECT, 3] });
    expect(result.partitions.map((p) => p.path)).toEqual([
      "year=2024/month=03/day=05",
      "year=2024/month=03/day=08",
    ]);
    // Both partitions held only the subject's row: gone, and the rest still read back typed.
    expect((await events.partitions()).map((p) => p.path)).toEqual([
      "year=2024/month=03/day=06",
      "year=2024/month=03/day=07",
      "year=2024/month=03/day=09",
      "year=2024/month=03/day=10",
    ]);
    expect(await rows(events, "month = 3 AND day >= 6")).toBe(4);

    const flat = lake.dataset("raw.flat");
    await flat.write(
      {
        engine,
        sql: `SELECT i AS id, CASE WHEN i < 3 THEN '${SUBJECT}' ELSE 'y' END AS email FROM range(10) r(i)`,
      },
      { mode: "overwrite" },
    );
    const unpartitioned = await flat.rewritePartitions(`email = $1`, { params: [SUBJECT] });
    expect(unpartitioned).toMatchObject({ rowsRemoved: 3, rowsWritten: 7 });
    expect(unpartitioned.partitions).toEqual([{ values: {}, path: "", rows: 3 }]);
    expect(await rows(flat)).toBe(7);
    await expectClean(flat);
  });

  it("holds the dataset's lock: a concurrent writer waits for it, and both commits land", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let paused!: () => void;
    const pausedAt = new Promise<void>((resolve) => {
      paused = resolve;
    });
    // Pause the first commit to stage once the dataset is written: the rewrite's.
    let pauseNext = false;
    const lake = await Lake.open({
      root: await newRoot(),
      engine,
      onCommitStep: async (step) => {
        if (step === "staged" && pauseNext) {
          pauseNext = false;
          paused();
          await released;
        }
      },
    });
    const ds = await customers(lake);
    const version = (await ds.manifest())!.version;
    pauseNext = true;
    const rewriting = ds.rewritePartitions(`"email" = $1`, { params: [SUBJECT] });
    await pausedAt;

    let written = false;
    const refused = await ds
      .write({ engine, sql: "SELECT 0 AS id, 'z@example.com' AS email, 9 AS p" }, { mode: "append" })
      .catch((error: { code?: string }) => error.code);
    expect(refused).toBe("LAKE_LOCKED");
    const writing = ds
      .write(
        { engine, sql: "SELECT 0 AS id, 'z@example.com' AS email, 9 AS p" },
        { mode: "overwrite-partition", lockWaitMs: 30_000 },
      )
      .then((r) => {
        written = true;
        return r;
      });
    await new Promise((r) => setTimeout(r, 300));
    expect(written).toBe(false);
    release();
    const [rewrite, write] = await Promise.all([rewriting, writing]);
    expect(rewrite).toMatchObject({ rowsRemoved: 3, version: version + 1 });
    expect(write.version).toBe(version + 2);
    expect(await rows(ds, `email = '${SUBJECT}'`)).toBe(0);
    expect(await rows(ds, "p = 9")).toBe(1);
    expect(await rows(ds)).toBe(48);
    await expectClean(ds);
  });
});

// The child rewrites the dataset and, at the chosen commit step, hangs (keeping the event
// loop alive) until the parent SIGKILLs it.
const CHILD = `
import { DuckDBEngine } from ${JSON.stringify(pathToFileURL(join(repo, "src/engines/duckdb/duckdb-engine.ts")).href)};
import { Lake } from ${JSON.stringify(pathToFileURL(join(repo, "src/lake/lake.ts")).href)};
const [root, stopAt, subject] = process.argv.slice(2);
const engine = await DuckDBEngine.create();
const lake = await Lake.open({
  root,
  engine,
  onCommitStep: async (step) => {
    process.stdout.write("step " + step + "\\n");
    if (step === stopAt) await new Promise(() => setInterval(() => {}, 1000));
  },
});
await lake.dataset("raw.customers").rewritePartitions('"email" = $1', { params: [subject] });
process.stdout.write("done\\n");
await engine.close();
`;

describe("a rewrite killed mid-commit", () => {
  let script: string;

  beforeAll(async () => {
    const dir = await newRoot();
    script = join(dir, "rewrite-child.mts");
    await writeFile(script, CHILD);
  });

  async function killAt(root: string, stopAt: CommitStep): Promise<string[]> {
    const child = spawn(process.execPath, ["--import", "tsx", script, root, stopAt, SUBJECT], {
      cwd: repo,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        lines.push(...d.toString().split("\n").filter(Boolean));
        if (lines.includes(`step ${stopAt}`)) resolve();
      });
      child.once("exit", () => reject(new Error(`child exited before ${stopAt}: ${stderr}`)));
    });
    const exited = new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    return lines;
  }

  for (const stopAt of ["moved", "manifest-written"] as const) {
    it(`at "${stopAt}" leaves the old manifest and every old row; the next rewrite finishes the job`, async () => {
      const root = await newRoot();
      const ds = await customers(await Lake.open({ root, engine }));
      const before = (await ds.manifest())!;

      const lines = await killAt(root, stopAt);
      expect(lines).not.toContain("done");

      const after = (await ds.manifest())!;
      expect(after).toEqual(before);
      expect(await rows(ds)).toBe(50);
      expect(await rows(ds, `email = '${SUBJECT}'`)).toBe(3);
      // The killed commit left files the manifest does not list.
      expect((await listParquetFiles(ds.dir)).length).toBeGreaterThan(before.files.length);

      const result = await ds.rewritePartitions(`"email" = $1`, { params: [SUBJECT] });
      expect(result).toMatchObject({ rowsRemoved: 3, version: before.version + 1 });
      expect(await rows(ds, `email = '${SUBJECT}'`)).toBe(0);
      expect(await rows(ds)).toBe(47);
      await expectClean(ds);
    }, 60_000);
  }
});
