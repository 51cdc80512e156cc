import { spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "./lake.js";
import type { LakeDataset } from "./lake-dataset.js";
import { listParquetFiles } from "./lake-files.js";

/**
 * Issue 9 item 1: concurrent writers must never lose a commit. Writers run in child
 * processes: the in-process scenario needs `UV_THREADPOOL_SIZE=64` (fs calls of many writers
 * truly overlapping), which only takes effect before a process first uses the thread pool.
 */
const repo = fileURLToPath(new URL("../..", import.meta.url));
const PARTITIONS = 200;
const WRITERS = 32;
const ROWS_PER_PARTITION = 5;

// Each row says which partition and which write produced it, so a lost or mixed-up
// commit shows up as a missing partition or a wrong row.
const rowsSql = (partitions: string, tag: string) =>
  `SELECT p, i, '${tag}' AS tag FROM range(${PARTITIONS}) a(p), range(${ROWS_PER_PARTITION}) b(i) WHERE ${partitions}`;

const CHILD = `
import { DuckDBEngine } from ${JSON.stringify(pathToFileURL(join(repo, "src/engines/duckdb/duckdb-engine.ts")).href)};
import { Lake } from ${JSON.stringify(pathToFileURL(join(repo, "src/lake/lake.ts")).href)};
const [mode, root, arg1, arg2, arg3, arg4] = process.argv.slice(2);
const rowsSql = ${rowsSql.toString()};
const PARTITIONS = ${PARTITIONS};
const ROWS_PER_PARTITION = ${ROWS_PER_PARTITION};
const say = (line) => process.stdout.write(line + "\\n");
if (mode === "lock") {
  // Contenders hammer one lock (fail fast, retry after 0-3 ms), each holder doing a
  // read-modify-write of a counter file: any two holders at once lose an update. Every
  // fourth holder "crashes": it leaves the lock behind, owned by a dead process, for the
  // others to break all at once.
  const { DatasetLock } = await import(${JSON.stringify(pathToFileURL(join(repo, "src/lake/lake-lock.ts")).href)});
  const { readFile, rename, writeFile } = await import("node:fs/promises");
  const { hostname } = await import("node:os");
  const [budgetMs, contenders, deadPid] = [Number(arg1), Number(arg2), Number(arg3)];
  const deadline = Date.now() + budgetMs;
  let holders = 0, maxHolders = 0, acquisitions = 0;
  await Promise.all(Array.from({ length: contenders }, async (_, c) => {
    while (Date.now() < deadline) {
      let lock;
      try {
        lock = await DatasetLock.acquire(root, "lake.raw.stress", "stress");
      } catch (error) {
        if (error.code !== "LAKE_LOCKED") throw error;
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        continue;
      }
      holders++;
      acquisitions++;
      maxHolders = Math.max(maxHolders, holders);
      const n = Number(await readFile(root + "/counter", "utf8"));
      const next = root + "/counter." + process.pid + "." + c;
      await writeFile(next, String(n + 1));
      await rename(next, root + "/counter");
      holders--;
      if (acquisitions % 4 === 0) {
        const dead = { pid: deadPid, host: hostname(), purpose: "crashed", since: new Date().toISOString() };
        await writeFile(next, JSON.stringify(dead));
        await rename(next, root + "/_lock");
      } else {
        await lock.release();
      }
    }
  }));
  say(JSON.stringify({ acquisitions, maxHolders }));
  process.exit(0);
}
const engine = await DuckDBEngine.create();
if (mode === "in-process") {
  // Rounds of ${WRITERS} concurrent overwrite-partition writes covering ${PARTITIONS} partitions,
  // each round on a fresh dataset: at least minRounds, then more until the time budget is spent.
  const [budgetMs, minRounds, maxRounds] = [Number(arg1), Number(arg2), Number(arg3)];
  const lake = await Lake.open({ root, engine });
  const started = Date.now();
  for (let round = 0; round < maxRounds && (round < minRounds || Date.now() - started < budgetMs); round++) {
    const ds = lake.dataset("raw.r" + round);
    const results = await Promise.allSettled(
      Array.from({ length: ${WRITERS} }, (_, w) =>
        ds.write(
          { engine, sql: rowsSql("p % ${WRITERS} = " + w, "w" + w) },
          { mode: "overwrite-partition", partitionBy: ["p"], lockWaitMs: 120000 },
        ),
      ),
    );
    const failed = results.filter((r) => r.status === "rejected").map((r) => String(r.reason));
    const versions = results.filter((r) => r.status === "fulfilled").map((r) => r.value.version);
    say(JSON.stringify({ round, dataset: ds.id, failed, versions }));
  }
} else {
  // One of several processes: commits its partitions one by one (like a backfill), or with
  // stopAt hangs at that commit step until the parent kills it.
  const [first, step, until, stopAt] = [Number(arg1), Number(arg2), Number(arg3), arg4];
  const lake = await Lake.open({
    root,
    engine,
    onCommitStep: async (s) => {
      if (s === stopAt) {
        say("stopped " + s);
        await new Promise(() => setInterval(() => {}, 1000));
      }
    },
  });
  const ds = lake.dataset("raw.shared");
  say("ready");
  for (let p = first; p < until; p += step) {
    const commit = await ds.write(
      { engine, sql: rowsSql("p = " + p, "p" + p) },
      { mode: "overwrite-partition", partitionBy: ["p"], lockWaitMs: 120000 },
    );
    say(JSON.stringify({ committed: p, version: commit.version }));
  }
}
await engine.close();
`;

let engine: DuckDBEngine;
let scriptDir: string;
let script: string;
const roots: string[] = [];

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  scriptDir = await mkdtemp(join(tmpdir(), "weir-lake-concurrency-script-"));
  script = join(scriptDir, "writer.mts");
  await writeFile(script, CHILD);
});
afterAll(async () => {
  await engine.close();
  for (const r of [scriptDir, ...roots]) await rm(r, { recursive: true, force: true });
});

async function newRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "weir-lake-concurrency-"));
  roots.push(root);
  return root;
}

interface Child {
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): void;
  /** Resolves when the child prints `line`. */
  printed(line: string): Promise<void>;
}

function startWriter(args: string[]): Child {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: repo,
    env: { ...process.env, UV_THREADPOOL_SIZE: "64" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters: { line: string; resolve: () => void }[] = [];
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout.on("data", (d: Buffer) => {
    for (const line of d.toString().split("\n").filter(Boolean)) {
      lines.push(line);
      for (const w of waiters) if (w.line === line) w.resolve();
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.once("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    lines,
    exited,
    kill: () => child.kill("SIGKILL"),
    printed: (line) =>
      lines.includes(line) ? Promise.resolve() : new Promise((resolve) => waiters.push({ line, resolve })),
  };
}

/** Every partition of `expected` is live with exactly its rows, and nothing else is. */
async function expectPartitions(ds: LakeDataset, expected: Map<number, string>): Promise<void> {
  const manifest = (await ds.manifest())!;
  const listed = new Set(manifest.files.map((f) => Number(f.partition.p)));
  const missing = [...expected.keys()].filter((p) => !listed.has(p));
  expect(missing, `partitions missing from the manifest of ${ds.id}`).toEqual([]);
  const got = await engine.query(
    `SELECT p, count(*) AS n, min(tag) AS tag, count(DISTINCT tag) AS tags FROM ${await ds.scanSql()} GROUP BY p ORDER BY p`,
  );
  const want = [...expected.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([p, tag]) => ({ p, n: ROWS_PER_PARTITION, tag, tags: 1 }));
  expect(got.map((r) => ({ p: Number(r.p), n: Number(r.n), tag: r.tag, tags: Number(r.tags) }))).toEqual(
    want,
  );
}

/** Files on disk are exactly the manifest's, and no commit leftovers remain. */
async function expectNoLeftovers(ds: LakeDataset): Promise<void> {
  const manifest = (await ds.manifest())!;
  expect(await listParquetFiles(ds.dir)).toEqual(manifest.files.map((f) => f.path).sort());
  const top = (await readdir(ds.dir)).filter((n) => n.startsWith("_"));
  expect(top.sort()).toEqual(["_manifest.json", `_manifest.v${manifest.version}.json`]);
}

describe("concurrent lake writers", () => {
  it("the dataset lock admits one holder at a time, within a process and across processes (stress)", async () => {
    const root = await newRoot();
    await writeFile(join(root, "counter"), "0");
    const exited = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => exited.once("exit", r));
    const children = [0, 1].map(() => startWriter(["lock", root, "3000", "8", String(exited.pid)]));
    const results = [];
    for (const child of children) {
      const { code, stderr } = await child.exited;
      expect(code, stderr).toBe(0);
      results.push(JSON.parse(child.lines[0]!) as { acquisitions: number; maxHolders: number });
    }
    for (const result of results) expect(result.maxHolders).toBe(1);
    const total = results.reduce((sum, r) => sum + r.acquisitions, 0);
    expect(total).toBeGreaterThan(100); // the race was exercised
    expect(Number(await readFile(join(root, "counter"), "utf8"))).toBe(total);
  });

  it(`${WRITERS} concurrent overwrite-partition writes in one process never lose a partition (stress)`, async () => {
    const root = await newRoot();
    const child = startWriter(["in-process", root, "10000", "3", "40"]);
    const { code, stderr } = await child.exited;
    expect(code, stderr).toBe(0);
    const rounds = child.lines.map(
      (l) => JSON.parse(l) as { round: number; dataset: string; failed: string[]; versions: number[] },
    );
    expect(rounds.length).toBeGreaterThanOrEqual(3);
    const lake = await Lake.open({ root, engine });
    const expected = new Map<number, string>();
    for (let p = 0; p < PARTITIONS; p++) expected.set(p, `w${p % WRITERS}`);
    for (const round of rounds) {
      expect(round.failed, `round ${round.round}`).toEqual([]);
      // Each commit made its own version: two writers never committed on the same base.
      expect(round.versions.sort((a, b) => a - b)).toEqual(Array.from({ length: WRITERS }, (_, i) => i + 1));
      const ds = lake.dataset(round.dataset);
      await expectPartitions(ds, expected);
      expect((await ds.manifest())!.version).toBe(WRITERS);
    }
  });

  it("writer processes committing at once, one killed mid-commit, lose no committed partition", async () => {
    const root = await newRoot();
    const processes = 4;
    const partitions = 100;
    // The victim takes the lock first and hangs mid-commit holding it, so the others queue
    // up behind a lock whose owner then dies.
    const victim = startWriter(["processes", root, "0", "1", "1", "moved"]);
    await victim.printed("stopped moved");
    const writers = Array.from({ length: processes }, (_, j) =>
      startWriter(["processes", root, String(j + 1), String(processes), String(partitions), "none"]),
    );
    await Promise.all(writers.map((w) => w.printed("ready")));
    await new Promise((r) => setTimeout(r, 300));
    victim.kill();
    const exits = await Promise.all(writers.map((w) => w.exited));
    for (const exit of exits) expect(exit.code, exit.stderr).toBe(0);
    expect((await victim.exited).signal).toBe("SIGKILL");

    const committed = writers.flatMap((w) =>
      w.lines
        .filter((l) => l !== "ready")
        .map((l) => JSON.parse(l) as { committed: number; version: number }),
    );
    const expected = new Map(committed.map((c) => [c.committed, `p${c.committed}`]));
    expect(expected.size).toBe(partitions - 1); // every partition but the victim's
    expect(new Set(committed.map((c) => c.version)).size).toBe(committed.length);
    const ds = (await Lake.open({ root, engine })).dataset("raw.shared");
    await expectPartitions(ds, expected);
    // Later commits cleaned up what the killed writer left (its moved files, staging folder).
    await expectNoLeftovers(ds);
  });
});
