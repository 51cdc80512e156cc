import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchFromRows, sliceBatch } from "../../src/core/batch.js";
import type { TableRef } from "../../src/core/types.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { copyTable } from "../../src/engines/transfer.js";
import { ALL_TYPES, allTypeRows, expectSameRows } from "../support/engine-suite.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

const ROWS = 60_000;

describe.skipIf(!postgresAvailable)("copyTable between DuckDB and PostgreSQL", () => {
  let duck: DuckDBEngine;
  let pg: PostgresEngine;
  const schema = `weir_transfer_${randomBytes(4).toString("hex")}`;
  const pgTable = (name: string): TableRef => ({ schema, name });
  const rows = allTypeRows(ROWS);

  beforeAll(async () => {
    duck = await DuckDBEngine.create({ memoryLimit: "512MB", threads: 2 });
    pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 4 });
    await duck.createTable({ name: "src" }, ALL_TYPES, { primaryKey: ["id"] });
    await duck.load({ name: "src" }, sliceBatch(batchFromRows(ALL_TYPES, rows), 7000));
  });
  afterAll(async () => {
    await pg?.run(`DROP SCHEMA IF EXISTS ${pg.dialect.quoteIdent(schema)} CASCADE`);
    await pg?.close();
    await duck?.close();
  });

  it("copies every logical type, NULLs and hostile strings DuckDB → PostgreSQL → DuckDB unchanged", async () => {
    expect(await copyTable(duck, { name: "src" }, pg, pgTable("dst"))).toEqual({ rows: ROWS });
    const described = await pg.describe(pgTable("dst"));
    expect(described?.fields.map((f) => [f.name, f.type, f.nullable])).toEqual(
      ALL_TYPES.fields.map((f) => [f.name, f.type, f.nullable ?? true]),
    );
    expectSameRows(
      await pg.query(`SELECT * FROM ${pg.dialect.quoteTable(pgTable("dst"))} ORDER BY id`),
      rows,
    );

    expect(await copyTable(pg, pgTable("dst"), duck, { name: "back" })).toEqual({ rows: ROWS });
    expectSameRows(await duck.query("SELECT * FROM back ORDER BY id"), rows);
  });

  it("copies a query's result, overwriting the target, and creates empty targets with the right columns", async () => {
    const sql = "SELECT id, label, amount FROM src WHERE id % 1000 = 0";
    expect(await copyTable(duck, { sql }, pg, pgTable("subset"))).toEqual({ rows: ROWS / 1000 });
    expect(await copyTable(duck, { sql }, pg, pgTable("subset"), { mode: "overwrite" })).toEqual({
      rows: ROWS / 1000,
    });
    const got = await pg.query(
      `SELECT count(*) AS n, min(amount) AS lo FROM ${pg.dialect.quoteTable(pgTable("subset"))}`,
    );
    expect(got).toEqual([{ n: ROWS / 1000, lo: "-59000.5" }]);

    expect(
      await copyTable(duck, { sql: "SELECT id, label FROM src WHERE id < 0" }, pg, pgTable("empty")),
    ).toEqual({ rows: 0 });
    expect((await pg.describe(pgTable("empty")))?.fields.map((f) => [f.name, f.type])).toEqual([
      ["id", "integer"],
      ["label", "varchar"],
    ]);
  });

  it("upserts across engines by key", async () => {
    await copyTable(duck, { sql: "SELECT id, label FROM src WHERE id < 10" }, pg, pgTable("up"), {
      mode: "upsert",
      key: ["id"],
    });
    await copyTable(
      duck,
      { sql: "SELECT id, 'changed' AS label FROM src WHERE id BETWEEN 5 AND 14" },
      pg,
      pgTable("up"),
      {
        mode: "upsert",
        key: ["id"],
      },
    );
    const got = await pg.query<{ id: number; label: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE label = 'changed') AS changed FROM ${pg.dialect.quoteTable(pgTable("up"))}`,
    );
    expect(got).toEqual([{ n: 15, changed: 10 }]);
  });

  it("copies every logical type through the columnar batch path too (upsert)", async () => {
    expect(
      await copyTable(duck, { name: "src" }, pg, pgTable("dst_up"), { mode: "upsert", key: ["id"] }),
    ).toEqual({
      rows: ROWS,
    });
    expectSameRows(
      await pg.query(`SELECT * FROM ${pg.dialect.quoteTable(pgTable("dst_up"))} ORDER BY id`),
      rows,
    );
  });

  it("leaves the target unchanged, without hanging, when the source fails midway", async () => {
    const target = pgTable("fail_src");
    await copyTable(duck, { sql: "SELECT id, label FROM src WHERE id < 5" }, pg, target);
    const failing =
      "SELECT id, CASE WHEN id = 50000 THEN error('source blew up') ELSE label END AS label FROM src";
    await expect(copyTable(duck, { sql: failing }, pg, target)).rejects.toThrow(/source blew up/);
    await expect(copyTable(duck, { sql: failing }, pg, target, { mode: "overwrite" })).rejects.toThrow(
      /source blew up/,
    );
    expect(await pg.query(`SELECT count(*) AS n FROM ${pg.dialect.quoteTable(target)}`)).toEqual([{ n: 5 }]);
  });

  it("leaves the target unchanged, without hanging, when PostgreSQL rejects a value", async () => {
    const target = pgTable("fail_dst");
    await pg.createTable(target, {
      fields: [
        { name: "id", type: "integer" },
        { name: "label", type: "integer" },
      ],
    });
    await pg.run(`INSERT INTO ${pg.dialect.quoteTable(target)} VALUES (1, 1)`);
    await expect(copyTable(duck, { sql: "SELECT id, label FROM src" }, pg, target)).rejects.toMatchObject({
      code: "ENGINE_QUERY_FAILED",
      message: expect.stringMatching(/invalid input syntax for type integer/),
    });
    expect(await pg.query(`SELECT count(*) AS n FROM ${pg.dialect.quoteTable(target)}`)).toEqual([{ n: 1 }]);
    // The DuckDB engine is still usable afterwards.
    expect(await duck.query("SELECT count(*) AS n FROM src")).toEqual([{ n: ROWS }]);
  });
});
