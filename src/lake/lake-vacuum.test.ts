import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "./lake.js";
import type { LakeDataset } from "./lake-dataset.js";
import { listParquetFiles } from "./lake-files.js";
import { UNREADABLE_LOCK_GRACE_MS } from "./lock-file.js";

let engine: DuckDBEngine;
let ds: LakeDataset;
let deadPid: number;
const roots: string[] = [];

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((r) => child.once("exit", r));
  deadPid = child.pid!;
});
afterAll(async () => {
  await engine.close();
  for (const r of roots) await rm(r, { recursive: true, force: true });
});
beforeEach(async () => {
  const root = await mkdtemp(join(tmpdir(), "weir-lake-vacuum-"));
  roots.push(root);
  ds = (await Lake.open({ root, engine })).dataset("raw.t");
  await ds.write(partition(0), { mode: "overwrite-partition", partitionBy: ["p"] });
});

const partition = (p: number) => ({ engine, sql: `SELECT ${p} AS p, i FROM range(3) r(i)` });
const owner = (pid: number, since = new Date().toISOString()) =>
  JSON.stringify({ pid, host: hostname(), token: `l-${pid}`, purpose: "append commit", since });

/** What killed commits leave behind, one of each kind; returns their paths. */
async function plantLeftovers(): Promise<string[]> {
  const live = (await ds.manifest())!.files[0]!.path;
  const put = async (relative: string, content?: string) => {
    const path = join(ds.dir, ...relative.split("/"));
    await mkdir(join(path, ".."), { recursive: true });
    if (content === undefined) await copyFile(join(ds.dir, ...live.split("/")), path);
    else await writeFile(path, content);
    return relative;
  };
  return [
    await put("_staging/c-dead/p=7/part-c-dead-0.parquet"),
    await put("p=0/part-c-dead-0.parquet"), // moved into place, never listed
    await put("p=8/part-c-dead-0.parquet"),
    await put("_manifest.json.tmp-c-dead", "{}"),
    await put("_manifest.v5.json", "{}"), // claimed, never renamed
    await put(`_lock.new-l${deadPid}`, owner(deadPid)),
    await put(`_lock.stale-x${deadPid}`, owner(deadPid)),
    await put("_lock.break", owner(deadPid)), // a writer died while breaking a stale lock
  ];
}

async function expectOnlyLive(): Promise<void> {
  const manifest = (await ds.manifest())!;
  expect(await listParquetFiles(ds.dir)).toEqual(manifest.files.map((f) => f.path).sort());
  expect((await readdir(ds.dir)).filter((n) => n.startsWith("_")).sort()).toEqual([
    "_manifest.json",
    `_manifest.v${manifest.version}.json`,
  ]);
}

describe("leftovers of interrupted commits", () => {
  it("the next write removes them, without vacuum", async () => {
    await plantLeftovers();
    await ds.write(partition(1), { mode: "overwrite-partition" });
    await expectOnlyLive();
    const [row] = await engine.query(
      `SELECT count(*) AS n, count(DISTINCT p) AS parts FROM ${await ds.scanSql()}`,
    );
    expect(row).toEqual({ n: 6, parts: 2 });
  });

  it("vacuum lists them with dryRun, then removes exactly those", async () => {
    const planted = await plantLeftovers();
    const { removed: listed } = await ds.vacuum({ dryRun: true });
    expect([...listed].sort()).toEqual([...planted].sort());
    for (const path of planted) expect(existsSync(join(ds.dir, ...path.split("/")))).toBe(true);

    const { removed } = await ds.vacuum();
    expect([...removed].sort()).toEqual([...listed].sort());
    await expectOnlyLive();
    expect(existsSync(join(ds.dir, "p=8"))).toBe(false); // emptied partition folders go too
    expect((await ds.vacuum()).removed).toEqual([]);
  });

  it("leaves lock files of live writers, and unreadable ones within the grace period", async () => {
    // A writer of this very process preparing its lock, one of another live process, and a
    // draft being written (still empty).
    const live = [`_lock.new-l${process.pid}`, `_lock.new-l${process.ppid}`, "_lock.new-lempty"];
    await writeFile(join(ds.dir, live[0]!), owner(process.pid));
    await writeFile(join(ds.dir, live[1]!), owner(process.ppid));
    await writeFile(join(ds.dir, live[2]!), "");
    await writeFile(join(ds.dir, "_staging-not-ours.txt"), "a user's file");
    await ds.write(partition(1), { mode: "overwrite-partition" });
    expect((await ds.vacuum()).removed).toEqual([]);
    for (const name of live) expect(existsSync(join(ds.dir, name))).toBe(true);
    expect(existsSync(join(ds.dir, "_staging-not-ours.txt"))).toBe(true);

    const old = new Date(Date.now() - UNREADABLE_LOCK_GRACE_MS - 1000);
    await utimes(join(ds.dir, live[2]!), old, old);
    expect((await ds.vacuum()).removed).toEqual([live[2]]);
  });
});
