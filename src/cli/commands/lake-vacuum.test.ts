import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../engines/duckdb/duckdb-engine.js";
import { Lake } from "../../lake/lake.js";
import type { LakeDataset } from "../../lake/lake-dataset.js";

const ROOT = resolve(import.meta.dirname, "../../..");
let home: string;
let engine: DuckDBEngine;
let orders: LakeDataset;

function weir(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, WEIR_HOME: home, FORCE_COLOR: "0", NO_COLOR: "1" },
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "weir-cli-vacuum-"));
  engine = await DuckDBEngine.create();
  const lake = await Lake.open({ root: join(home, "lake"), engine });
  orders = lake.dataset("lake.raw.orders");
  await orders.write({ engine, sql: "SELECT 1 AS p, 2 AS x" }, { mode: "overwrite", partitionBy: ["p"] });
  await lake.dataset("lake.raw.clean").write({ engine, sql: "SELECT 1 AS x" }, { mode: "overwrite" });
  // Leftovers of a commit killed after moving its file into place.
  const live = join(orders.dir, ...(await orders.manifest())!.files[0]!.path.split("/"));
  await mkdir(join(orders.dir, "_staging", "c-dead"), { recursive: true });
  await copyFile(live, join(orders.dir, "p=1", "part-c-dead-0.parquet"));
  await writeFile(join(orders.dir, "_manifest.json.tmp-c-dead"), "{}");
});
afterAll(async () => {
  await engine.close();
  await rm(home, { recursive: true, force: true });
});

const LEFTOVERS = ["_staging/c-dead", "_manifest.json.tmp-c-dead", "p=1/part-c-dead-0.parquet"];

describe("weir lake vacuum", () => {
  it("--dry-run lists the leftovers and removes nothing", () => {
    const r = weir(["lake", "vacuum", "--dry-run", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      dryRun: true,
      datasets: [
        { dataset: "lake.raw.clean", removed: [] },
        { dataset: "lake.raw.orders", removed: LEFTOVERS },
      ],
    });
    expect(existsSync(join(orders.dir, "p=1", "part-c-dead-0.parquet"))).toBe(true);
  });

  it("removes them under the lock and prints what it removed; the data stays readable", async () => {
    const r = weir(["lake", "vacuum", "lake.raw.orders"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      `lake.raw.orders: removed 3 leftovers\n${LEFTOVERS.map((p) => `  ${p}\n`).join("")}`,
    );
    for (const path of LEFTOVERS) expect(existsSync(join(orders.dir, ...path.split("/")))).toBe(false);
    const rows = await engine.query(`SELECT p, x FROM ${await orders.scanSql()}`);
    expect(rows).toEqual([{ p: 1, x: 2 }]);
  });

  it("fails clearly for a dataset that does not exist", () => {
    const missing = weir(["lake", "vacuum", "lake.raw.nope"]);
    expect(missing.status).toBe(5);
    expect(missing.stderr).toContain("LAKE_NOT_FOUND");
    expect(missing.stderr).toContain("lake dataset lake.raw.nope does not exist");
  });
});
