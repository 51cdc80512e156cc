import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CsvSource } from "../../src/connectors/csv-source.js";
import { JsonSource } from "../../src/connectors/json-source.js";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

// Rejections are asserted from ExtractResult.rejections; the callback is only required by older contracts.
const noReject = { reject: () => {} };

// On an engine that cannot read files, a file source parses in a private DuckDB first: the
// PostgreSQL table must get the types the whole file settled on, not the sniffed ones.
const SCHEMA = `weir_file_sources_${process.pid}`;
const LATE = 25_000;

describe.skipIf(!postgresAvailable)("file sources into PostgreSQL", () => {
  let pg: PostgresEngine;
  const dir = mkdtempSync(join(tmpdir(), "weir-pg-files-"));

  beforeAll(async () => {
    pg = await PostgresEngine.create({ url: POSTGRES_URL });
    await pg.run(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  });
  afterAll(async () => {
    await pg.run(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await pg.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lands a zip column whose zero-prefixed values come after the sniffer's sample as text", async () => {
    const lines = ["id,zip"];
    for (let i = 0; i < LATE + 10; i++) lines.push(`${i},${i < LATE ? 10_000 + i : `0050${i % 10}`}`);
    writeFileSync(join(dir, "zips.csv"), `${lines.join("\n")}\n`);
    const source = new CsvSource({ path: join(dir, "zips.csv") });
    const result = await source.extract(pg, { schema: SCHEMA, name: "zips" }, noReject);
    expect(result).toMatchObject({ rowsRead: LATE + 10, rowsLoaded: LATE + 10, rejections: [] });
    expect(
      (await pg.describe({ schema: SCHEMA, name: "zips" }))?.fields.map((f) => `${f.name}:${f.type}`),
    ).toEqual(["id:bigint", "zip:varchar"]);
    expect(await pg.query(`SELECT zip FROM "${SCHEMA}".zips WHERE id IN (0, ${LATE}) ORDER BY id`)).toEqual([
      { zip: "10000" },
      { zip: "00500" },
    ]);
    await source.close();
  });

  it("lands a JSON array with a mixed-kind field as text and rejects what is not an object", async () => {
    const records = [
      ...Array.from({ length: 20 }, (_, i) => ({ id: i, title: i % 5 ? `t${i}` : i })),
      "oops",
    ];
    writeFileSync(join(dir, "items.json"), JSON.stringify(records));
    const source = new JsonSource({ path: join(dir, "items.json") });
    const result = await source.extract(pg, { schema: SCHEMA, name: "items" }, noReject);
    expect(result).toMatchObject({ rowsRead: 21, rowsLoaded: 20 });
    expect(result.rejections.map((r) => [r.line, r.expected])).toEqual([[21, "a JSON object"]]);
    expect(
      await pg.query(`SELECT id FROM "${SCHEMA}".items WHERE title = '5' OR title = 't6' ORDER BY id`),
    ).toEqual([{ id: 5 }, { id: 6 }]);
    await source.close();
  });
});
