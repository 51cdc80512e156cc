import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../test/support/servers.js";
import { ConfigError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import { PostgresEngine } from "../engines/postgres/postgres-engine.js";
import { openRuntime, warehouseTarget } from "./open-runtime.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "weir-open-runtime-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const savedUrl = process.env.WEIR_WAREHOUSE_URL;
afterEach(() => {
  if (savedUrl === undefined) delete process.env.WEIR_WAREHOUSE_URL;
  else process.env.WEIR_WAREHOUSE_URL = savedUrl;
});

describe("warehouseTarget", () => {
  it("reads PostgreSQL URLs, duckdb:<file> and plain paths", () => {
    expect(warehouseTarget("postgresql://h/db")).toEqual({ kind: "postgres", url: "postgresql://h/db" });
    expect(warehouseTarget("duckdb:/data/dw.duckdb")).toEqual({ kind: "duckdb", path: "/data/dw.duckdb" });
    expect(warehouseTarget("/data/dw.duckdb")).toEqual({ kind: "duckdb", path: "/data/dw.duckdb" });
  });

  it("refuses another URL without printing its password", () => {
    let error: unknown;
    try {
      warehouseTarget("mysql://me:pw-9137@h/db");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("mysql://");
    expect((error as Error).message).not.toContain("pw-9137");
  });
});

describe("openRuntime on DuckDB", () => {
  it("uses the warehouse file as the lake's engine too", async () => {
    delete process.env.WEIR_WAREHOUSE_URL;
    const home = join(dir, "duck");
    const runtime = await openRuntime({ home, metadataUrl: join(home, "weir.db") });
    try {
      expect(runtime.engine.kind).toBe("duckdb");
      expect(runtime.lakeEngine).toBe(runtime.engine);
      expect(runtime.paths.warehouse).toBe(join(home, "warehouse.duckdb"));
      await runtime.engine.run("CREATE TABLE t AS SELECT 7 AS x");
      const commit = await runtime.lake
        .dataset("lake.raw.t")
        .write({ engine: runtime.engine, sql: "SELECT * FROM t" }, { mode: "overwrite" });
      expect(commit.rowsWritten).toBe(1);
    } finally {
      await runtime.close();
    }
  });
});

describe.skipIf(!postgresAvailable)("openRuntime on PostgreSQL", () => {
  const schema = `weir_open_runtime_${newId().toLowerCase()}`;
  let admin: PostgresEngine;
  /** The test's schema first on the search path; a password the server ignores (trust). */
  let url: string;

  beforeAll(async () => {
    admin = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 1 });
    await admin.createSchema(schema);
    const u = new URL(POSTGRES_URL);
    u.password = "pw-4471";
    u.searchParams.set("options", `-csearch_path=${schema}`);
    url = u.toString();
  });
  afterAll(async () => {
    await admin?.run(`DROP SCHEMA IF EXISTS ${admin.dialect.quoteIdent(schema)} CASCADE`);
    await admin?.close();
  });

  it("opens PostgreSQL as the warehouse and a private DuckDB for the lake", async () => {
    const runtime = await openRuntime({ home: join(dir, "pg"), warehouse: url });
    try {
      expect(runtime.engine.kind).toBe("postgres");
      expect(runtime.lakeEngine.kind).toBe("duckdb");
      expect(runtime.lakeEngine).not.toBe(runtime.engine);
      expect(runtime.paths.warehouse).toContain("127.0.0.1");
      expect(runtime.paths.warehouse).not.toContain("pw-4471");
      // A hostile table name in the URL's schema, written to the lake from a warehouse query.
      const table = { name: 'we"ird; drop' };
      const q = runtime.engine.dialect.quoteTable(table);
      await runtime.engine.run(
        `CREATE TABLE ${q} AS SELECT g AS id, 'n' || g AS name, DATE '2024-01-01' + g AS day FROM generate_series(1, 50) AS g`,
      );
      const dataset = runtime.lake.dataset("lake.raw.weird");
      const commit = await dataset.write(
        { engine: runtime.engine, sql: `SELECT * FROM ${q}` },
        { mode: "overwrite" },
      );
      expect(commit.rowsWritten).toBe(50);
      const [row] = await runtime.lakeEngine.query<{ n: bigint; days: bigint; last: string }>(
        `SELECT count(*) AS n, count(DISTINCT day) AS days, max(name) AS last FROM ${await dataset.scanSql()}`,
      );
      expect({ n: Number(row!.n), days: Number(row!.days), last: row!.last }).toEqual({
        n: 50,
        days: 50,
        last: "n9",
      });
    } finally {
      await runtime.close();
    }
  });

  it("takes WEIR_WAREHOUSE_URL when no warehouse is given", async () => {
    process.env.WEIR_WAREHOUSE_URL = url;
    const runtime = await openRuntime({ home: join(dir, "pg-env") });
    try {
      expect(runtime.engine.kind).toBe("postgres");
      const [row] = await runtime.engine.query<{ s: string }>("SELECT current_schema() AS s");
      expect(row!.s).toBe(schema);
    } finally {
      await runtime.close();
    }
  });

  it("fails to open an unreachable warehouse without printing the password", async () => {
    const error = await openRuntime({
      home: join(dir, "pg-down"),
      warehouse: "postgres://me:pw-5512@127.0.0.1:1/nothing",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("127.0.0.1:1");
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain("pw-5512");
  });
});
