import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../test/support/servers.js";
import type { TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { openEngine } from "../engines/open-engine.js";
import { canonicalJson, canonicalTimestamp, tableContentHash } from "./content-hash.js";
import { sqlTypeName, type WarehouseType } from "./model/column-types.js";

/** One column per warehouse type; the decimal(18,2) column is what money columns use. */
const COLUMNS: [string, WarehouseType][] = [
  ["b", "boolean"],
  ["i", "integer"],
  ["big", "bigint"],
  ["dbl", "double"],
  ["dec", "decimal"],
  ["money", "decimal(18,2)"],
  ["txt", "varchar"],
  ["d", "date"],
  ["ts", "timestamp"],
  ["tz", "timestamptz"],
  ["j", "json"],
  ["bl", "blob"],
  ["u", "uuid"],
];

/** Rows written the same way on both engines (as parameters cast to the column types). */
const ROWS: unknown[][] = [
  [
    true,
    1,
    "9007199254740993",
    "0.1",
    "123.4500",
    "10.50",
    "hello",
    "2024-06-01",
    "2024-06-01 10:00:00.5",
    "2024-06-01T10:00:00.123456Z",
    '{"b": 1, "a": [1, 2.50, {"z": null, "y": "é"}]}',
    new Uint8Array([0, 10, 255]),
    "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
  ],
  [
    false,
    -2147483648,
    "-1",
    "-1.5e300",
    "-0.0000000001",
    "-0.00",
    'we"ird; drop',
    "1970-01-01",
    "2024-12-31 23:59:59",
    "2024-01-01T00:00:00Z",
    "[]",
    new Uint8Array([]),
    "00000000-0000-0000-0000-000000000000",
  ],
  [null, null, null, null, null, null, null, null, null, null, null, null, null],
];

/** The same table on any engine: DDL from the model's type names, rows bound as parameters. */
async function createTypesTable(engine: Engine, table: TableRef): Promise<void> {
  const d = engine.dialect;
  const cols = COLUMNS.map(([n, t]) => `${d.quoteIdent(n)} ${sqlTypeName(engine.kind, t)}`).join(", ");
  await engine.run(`CREATE TABLE ${d.quoteTable(table)} (${cols})`);
  const casts = COLUMNS.map(([, t], i) => `CAST($${i + 1} AS ${sqlTypeName(engine.kind, t)})`).join(", ");
  for (const row of ROWS) await engine.run(`INSERT INTO ${d.quoteTable(table)} VALUES (${casts})`, row);
}

const SCHEMA = `weir_hash_${process.pid}_${Date.now().toString(36)}`;

describe("canonical forms", () => {
  it("pads timestamps to microseconds and marks instants with Z", () => {
    expect(canonicalTimestamp("2024-01-02 03:04:05", "")).toBe("2024-01-02T03:04:05.000000");
    expect(canonicalTimestamp("2024-01-02T03:04:05.5Z", "Z")).toBe("2024-01-02T03:04:05.500000Z");
    expect(canonicalTimestamp("infinity", "")).toBe("infinity");
  });

  it("sorts JSON keys and drops spaces, leaving non-JSON text alone", () => {
    expect(canonicalJson('{"b": 1, "a": {"d": [1, 2.50], "c": null}}')).toBe(
      '{"a":{"c":null,"d":[1,2.5]},"b":1}',
    );
    expect(canonicalJson("not json")).toBe("not json");
  });
});

function hashSuite(name: string, open: () => Promise<Engine>): void {
  describe(`tableContentHash on ${name}`, () => {
    let engine: Engine;
    const table: TableRef = { schema: SCHEMA, name: 'types "x"; drop' };

    beforeAll(async () => {
      engine = await open();
      await engine.createSchema(SCHEMA);
      await createTypesTable(engine, table);
    });
    afterAll(async () => {
      if (!engine) return;
      await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(SCHEMA)} CASCADE`);
      await engine.close();
    });

    it("does not depend on row order", async () => {
      const q = engine.dialect.quoteTable(table);
      const asc = await tableContentHash(engine, { sql: `SELECT * FROM ${q} ORDER BY i ASC NULLS FIRST` });
      const desc = await tableContentHash(engine, { sql: `SELECT * FROM ${q} ORDER BY i DESC NULLS LAST` });
      expect(asc).toEqual(desc);
      expect(asc).toEqual(await tableContentHash(engine, table));
      expect(asc.rows).toBe(3);
    });

    it("changes when any one value of any column changes", async () => {
      const base = await tableContentHash(engine, table);
      const q = engine.dialect.quoteTable(table);
      const seen = new Set([base.hash]);
      for (const [col] of COLUMNS) {
        // Second row's value replaced by the first row's, inside a transaction rolled back after.
        const changed = await engine
          .transaction(async (tx) => {
            const c = engine.dialect.quoteIdent(col);
            await tx.run(`UPDATE ${q} SET ${c} = (SELECT ${c} FROM ${q} WHERE i = 1) WHERE i = -2147483648`);
            throw new Rollback(await tableContentHash(tx, table));
          })
          .catch((e: unknown) => {
            if (e instanceof Rollback) return e.hash;
            throw e;
          });
        expect(changed.rows, col).toBe(3);
        expect(seen.has(changed.hash), `changing ${col} changes the hash`).toBe(false);
        seen.add(changed.hash);
      }
      expect(await tableContentHash(engine, table)).toEqual(base);
    });

    it("is the sum of each row's SHA-256 (first 8 bytes) of its canonical JSON text", async () => {
      const sql = "SELECT 1 AS a, 'x' AS b, CAST(NULL AS INTEGER) AS c UNION ALL SELECT 2, 'y', 3";
      const rowHash = (text: string) => createHash("sha256").update(text).digest().readBigUInt64BE(0);
      const expected = (rowHash('["1","x",null]') + rowHash('["2","y","3"]')) & ((1n << 64n) - 1n);
      expect(await tableContentHash(engine, { sql })).toEqual({
        rows: 2,
        hash: expected.toString(16).padStart(16, "0"),
      });
    });

    it("counts duplicate rows (a multiset, not a set)", async () => {
      const q = engine.dialect.quoteTable(table);
      const once = await tableContentHash(engine, { sql: `SELECT * FROM ${q} WHERE i = 1` });
      const twice = await tableContentHash(engine, {
        sql: `SELECT * FROM ${q} WHERE i = 1 UNION ALL SELECT * FROM ${q} WHERE i = 1`,
      });
      expect(twice.rows).toBe(2);
      expect(twice.hash).not.toBe(once.hash);
      expect(BigInt(`0x${twice.hash}`)).toBe((BigInt(`0x${once.hash}`) * 2n) & ((1n << 64n) - 1n));
    });
  });
}

class Rollback extends Error {
  constructor(readonly hash: { rows: number; hash: string }) {
    super("rollback");
  }
}

hashSuite("DuckDB", () => openEngine(":memory:"));

describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  hashSuite("PostgreSQL", () => openEngine(POSTGRES_URL));

  it("gives the same hash on DuckDB and PostgreSQL for the same rows", async () => {
    const duck = await openEngine(":memory:");
    const pg = await openEngine(POSTGRES_URL);
    const schema = `${SCHEMA}_both`;
    const table: TableRef = { schema, name: "all_types" };
    try {
      const hashes = [];
      for (const engine of [duck, pg]) {
        await engine.createSchema(schema);
        await createTypesTable(engine, table);
        hashes.push(await tableContentHash(engine, table));
      }
      expect(hashes[0]!.rows).toBe(3);
      expect(hashes[1]).toEqual(hashes[0]);
      // And a query over it: jsonb's reordered keys and numeric scale do not show.
      const sql = (e: Engine) => `SELECT j, money, tz FROM ${e.dialect.quoteTable(table)}`;
      expect(await tableContentHash(pg, { sql: sql(pg) })).toEqual(
        await tableContentHash(duck, { sql: sql(duck) }),
      );
    } finally {
      await pg.run(`DROP SCHEMA IF EXISTS ${pg.dialect.quoteIdent(schema)} CASCADE`);
      await duck.close();
      await pg.close();
    }
  });
});
