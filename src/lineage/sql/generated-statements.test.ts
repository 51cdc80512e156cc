import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../engines/duckdb/duckdb-engine.js";
import { statementLineage } from "./column-lineage.js";
import { datasetKey } from "./field-set.js";
import { SAMPLE_CATALOG } from "./lineage-throughput.js";
import type { DatasetName, SyncColumnCatalog } from "./lineage-types.js";
import { SAMPLE_TABLES, sampleStatements } from "./sample-statements.js";
import { statementShape } from "./statement-shape.js";

/**
 * 300 generated statements: none may throw, the valid ones parse, and the column names
 * lineage gives are the ones DuckDB itself gives the query (DESCRIBE on real tables), so
 * star expansion, USING, set operations and DuckDB's naming of unaliased expressions agree
 * with the engine.
 */
describe("statementLineage over generated statements", () => {
  let engine: DuckDBEngine;
  const directory = mkdtempSync(join(tmpdir(), "weir-lineage-"));
  const statements = sampleStatements(300, 2024);

  beforeAll(async () => {
    engine = await DuckDBEngine.create();
    await engine.run("CREATE SCHEMA dw");
    for (const [name, columns] of Object.entries(SAMPLE_TABLES)) {
      await engine.run(`CREATE TABLE ${name} (${columns.map((c) => `${c} INTEGER`).join(", ")})`);
    }
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("names the columns of tables, views and files as DuckDB makes them", async () => {
    await engine.run("CREATE TABLE w (a INTEGER, b INTEGER, a_1 INTEGER)");
    const catalog: SyncColumnCatalog = {
      columnsOf: (d: DatasetName) =>
        "file" in d ? undefined : d.name === "w" ? ["a", "b", "a_1"] : SAMPLE_TABLES[d.name],
    };
    const file = join(directory, "out.parquet");
    const statements = [
      `CREATE TABLE made_1 AS SELECT a, A, a, a_1, b AS "A_1" FROM w`,
      "CREATE TABLE made_2 AS SELECT * FROM (SELECT W.A, w.a FROM w) s, (SELECT id AS A FROM t) r",
      "CREATE VIEW made_3 AS SELECT sum(a), sum(a), count(*) FROM w",
      `COPY (SELECT T.A, u.*, t.id FROM t JOIN u USING (id)) TO '${file}' (FORMAT parquet)`,
    ];
    for (const sql of statements) {
      const lineage = await statementLineage(sql, catalog);
      expect(lineage.parsed, sql).toBe(true);
      await engine.run(sql);
      const made = sql.startsWith("COPY") ? `'${file}'` : /made_\d/.exec(sql)![0];
      const described = await engine.query<{ column_name: string }>(`DESCRIBE SELECT * FROM ${made}`);
      expect(
        lineage.columns.map((c) => c.name),
        sql,
      ).toEqual(described.map((r) => r.column_name));
    }
  });

  it("never throws, and names every output column as DuckDB does", async () => {
    let compared = 0;
    let unparsed = 0;
    for (const sql of statements) {
      const lineage = await statementLineage(sql, SAMPLE_CATALOG);
      if (!lineage.parsed) {
        unparsed++;
        expect(lineage.reason, sql).toBeTruthy();
        continue;
      }
      expect(lineage.kind, sql).not.toBe("other");
      // Every input field is one of the statement's inputs, and every input a sample table or file.
      const inputs = new Set(lineage.inputs.map(datasetKey));
      for (const field of [...lineage.columns.flatMap((c) => c.inputFields), ...lineage.datasetLevel]) {
        expect(inputs.has(datasetKey(field.table)), sql).toBe(true);
        expect(field.transformations.length).toBeGreaterThan(0);
      }
      const shape = statementShape(sql);
      if (shape.kind === "other" || shape.kind === "insert_select" || shape.selectSql === undefined) continue;
      const described = await engine
        .query<{ column_name: string }>(`DESCRIBE ${shape.selectSql}`)
        .catch(() => undefined);
      // read_parquet of files that do not exist cannot be described; the rest must be.
      if (!described) {
        expect(
          lineage.inputs.some((i) => "file" in i),
          sql,
        ).toBe(true);
        continue;
      }
      expect(
        lineage.columns.map((c) => c.name),
        sql,
      ).toEqual(described.map((r) => r.column_name));
      compared++;
    }
    // About one in twenty is cut short on purpose; most of the rest are compared with DuckDB.
    expect(unparsed).toBeGreaterThan(0);
    expect(unparsed).toBeLessThan(statements.length / 10);
    expect(compared).toBeGreaterThan(170);
  });
});
