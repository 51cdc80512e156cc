import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { Lake } from "./lake.js";
import type { LakeDataset } from "./lake-dataset.js";
import { listParquetFiles, STAGING_DIR } from "./lake-files.js";
import { LOCK_FILE } from "./lake-lock.js";

/**
 * Kills a real writer process with SIGKILL in the middle of a large commit and checks that
 * readers see exactly the previous state, that vacuum() clears the leftovers, and that a
 * re-run commits everything.
 */
const ROWS = 1_000_000;
const OLD_ROWS = 1600;
const OLD_STATE_FILES = 16;
const repo = fileURLToPath(new URL("../..", import.meta.url));

// The child is generated into a temp folder (as .mts so it is ESM) so that no test-only
// script ships inside src/. It reports each commit step on stdout and, at the chosen
// step, stops there (keeping the event loop alive) until the parent SIGKILLs it.
const CHILD = `
import { DuckDBEngine } from ${JSON.stringify(pathToFileURL(join(repo, "src/engines/duckdb/duckdb-engine.ts")).href)};
import { Lake } from ${JSON.stringify(pathToFileURL(join(repo, "src/lake/lake.ts")).href)};
const [root, stopAt, rows] = process.argv.slice(2);
const engine = await DuckDBEngine.create();
const lake = await Lake.open({
  root,
  engine,
  onCommitStep: async (step) => {
    process.stdout.write("step " + step + "\\n");
    if (step === stopAt) await new Promise(() => setInterval(() => {}, 1000));
  },
});
process.stdout.write("writing\\n");
await lake.dataset("raw.big").write(
  { engine, sql: "SELECT i AS id, 'new' AS tag, i % 16 AS k, md5(i::VARCHAR) AS pad FROM range(" + Number(rows) + ") r(i)" },
  { mode: "overwrite-partition", partitionBy: ["k"] },
);
process.stdout.write("done\\n");
await engine.close();
`;

let engine: DuckDBEngine;
let scriptDir: string;
let script: string;
let root: string;
let dataset: LakeDataset;
const roots: string[] = [];

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  scriptDir = await mkdtemp(join(tmpdir(), "weir-lake-crash-script-"));
  script = join(scriptDir, "crash-writer.mts");
  await writeFile(script, CHILD);
});
afterAll(async () => {
  await engine.close();
  for (const r of [scriptDir, ...roots]) await rm(r, { recursive: true, force: true });
});
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "weir-lake-crash-"));
  roots.push(root);
  dataset = (await Lake.open({ root, engine })).dataset("raw.big");
  await dataset.write(oldInput(), { mode: "overwrite-partition", partitionBy: ["k"] });
});

function oldInput() {
  return {
    engine,
    sql: `SELECT i AS id, 'old' AS tag, i % 16 AS k, md5(i::VARCHAR) AS pad FROM range(${OLD_ROWS}) r(i)`,
  };
}

interface ChildRun {
  signal: NodeJS.Signals | null;
  code: number | null;
  lines: string[];
}

/** Runs the writer; kills it at `stopAt` (a step) or `killAfterMs` after it starts writing. */
function runWriter(options: { stopAt?: string; killAfterMs?: number }): Promise<ChildRun> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", script, root, options.stopAt ?? "none", String(ROWS)],
    {
      cwd: repo,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const lines: string[] = [];
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout.on("data", (d: Buffer) => {
    for (const line of d.toString().split("\n").filter(Boolean)) {
      lines.push(line);
      if (options.stopAt !== undefined && line === `step ${options.stopAt}`) child.kill("SIGKILL");
      if (options.killAfterMs !== undefined && line === "writing") {
        setTimeout(() => child.kill("SIGKILL"), options.killAfterMs);
      }
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`writer did not finish; output: ${lines.join(" | ")}; stderr: ${stderr}`));
    }, 45_000);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0 && signal === null) reject(new Error(`writer failed (${code}): ${stderr}`));
      else resolve({ code, signal, lines });
    });
  });
}

async function visible(): Promise<{ rows: number; tags: string[]; version: number }> {
  const [row] = await engine.query(
    `SELECT count(*) AS n, string_agg(DISTINCT tag, ',' ORDER BY tag) AS tags FROM ${await dataset.scanSql()}`,
  );
  return {
    rows: Number(row!.n),
    tags: String(row!.tags).split(","),
    version: (await dataset.manifest())!.version,
  };
}

const OLD_STATE = { rows: OLD_ROWS, tags: ["old"], version: 1 };
const NEW_STATE = { rows: ROWS, tags: ["new"], version: 2 };

/** Files on disk are exactly the manifest's: no staging, no temporary manifest, no orphans. */
async function expectClean(): Promise<void> {
  const manifest = (await dataset.manifest())!;
  expect(await listParquetFiles(dataset.dir)).toEqual(manifest.files.map((f) => f.path).sort());
  const top = await readdir(dataset.dir);
  // Besides the manifest, only its version's claim (the same file, hard-linked).
  expect(top.filter((n) => n.startsWith("_")).sort()).toEqual([
    "_manifest.json",
    `_manifest.v${manifest.version}.json`,
  ]);
}

describe("crash safety of lake commits", () => {
  it.each([
    ["staged", "staging files exist"],
    ["moved", "files moved into partitions but unlisted"],
    ["manifest-written", "new manifest fsynced but not renamed"],
  ])("SIGKILL at %s (%s) leaves the previous state visible", async (step) => {
    const run = await runWriter({ stopAt: step });
    expect(run.signal).toBe("SIGKILL");
    expect(run.lines).toContain(`step ${step}`);
    expect(run.lines).not.toContain("done");

    expect(await visible()).toEqual(OLD_STATE);
    const stagingFiles = await listParquetFiles(join(dataset.dir, STAGING_DIR));
    const orphans = (await listParquetFiles(dataset.dir, [STAGING_DIR])).length - OLD_STATE_FILES;
    if (step === "staged") expect(stagingFiles.length).toBe(16);
    else expect(orphans).toBe(16);
    const tmpManifests = (await readdir(dataset.dir)).filter((n) => n.startsWith("_manifest.json.tmp-"));
    expect(tmpManifests).toHaveLength(step === "manifest-written" ? 1 : 0);
    expect(existsSync(join(dataset.dir, LOCK_FILE))).toBe(true); // the dead writer's lock

    const { removed } = await dataset.vacuum(); // also proves the dead writer's lock is stale
    expect(removed.filter((p) => p.endsWith(".parquet"))).toHaveLength(16);
    expect(await visible()).toEqual(OLD_STATE);
    await expectClean();

    const rerun = await runWriter({});
    expect(rerun.code).toBe(0);
    expect(await visible()).toEqual(NEW_STATE);
    await expectClean();
  });

  it("SIGKILL right after the manifest swap keeps the new commit; vacuum removes the replaced files", async () => {
    const oldFiles = await dataset.files();
    const run = await runWriter({ stopAt: "swapped" });
    expect(run.signal).toBe("SIGKILL");
    expect(await visible()).toEqual(NEW_STATE);
    for (const file of oldFiles) expect(existsSync(file)).toBe(true);
    const { removed } = await dataset.vacuum();
    expect(removed.filter((p) => p.endsWith(".parquet")).sort()).toEqual(
      oldFiles.map((f) => f.slice(dataset.dir.length + 1)).sort(),
    );
    await expectClean();
  });

  it("SIGKILL at arbitrary moments shows either the old or the new state, never a mix", async () => {
    // One uninterrupted run measures how long a commit takes on this machine.
    const started = Date.now();
    expect((await runWriter({})).code).toBe(0);
    const duration = Date.now() - started;
    expect(await visible()).toEqual(NEW_STATE);
    await dataset.write(oldInput(), { mode: "overwrite" });

    for (const fraction of [0.2, 0.5, 0.8, 0.95, 1.05]) {
      const before = await visible();
      expect(before.tags).toEqual(["old"]);
      await runWriter({ killAfterMs: Math.round(duration * fraction) });
      const after = await visible();
      expect([before, { rows: ROWS, tags: ["new"], version: before.version + 1 }]).toContainEqual(after);
      await dataset.vacuum();
      await expectClean();
      expect(await visible()).toEqual(after);
      // Start the next round from old data again.
      if (after.version !== before.version) await dataset.write(oldInput(), { mode: "overwrite" });
    }
  });
});
