import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TableRef } from "../../src/core/types.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../../src/engines/engine.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { runSuite } from "../../src/quality/run-suite.js";
import { defineSuite } from "../../src/quality/suite.js";
import { loadSuiteFile } from "../../src/quality/suite-yaml.js";
import { validateDataset } from "../../src/quality/validate-dataset.js";
import { hostileCondition, serverFile } from "../support/hostile-sql.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

interface Fixture {
  engine: Engine;
  table: TableRef;
  /** A sequence next to the table. */
  sequence: string;
  /** A PostgreSQL large object that exists (lo_export writes an existing one to a server file). */
  largeObject: number;
}

function safetyScenarios(label: string, open: () => Promise<Fixture & { close(): Promise<void> }>): void {
  describe(`checks cannot write: ${label}`, () => {
    let fixture: Fixture & { close(): Promise<void> };
    let dir: string;
    const files: string[] = [];
    const newFile = () => {
      const file = serverFile();
      files.push(file);
      return file;
    };
    const q = () => fixture.engine.dialect.quoteTable(fixture.table);
    const rows = () => fixture.engine.query(`SELECT id, label FROM ${q()} ORDER BY id`);
    const unchanged = async () => {
      expect(await rows()).toEqual([
        { id: 1, label: "a" },
        { id: 2, label: "b" },
      ]);
      for (const file of files) expect(existsSync(file), file).toBe(false);
    };

    beforeAll(async () => {
      fixture = await open();
      dir = mkdtempSync(join(tmpdir(), "weir-quality-safety-"));
      await fixture.engine.run(`CREATE TABLE ${q()} (id INTEGER, label VARCHAR)`);
      await fixture.engine.run(`INSERT INTO ${q()} VALUES (1, 'a'), (2, 'b')`);
      await fixture.engine.run(`CREATE SEQUENCE ${fixture.sequence}`);
    });
    afterAll(async () => {
      await fixture?.close();
      rmSync(dir, { recursive: true, force: true });
      for (const file of files) rmSync(file, { force: true });
    });

    it("refuses the issue's row_condition as a config error at its line, dropping and writing nothing", async () => {
      const condition = hostileCondition(newFile(), q());
      const suiteFile = join(dir, "hostile.suite.yaml");
      writeFileSync(
        suiteFile,
        `name: hostile\nexpectations:\n  - type: expect_table_row_count_to_be_between\n    kwargs:\n      min_value: 1\n      row_condition: ${JSON.stringify(condition)}\n`,
      );
      const error = await loadSuiteFile(suiteFile).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "CONFIG_INVALID" });
      expect((error as Error).message).toMatch(
        /^\S+hostile\.suite\.yaml:6:22: expectations\[0\] \(expect_table_row_count_to_be_between\): invalid arguments:\n {2}row_condition: expected one SQL boolean expression, such as country = 'US': "\)" at character 5 closes a parenthesis/,
      );
      const config = {
        type: "expect_table_row_count_to_be_between",
        kwargs: { min_value: 1, row_condition: condition },
      };
      await expect(validateDataset(fixture.engine, fixture.table, [config])).rejects.toMatchObject({
        code: "CONFIG_INVALID",
      });
      expect(() => defineSuite({ expectations: [config] })).toThrow(/row_condition/);
      await unchanged();
    });

    it("refuses a SQL check of two statements, or of one that writes, as a config error", async () => {
      const suiteFile = join(dir, "two.suite.yaml");
      writeFileSync(
        suiteFile,
        `expectations:\n  - type: expect_column_values_to_not_be_null\n    kwargs: { column: id }\n  - type: expect_sql_to_return_no_rows\n    kwargs:\n      sql: "SELECT 1; DROP TABLE ${q().replaceAll('"', '\\"')}"\n`,
      );
      await expect(loadSuiteFile(suiteFile)).rejects.toThrow(
        /two\.suite\.yaml:6:12: expectations\[1\] \(expect_sql_to_return_no_rows\): invalid arguments:\n {2}sql: expected one SQL query .*";" at character 9 ends a statement/,
      );
      for (const sql of [
        `DELETE FROM ${q()} RETURNING *`,
        `COPY (SELECT 42) TO '${newFile()}'`,
        `CREATE TABLE ${q().slice(0, -1)}2" AS SELECT 1 AS x`,
        `INSERT INTO ${q()} VALUES (3, 'c') RETURNING *`,
      ]) {
        const check = { type: "expect_sql_to_return_no_rows", kwargs: { sql } };
        await expect(validateDataset(fixture.engine, fixture.table, [check]), sql).rejects.toThrow(
          /invalid arguments:\n {2}sql: expected one SQL query .*not a query/,
        );
      }
      await expect(
        validateDataset(fixture.engine, { sql: `SELECT * FROM ${q()}; DROP TABLE ${q()}` }, []),
      ).rejects.toMatchObject({ code: "CONFIG_INVALID" });
      await unchanged();
    });

    it("runs checks read-only: what reads passes, what would write fails alone and writes nothing", async () => {
      const seq = fixture.sequence;
      const suite = defineSuite({
        name: "read_only",
        expectations: [
          {
            type: "expect_column_values_to_not_be_null",
            kwargs: { column: "id", row_condition: "label <> ';' AND label <> ')'" },
          },
          {
            type: "expect_column_values_to_not_be_null",
            kwargs: { column: "label", row_condition: `nextval('${seq}') > 0` },
          },
          {
            type: "expect_sql_to_return_no_rows",
            kwargs: { sql: `SELECT nextval('${seq}') AS n FROM {batch}` },
          },
          {
            type: "expect_sql_to_return_no_rows",
            kwargs: { sql: `WITH gone AS (DELETE FROM ${q()} RETURNING *) SELECT * FROM gone` },
          },
          {
            type: "expect_column_values_to_not_be_null",
            kwargs: { column: "id", row_condition: `lo_export(${fixture.largeObject}, '${newFile()}') > 0` },
          },
          { type: "expect_table_row_count_to_equal", kwargs: { value: 2 } },
        ],
      });
      const result = await runSuite(fixture.engine, fixture.table, suite, { failOnError: false });
      const raised = result.validation.results.map((r) => r.exception_info?.raised_exception === true);
      expect(raised).toEqual([false, true, true, true, true, false]);
      expect(result.validation.results[0]).toMatchObject({ success: true, result: { element_count: 2 } });
      expect(result.validation.results[5]!.success).toBe(true);
      await unchanged();
      // Quarantine writes are not checks: they stay on the writable engine.
      const dataset = `safety_${randomBytes(4).toString("hex")}`;
      const passed = { ...fixture.table, name: "t_passed" };
      const quarantining = defineSuite({
        dataset,
        expectations: [
          {
            type: "expect_column_values_to_not_be_null",
            kwargs: { column: "label", row_condition: "label <> ';'" },
            quarantine: true,
          },
        ],
      });
      const split = await runSuite(fixture.engine, fixture.table, quarantining, {
        quarantine: { passed, logicalDate: "2024-01-31", stage: "check" },
      });
      expect(split.quarantined).toMatchObject({ rowsIn: 2, passed: 2, rows: 0 });
      expect(
        await fixture.engine.query(`SELECT count(*) AS n FROM ${fixture.engine.dialect.quoteTable(passed)}`),
      ).toEqual([{ n: 2 }]);
      await fixture.engine.run(`DROP TABLE quarantine.${dataset}`);
      // The sequence was never advanced.
      expect(await fixture.engine.query(`SELECT nextval('${seq}') AS n`)).toEqual([{ n: 1 }]);
    });
  });
}

safetyScenarios("DuckDB file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "weir-quality-safety-db-"));
  const engine = await DuckDBEngine.create({ path: join(dir, "warehouse.duckdb") });
  return {
    engine,
    table: { name: "t" },
    sequence: "seq",
    largeObject: 1,
    close: async () => {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe.skipIf(!postgresAvailable)("on PostgreSQL", () => {
  safetyScenarios("PostgreSQL schema", async () => {
    const schema = `weir_safety_${randomBytes(4).toString("hex")}`;
    const engine = await PostgresEngine.create({ url: POSTGRES_URL, poolSize: 2 });
    await engine.run(`CREATE SCHEMA ${schema}`);
    const [created] = await engine.query<{ oid: number }>(
      "SELECT CAST(lo_from_bytea(0, 'x') AS INTEGER) AS oid",
    );
    return {
      engine,
      table: { schema, name: "t" },
      sequence: `${schema}.seq`,
      largeObject: created!.oid,
      close: async () => {
        await engine.run(`SELECT lo_unlink(${created!.oid})`);
        await engine.run(`DROP SCHEMA ${schema} CASCADE`);
        await engine.close();
      },
    };
  });
});
