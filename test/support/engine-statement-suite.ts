import { randomBytes } from "node:crypto";
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { batchFromRows, collectBatches } from "../../src/core/batch.js";
import type { TableRef } from "../../src/core/types.js";
import type { Engine } from "../../src/engines/engine.js";

/**
 * Part of the engine conformance suite: every call that takes SQL text runs ONE statement,
 * and `readOnly` sessions cannot write. `context` gives the suite's engine and schema.
 */
export function statementConformance(context: () => { engine: Engine; schema: string }): void {
  // In /tmp itself, so a PostgreSQL server on this machine could write there if it were let.
  const files: string[] = [];
  const serverFile = () => {
    const file = path.join(tmpdir(), `weir-ro-${randomBytes(6).toString("hex")}.csv`);
    files.push(file);
    return file;
  };
  afterAll(() => {
    for (const file of files) rmSync(file, { force: true });
  });

  describe("one statement per call, read-only sessions", () => {
    const setup = async (name: string): Promise<{ engine: Engine; table: string; ref: TableRef }> => {
      const { engine, schema } = context();
      const ref = { schema, name };
      await engine.createTable(ref, { fields: [{ name: "v", type: "integer" }] });
      await engine.run(`INSERT INTO ${engine.dialect.quoteTable(ref)} VALUES (1)`);
      return { engine, table: engine.dialect.quoteTable(ref), ref };
    };
    const rows = async (engine: Engine, table: string) =>
      (await engine.query(`SELECT v FROM ${table} ORDER BY v`)).map((r) => r.v);

    it("refuses text holding two statements in run, query, stream and queryWithSettings, running neither", async () => {
      const { engine, table } = await setup("two_statements");
      const insertThenDrop = `INSERT INTO ${table} VALUES (2); DROP TABLE ${table}`;
      const selectThenDrop = `SELECT 1 AS n; DROP TABLE ${table}`;
      const refused = {
        code: "ENGINE_QUERY_FAILED",
        message: expect.stringMatching(/one statement per call/),
      };
      await expect(engine.run(insertThenDrop)).rejects.toMatchObject(refused);
      await expect(engine.query(selectThenDrop)).rejects.toMatchObject(refused);
      await expect(
        engine.query(`SELECT CAST($1 AS INTEGER) AS n; DROP TABLE ${table}`, [1]),
      ).rejects.toMatchObject(refused);
      await expect(collectBatches(engine.stream(selectThenDrop))).rejects.toMatchObject(refused);
      await expect(
        collectBatches(engine.stream(`SELECT CAST($1 AS INTEGER) AS n; DROP TABLE ${table}`, [1])),
      ).rejects.toMatchObject(refused);
      if (engine.queryWithSettings)
        await expect(
          engine.queryWithSettings(
            engine.kind === "duckdb" ? { threads: 1 } : { enable_hashagg: false },
            selectThenDrop,
          ),
        ).rejects.toMatchObject(refused);
      await expect(engine.transaction((tx) => tx.run(insertThenDrop))).rejects.toMatchObject(refused);
      await expect(engine.readOnly((ro) => ro.query(selectThenDrop))).rejects.toMatchObject(refused);
      expect(await rows(engine, table)).toEqual([1]);
    });

    it("still takes one statement with a trailing semicolon or comment", async () => {
      const { engine } = context();
      expect(await engine.query("SELECT 1 AS n;")).toEqual([{ n: 1 }]);
      expect(await engine.query("SELECT 1 AS n -- the end")).toEqual([{ n: 1 }]);
      expect(await engine.query("SELECT ';' AS s")).toEqual([{ s: ";" }]);
    });

    it("reads in a read-only session and refuses every kind of write there, leaving data and files alone", async () => {
      const { engine, table, ref } = await setup("read_only");
      const { schema } = context();
      const sequence = engine.dialect.quoteTable({ schema, name: "read_only_seq" });
      await engine.run(`CREATE SEQUENCE ${sequence}`);
      const read = await engine.readOnly(async (ro) => ({
        rows: await rows(ro, table),
        described: (await ro.describe(ref))?.fields.map((f) => f.name),
        streamed: (await collectBatches(ro.stream(`SELECT v FROM ${table}`))).map((r) => r.v),
      }));
      expect(read).toEqual({ rows: [1], described: ["v"], streamed: [1] });
      const copied = serverFile();
      const writes = [
        `INSERT INTO ${table} VALUES (2)`,
        `UPDATE ${table} SET v = 3`,
        `DELETE FROM ${table} RETURNING *`,
        `WITH gone AS (DELETE FROM ${table} RETURNING *) SELECT * FROM gone`,
        `CREATE TABLE ${engine.dialect.quoteTable({ schema, name: "read_only_created" })} AS SELECT 1 AS v`,
        `DROP TABLE ${table}`,
        `COPY (SELECT 42 AS answer) TO '${copied}'`,
        `SELECT nextval('${schema}.read_only_seq') AS n`,
        `SELECT lo_export(lo_from_bytea(0, 'x'), '${serverFile()}') AS n`,
      ];
      for (const sql of writes) {
        await expect(
          engine.readOnly((ro) => ro.query(sql)),
          sql,
        ).rejects.toMatchObject({
          code: "ENGINE_QUERY_FAILED",
        });
      }
      await expect(
        engine.readOnly((ro) =>
          ro.load(ref, [batchFromRows({ fields: [{ name: "v", type: "integer" }] }, [{ v: 9 }])]),
        ),
      ).rejects.toMatchObject({ code: "ENGINE_QUERY_FAILED" });
      await expect(
        engine.readOnly((ro) =>
          ro.createTable({ schema, name: "read_only_made" }, { fields: [{ name: "v", type: "integer" }] }),
        ),
      ).rejects.toMatchObject({ code: "ENGINE_QUERY_FAILED" });
      expect(await rows(engine, table)).toEqual([1]);
      expect(await engine.describe({ schema, name: "read_only_created" })).toBeUndefined();
      for (const file of files) expect(existsSync(file), file).toBe(false);
      // The sequence was never advanced: its first value is still to come.
      expect(await engine.query(`SELECT nextval('${schema}.read_only_seq') AS n`)).toEqual([{ n: 1 }]);
    });

    it("goes on reading in a read-only session after a statement failed at run time", async () => {
      const { engine, schema } = context();
      const table = engine.dialect.quoteTable({ schema, name: "read_only_failing" });
      await engine.run(`CREATE TABLE ${table} AS SELECT 'not a number' AS s`);
      const after = await engine.readOnly(async (ro) => {
        for (let i = 0; i < 3; i++) {
          await expect(ro.query(`SELECT CAST(s AS INTEGER) AS n FROM ${table}`)).rejects.toMatchObject({
            code: "ENGINE_QUERY_FAILED",
          });
          await expect(
            collectBatches(ro.stream(`SELECT CAST(s AS INTEGER) AS n FROM ${table}`)),
          ).rejects.toThrow();
        }
        return ro.query(`SELECT count(*) AS n FROM ${table}`);
      });
      expect(after).toEqual([{ n: 1 }]);
    });

    it("inside a transaction, reads its uncommitted rows read-only and leaves it writable afterwards", async () => {
      const { engine, table } = await setup("read_only_tx");
      await engine.transaction(async (tx) => {
        await tx.run(`INSERT INTO ${table} VALUES (2)`);
        const seen = await tx.readOnly(async (ro) => {
          await expect(ro.run(`INSERT INTO ${table} VALUES (3)`)).rejects.toMatchObject({
            code: "ENGINE_QUERY_FAILED",
          });
          return rows(ro, table);
        });
        expect(seen).toEqual([1, 2]);
        await expect(
          tx.readOnly((ro) => ro.query(`WITH gone AS (DELETE FROM ${table} RETURNING *) SELECT * FROM gone`)),
        ).rejects.toMatchObject({ code: "ENGINE_QUERY_FAILED" });
        await tx.run(`INSERT INTO ${table} VALUES (4)`);
      });
      expect(await rows(engine, table)).toEqual([1, 2, 4]);
    });
  });
}
