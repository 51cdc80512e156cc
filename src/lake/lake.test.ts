import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, type WeirError } from "../core/errors.js";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import type { Engine } from "../engines/engine.js";
import { Lake } from "./lake.js";

let engine: DuckDBEngine;
let root: string;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  root = await mkdtemp(join(tmpdir(), "weir-lake-open-"));
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

describe("Lake", () => {
  it("defaults its root to .weir/lake under WEIR_HOME", async () => {
    const saved = process.env.WEIR_HOME;
    process.env.WEIR_HOME = join(root, "home");
    try {
      const lake = await Lake.open({ engine });
      expect(lake.root).toBe(join(root, "home", "lake"));
      expect(existsSync(lake.root)).toBe(true);
      expect(lake.dataset("raw.x").dir).toBe(join(root, "home", "lake", "raw", "x"));
    } finally {
      if (saved === undefined) delete process.env.WEIR_HOME;
      else process.env.WEIR_HOME = saved;
    }
  });

  it("refuses an engine that cannot write Parquet itself", async () => {
    const postgresLike = { kind: "postgres", capabilities: { writesParquet: false } } as unknown as Engine;
    await expect(Lake.open({ root, engine: postgresLike })).rejects.toThrow(ConfigError);
    await expect(Lake.open({ root, engine: postgresLike })).rejects.toThrow(
      /writes Parquet itself.*postgres/,
    );
  });

  it("lists datasets and attaches them as views lake_<zone>.<name>", async () => {
    const lakeRoot = join(root, "listed");
    const lake = await Lake.open({ root: lakeRoot, engine });
    expect(lake.dataset("raw.customers").id).toBe("lake.raw.customers");
    await lake
      .dataset("lake.raw.customers")
      .write({ engine, sql: "SELECT i AS id, 'c' || i AS name FROM range(5) r(i)" }, { mode: "overwrite" });
    await lake
      .dataset("curated.customer-counts")
      .write({ engine, sql: "SELECT 'x' AS region, 5 AS n" }, { mode: "overwrite", partitionBy: ["region"] });
    // Folders without a manifest (or with unsafe names) are not datasets.
    await mkdir(join(lakeRoot, "raw", "empty"), { recursive: true });
    await mkdir(join(lakeRoot, "raw", "not a dataset"), { recursive: true });

    const infos = await lake.datasets();
    expect(infos.map((d) => [d.id, d.rows, d.files, d.version, d.partitionColumns])).toEqual([
      ["lake.raw.customers", 5, 1, 1, []],
      ["lake.curated.customer-counts", 1, 1, 1, ["region"]],
    ]);
    expect(infos[0]!.bytes).toBeGreaterThan(0);

    expect(await lake.attach()).toEqual(["lake_raw.customers", "lake_curated.customer-counts"]);
    const rows = await engine.query("SELECT count(*) AS n, max(name) AS top FROM lake_raw.customers");
    expect(rows).toEqual([{ n: 5, top: "c4" }]);
    const counts = await engine.query('SELECT region, n FROM lake_curated."customer-counts"');
    expect(counts).toEqual([{ region: "x", n: 5 }]);

    // A view lists the files of its moment; creating it again picks up new commits.
    const ds = lake.dataset("raw.customers");
    await ds.write({ engine, sql: "SELECT 9 AS id, 'c9' AS name" }, { mode: "append" });
    expect(await ds.createView(engine, "main.customers_now")).toBe(true);
    const [now] = await engine.query("SELECT count(*) AS n FROM main.customers_now");
    expect(Number(now!.n)).toBe(6);
    expect(await lake.dataset("raw.never_written").createView(engine, "main.nothing")).toBe(false);
  });

  it("reports a corrupt manifest with its path", async () => {
    const lake = await Lake.open({ root: join(root, "corrupt"), engine });
    const ds = lake.dataset("raw.broken");
    await mkdir(ds.dir, { recursive: true });
    await writeFile(join(ds.dir, "_manifest.json"), "{ not json");
    const error = (await ds.manifest().catch((e: unknown) => e)) as WeirError;
    expect(error.code).toBe("LAKE_MANIFEST_INVALID");
    expect(error.message).toContain(join(ds.dir, "_manifest.json"));

    await writeFile(
      join(ds.dir, "_manifest.json"),
      JSON.stringify({ formatVersion: 1, dataset: "x", version: -1 }),
    );
    await expect(ds.scanSql()).rejects.toThrow(/does not match the manifest format at "version"/);
  });
});
