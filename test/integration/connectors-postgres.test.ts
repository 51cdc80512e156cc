import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CsvSource } from "../../src/connectors/csv-source.js";
import { EngineTableSink } from "../../src/connectors/engine-table-sink.js";
import { PostgresSource } from "../../src/connectors/postgres-source.js";
import { collectBatches } from "../../src/core/batch.js";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

const SCHEMA = `weir_connectors_${process.pid}`;
const day = (d: string) => ({
  start: new Date(`${d}T00:00:00Z`),
  end: new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000),
});
const noReject = { reject: () => {} };

describe.skipIf(!postgresAvailable)("connectors on PostgreSQL", () => {
  let pg: PostgresEngine;
  let duck: DuckDBEngine;
  const dir = mkdtempSync(join(tmpdir(), "weir-pg-conn-"));

  beforeAll(async () => {
    pg = await PostgresEngine.create({ url: POSTGRES_URL });
    duck = await DuckDBEngine.create();
    await pg.run(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await pg.run(`CREATE SCHEMA "${SCHEMA}"`);
    await pg.run(
      `CREATE TABLE "${SCHEMA}".orders (id integer PRIMARY KEY, amount numeric(10,2), updated_at timestamp, note text)`,
    );
    await pg.run(
      `INSERT INTO "${SCHEMA}".orders SELECT i, i * 1.25, TIMESTAMP '2024-02-01' + (i % 3) * INTERVAL '1 day' + (i % 24) * INTERVAL '1 hour', 'n' || i
         FROM generate_series(1, 30000) AS i`,
    );
  });
  afterAll(async () => {
    await pg.run(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await pg.close();
    await duck.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("streams a table in batches with the schema from PostgreSQL", async () => {
    const source = new PostgresSource({ engine: pg, table: `${SCHEMA}.orders`, batchSize: 10_000 });
    expect((await source.schema()).fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      "id:integer",
      "amount:decimal",
      "updated_at:timestamp",
      "note:varchar",
    ]);
    let rows = 0;
    let batches = 0;
    for await (const b of source.read(noReject)) {
      rows += b.numRows;
      batches++;
    }
    expect(rows).toBe(30_000);
    expect(batches).toBeGreaterThanOrEqual(3);
  });

  it("pushes the interval down with bound parameters: disjoint, repeatable, high-water mark", async () => {
    const source = new PostgresSource({
      url: POSTGRES_URL,
      table: `${SCHEMA}.orders`,
      incremental: { cursorColumn: "updated_at" },
    });
    const a = await source.extract(duck, { name: "feb2" }, { ...noReject, interval: day("2024-02-02") });
    const b = await source.extract(duck, { name: "feb3" }, { ...noReject, interval: day("2024-02-03") });
    const again = await source.extract(duck, { name: "feb2b" }, { ...noReject, interval: day("2024-02-02") });
    expect(a.rowsLoaded).toBe(10_000);
    expect(a.rowsSkipped).toBe(0);
    expect(b.rowsLoaded).toBe(10_000);
    expect(again.rowsLoaded).toBe(10_000);
    expect(a.cursor).toBe("2024-02-02 22:00:00");
    expect(await duck.query("SELECT count(*)::INT AS n FROM feb2 JOIN feb3 USING (id)")).toEqual([{ n: 0 }]);
    expect(
      await duck.query("SELECT count(*)::INT AS n FROM (SELECT id FROM feb2 EXCEPT SELECT id FROM feb2b)"),
    ).toEqual([{ n: 0 }]);
    const since = await collectBatches(source.read({ ...noReject, since: "2024-02-03 21:00:00" }));
    expect(since.length).toBeGreaterThan(0);
    expect(since.every((r) => String(r.updated_at) > "2024-02-03 21:00:00")).toBe(true);
    await source.close();
  });

  it("extracts inside PostgreSQL when the target is the same engine", async () => {
    const source = new PostgresSource({
      engine: pg,
      query: `SELECT id, updated_at FROM "${SCHEMA}".orders WHERE id <= 3000`,
      incremental: { cursorColumn: "updated_at" },
    });
    const result = await source.extract(
      pg,
      { schema: SCHEMA, name: "copy" },
      { ...noReject, interval: day("2024-02-01") },
    );
    expect(result).toMatchObject({ rowsLoaded: 1000, rowsRead: 1000, cursor: "2024-02-01 21:00:00" });
    expect(await pg.query(`SELECT count(*)::int AS n FROM "${SCHEMA}".copy`)).toEqual([{ n: 1000 }]);
  });

  it("lands a CSV file in PostgreSQL through batches with rejections, and a sink upserts", async () => {
    writeFileSync(join(dir, "c.csv"), "id,name\n1,ann\nx,bad\n2,bo\n");
    const source = new CsvSource({ path: join(dir, "c.csv"), columns: { id: "integer" } });
    const result = await source.extract(pg, { schema: SCHEMA, name: "csv_people" }, noReject);
    expect(result.rowsLoaded).toBe(2);
    expect(result.rejections).toMatchObject([{ line: 3, column: "id", expected: "integer", value: "x" }]);
    const sink = new EngineTableSink({
      engine: pg,
      table: { schema: SCHEMA, name: "people" },
      mode: "upsert",
      key: ["id"],
    });
    await sink.write({ batches: source.read(noReject) });
    await sink.write({ batches: source.read(noReject) });
    expect(await pg.query(`SELECT id, name FROM "${SCHEMA}".people ORDER BY id`)).toEqual([
      { id: 1, name: "ann" },
      { id: 2, name: "bo" },
    ]);
    await source.close();
  });
});
