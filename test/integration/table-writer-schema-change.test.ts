import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { batchFromRows } from "../../src/core/batch.js";
import type { TableRef } from "../../src/core/types.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../../src/engines/engine.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { writeTable } from "../../src/engines/table-writer.js";
import { copyTable } from "../../src/engines/transfer.js";
import { hasUniqueKey } from "../../src/engines/upsert-key.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

/**
 * What `writeTable` does when the input's schema differs from the existing table's
 * (issue 10 item 7): an overwrite replaces the schema (or fails naming the drift), the
 * other modes keep the table's schema unless told otherwise. Same cases on both engines.
 */
const SCHEMA = `weir_h9_sc_${process.pid}`;

const engines: [string, boolean, () => Promise<Engine>][] = [
  ["duckdb", true, () => DuckDBEngine.create({ memoryLimit: "256MB", threads: 2 })],
  ["postgres", postgresAvailable, () => PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 })],
];

describe.each(engines)("writeTable schema changes on %s", (kind, available, open) => {
  let engine: Engine;
  let n = 0;
  const fresh = (): TableRef => ({ schema: SCHEMA, name: `t${++n}` });
  const types = async (table: TableRef) =>
    Object.fromEntries(((await engine.describe(table))?.fields ?? []).map((f) => [f.name, f.type]));

  beforeAll(async () => {
    if (!available) return;
    engine = await open();
    if (kind === "postgres") await engine.run(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await engine.run(`CREATE SCHEMA ${SCHEMA}`);
  });
  afterAll(async () => {
    if (!available) return;
    if (kind === "postgres") await engine.run(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await engine.close();
  });

  it.skipIf(!available)(
    "an overwrite with a BIGINT column over a VARCHAR one replaces the type",
    async () => {
      const t = fresh();
      await writeTable(engine, t, { engine, sql: "SELECT 'a' AS id, 'x' AS name" }, { mode: "append" });
      expect(await types(t)).toEqual({ id: "varchar", name: "varchar" });
      const result = await writeTable(
        engine,
        t,
        { engine, sql: "SELECT CAST(7 AS BIGINT) AS id, 'y' AS name" },
        { mode: "overwrite" },
      );
      expect(result.rowsWritten).toBe(1);
      expect(await types(t)).toEqual({ id: "bigint", name: "varchar" });
      const rows = await engine.query(`SELECT id, name FROM ${SCHEMA}.${t.name}`);
      expect(rows).toEqual([{ id: 7, name: "y" }]);
    },
  );

  it.skipIf(!available)(
    "streamed batches replace the schema too: columns added, dropped, retyped",
    async () => {
      const t = fresh();
      await writeTable(engine, t, { engine, sql: "SELECT 'a' AS id, 1 AS gone" }, { mode: "append" });
      const batch = batchFromRows(
        {
          fields: [
            { name: "id", type: "bigint" },
            { name: "added", type: "varchar" },
          ],
        },
        [
          { id: 1, added: "2024-01-01" },
          { id: 2, added: null },
        ],
      );
      await writeTable(engine, t, { batches: one(batch) }, { mode: "overwrite" });
      expect(await types(t)).toEqual({ id: "bigint", added: "varchar" });
      expect(await engine.query(`SELECT count(*) AS n FROM ${SCHEMA}.${t.name}`)).toEqual([{ n: 2 }]);
    },
  );

  it.skipIf(!available)('onSchemaChange "fail" names the drift and changes nothing', async () => {
    const t = fresh();
    await writeTable(engine, t, { engine, sql: "SELECT 'a' AS id, 1 AS gone" }, { mode: "append" });
    const error = await writeTable(
      engine,
      t,
      { engine, sql: "SELECT CAST(7 AS BIGINT) AS id, DATE '2024-01-01' AS day" },
      { mode: "overwrite", onSchemaChange: "fail" },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SCHEMA_MISMATCH" });
    const message = (error as Error).message;
    expect(message).toContain(`${SCHEMA}.${t.name}`);
    expect(message).toContain('column "id" is varchar in the table and bigint in the input');
    expect(message).toContain('new column "day" (date)');
    expect(message).toContain('column "gone" (integer) is not in the input');
    expect(await types(t)).toEqual({ id: "varchar", gone: "integer" });
    expect(await engine.query(`SELECT id FROM ${SCHEMA}.${t.name}`)).toEqual([{ id: "a" }]);
  });

  it.skipIf(!available)(
    "an overwrite of an upsert target keeps its unique key for the next upsert",
    async () => {
      const t = fresh();
      await writeTable(
        engine,
        t,
        { engine, sql: "SELECT 1 AS id, 'a' AS v" },
        { mode: "upsert", key: ["id"] },
      );
      await writeTable(engine, t, { engine, sql: "SELECT 1 AS id, 2.5 AS v" }, { mode: "overwrite" });
      expect((await types(t)).v).not.toBe("varchar");
      expect(await hasUniqueKey(engine, t, ["id"])).toBe(true);
      await writeTable(
        engine,
        t,
        { engine, sql: "SELECT 1 AS id, 3.5 AS v" },
        { mode: "upsert", key: ["id"] },
      );
      const rows = await engine.query<{ id: number; v: number }>(`SELECT id, v FROM ${SCHEMA}.${t.name}`);
      expect(rows.map((r) => [Number(r.id), Number(r.v)])).toEqual([[1, 3.5]]);
    },
  );

  it.skipIf(!available)("an overwrite without drift keeps the table (and its rows go)", async () => {
    const t = fresh();
    await writeTable(engine, t, { engine, sql: "SELECT 1 AS id" }, { mode: "append" });
    await engine.run(`CREATE VIEW ${SCHEMA}.${t.name}_v AS SELECT id FROM ${SCHEMA}.${t.name}`);
    await writeTable(engine, t, { engine, sql: "SELECT 2 AS id" }, { mode: "overwrite" });
    expect(await engine.query(`SELECT id FROM ${SCHEMA}.${t.name}_v`)).toEqual([{ id: 2 }]);
  });

  it.skipIf(!available)(
    "append keeps the table's schema by default and refuses a new column, naming the way out",
    async () => {
      const t = fresh();
      await writeTable(engine, t, { engine, sql: "SELECT 'a' AS id" }, { mode: "append" });
      await writeTable(engine, t, { engine, sql: "SELECT 7 AS id" }, { mode: "append" });
      expect(await types(t)).toEqual({ id: "varchar" });
      await expect(
        writeTable(engine, t, { engine, sql: "SELECT 'b' AS id, 1 AS extra" }, { mode: "append" }),
      ).rejects.toThrow(/no column "extra".*append_new_columns/);
      await writeTable(
        engine,
        t,
        { engine, sql: "SELECT 'b' AS id, 1 AS extra" },
        { mode: "append", onSchemaChange: "append_new_columns" },
      );
      expect(await types(t)).toEqual({ id: "varchar", extra: "integer" });
      const rows = await engine.query(`SELECT id, extra FROM ${SCHEMA}.${t.name} ORDER BY id`);
      expect(rows).toEqual([
        { id: "7", extra: null },
        { id: "a", extra: null },
        { id: "b", extra: 1 },
      ]);
      await expect(
        writeTable(
          engine,
          t,
          { engine, sql: "SELECT 9 AS id, 1 AS extra" },
          { mode: "append", onSchemaChange: "fail" },
        ),
      ).rejects.toMatchObject({
        code: "SCHEMA_MISMATCH",
        message: expect.stringContaining('"id" is varchar'),
      });
    },
  );

  it.skipIf(!available)("refuses a policy that does not apply to the mode", async () => {
    const t = fresh();
    const sql = { engine, sql: "SELECT 1 AS id" };
    await expect(
      writeTable(engine, t, sql, { mode: "append", onSchemaChange: "replace" }),
    ).rejects.toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringContaining('"replace" applies to mode "overwrite" only'),
    });
    await expect(
      writeTable(engine, t, sql, { mode: "overwrite", onSchemaChange: "append_new_columns" }),
    ).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });

  it.skipIf(!available)(
    "overwrite-partition takes partitionBy, and still the deprecated partitionColumns",
    async () => {
      const t = fresh();
      await writeTable(
        engine,
        t,
        { engine, sql: "SELECT 1 AS part, 'a' AS v UNION ALL SELECT 2, 'b'" },
        { mode: "append" },
      );
      await writeTable(
        engine,
        t,
        { engine, sql: "SELECT 1 AS part, 'c' AS v" },
        { mode: "overwrite-partition", partitionBy: ["part"] },
      );
      await writeTable(
        engine,
        t,
        { engine, sql: "SELECT 2 AS part, 'd' AS v" },
        { mode: "overwrite-partition", partitionColumns: ["part"] },
      );
      const rows = await engine.query(`SELECT part, v FROM ${SCHEMA}.${t.name} ORDER BY part`);
      expect(rows).toEqual([
        { part: 1, v: "c" },
        { part: 2, v: "d" },
      ]);
    },
  );

  // PostgreSQL only: DuckDB does not track a view's dependency on its table.
  if (kind === "postgres")
    it.skipIf(!available)(
      "a table other objects depend on is not dropped: the error says so and nothing changes",
      async () => {
        const t = fresh();
        await writeTable(engine, t, { engine, sql: "SELECT 'a' AS id" }, { mode: "append" });
        await engine.run(`CREATE VIEW ${SCHEMA}.${t.name}_v AS SELECT id FROM ${SCHEMA}.${t.name}`);
        await expect(
          writeTable(engine, t, { engine, sql: "SELECT CAST(1 AS BIGINT) AS id" }, { mode: "overwrite" }),
        ).rejects.toMatchObject({
          code: "SCHEMA_MISMATCH",
          message: expect.stringMatching(/other objects depend on the table/),
        });
        expect(await engine.query(`SELECT id FROM ${SCHEMA}.${t.name}_v`)).toEqual([{ id: "a" }]);
      },
    );
});

describe.skipIf(!postgresAvailable)("copyTable DuckDB → PostgreSQL (CSV push-down)", () => {
  it("an overwrite replaces the target's schema as writeTable does", async () => {
    const duck = await DuckDBEngine.create({ memoryLimit: "256MB", threads: 2 });
    const pg = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 });
    const schema = `${SCHEMA}_copy`;
    try {
      await pg.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pg.run(`CREATE SCHEMA ${schema}`);
      await pg.run(`CREATE TABLE ${schema}.t (id VARCHAR)`);
      await pg.run(`INSERT INTO ${schema}.t VALUES ('old')`);
      await copyTable(
        duck,
        { sql: "SELECT CAST(5 AS BIGINT) AS id" },
        pg,
        { schema, name: "t" },
        { mode: "overwrite" },
      );
      expect((await pg.describe({ schema, name: "t" }))?.fields.map((f) => f.type)).toEqual(["bigint"]);
      expect(await pg.query(`SELECT id FROM ${schema}.t`)).toEqual([{ id: 5 }]);
    } finally {
      await pg.run(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pg.close();
      await duck.close();
    }
  });
});

async function* one<T>(value: T): AsyncGenerator<T> {
  yield value;
}
