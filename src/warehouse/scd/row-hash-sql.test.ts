import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../../test/support/servers.js";
import type { Engine } from "../../engines/engine.js";
import { openEngine } from "../../engines/open-engine.js";
import { sqlTypeName, type WarehouseType } from "../model/column-types.js";
import { canonicalTextSql, type HashedValue, hexBitsSql, rowHashSql } from "./row-hash-sql.js";

/** [type, input text cast to the type (null: SQL NULL), the canonical text expected on every engine]. */
const CASES: [WarehouseType, string | null, string | null][] = [
  ["varchar", null, null],
  ["varchar", "", ""],
  ["varchar", "null", "null"],
  ["varchar", "\\N", "\\\\N"],
  ["varchar", "a|b", "a\\|b"],
  ["varchar", "ünïcødé ✓ 日本", "ünïcødé ✓ 日本"],
  ["boolean", "true", "true"],
  ["boolean", "false", "false"],
  ["integer", "-42", "-42"],
  ["bigint", "9007199254740993", "9007199254740993"],
  ["uuid", "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"],
  ["decimal(18,2)", "1.50", "1.5"],
  ["decimal(18,2)", "10.00", "10"],
  ["decimal(18,2)", "0", "0"],
  ["decimal(18,2)", "-0.05", "-0.05"],
  ["decimal", "1.5", "1.5"],
  ["decimal(18,0)", "100", "100"],
  ["double", "100", "100"],
  ["double", "-0.0", "0"],
  ["double", "0.1", "0.1"],
  ["double", "1.5e-7", "1.5e-07"],
  ["double", "1e20", "1e+20"],
  ["double", "1000000000000000.5", "1.0000000000000005e+15"],
  ["double", "NaN", "NaN"],
  ["double", "-Infinity", "-Infinity"],
  ["date", "2024-06-01", "2024-06-01"],
  ["timestamp", "2024-06-01 10:00:00", "2024-06-01T10:00:00.000000"],
  ["timestamp", "2024-06-01 10:00:00.5", "2024-06-01T10:00:00.500000"],
  ["timestamptz", "2024-06-01 10:00:00.123456+02", "2024-06-01T08:00:00.123456Z"],
];

/** Rows that must hash differently from each other (the separator and NULL marker cannot be forged). */
const DISTINCT_ROWS: (string | null)[][] = [
  ["a|b", "c"],
  ["a", "b|c"],
  ["a\\", "|c"],
  [null, "x"],
  ["\\N", "x"],
  ["", "x"],
  ["null", "x"],
  ["NULL", "x"],
];

function hashSuite(name: string, open: () => Promise<Engine>): void {
  describe(`row hash SQL on ${name}`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await open();
    });
    afterAll(async () => {
      await engine?.close();
    });

    const cast = (type: WarehouseType) => `CAST(CAST($1 AS VARCHAR) AS ${sqlTypeName(engine.kind, type)})`;

    it.each(CASES)("%s %j → %j", async (type, input, expected) => {
      const [row] = await engine.query<{ t: string | null }>(
        `SELECT ${canonicalTextSql(engine.kind, cast(type), type)} AS t`,
        [input],
      );
      expect(row!.t).toBe(expected);
    });

    it("gives rows that differ only in where a value ends, or in NULL vs text, different hashes", async () => {
      const values: HashedValue[] = [
        { sql: "CAST($1 AS VARCHAR)", type: "varchar" },
        { sql: "CAST($2 AS VARCHAR)", type: "varchar" },
      ];
      const hashes = new Set<string>();
      for (const row of DISTINCT_ROWS) {
        const [r] = await engine.query<{ h: string }>(`SELECT ${rowHashSql(engine.kind, values)} AS h`, row);
        expect(r!.h).toMatch(/^[0-9a-f]{32}$/);
        hashes.add(r!.h);
      }
      expect(hashes.size).toBe(DISTINCT_ROWS.length);
    });

    it("hashes a known row to the md5 of its canonical text", async () => {
      const values: HashedValue[] = [
        { sql: "CAST('x|y' AS VARCHAR)", type: "varchar" },
        { sql: "CAST(NULL AS VARCHAR)", type: "varchar" },
        { sql: "CAST('true' AS BOOLEAN)", type: "boolean" },
      ];
      const [r] = await engine.query<{ h: string }>(`SELECT ${rowHashSql(engine.kind, values)} AS h`);
      const { createHash } = await import("node:crypto");
      expect(r!.h).toBe(createHash("md5").update("x\\|y|\\N|true").digest("hex"));
    });

    it("reads 60 bits of an md5 as a bigint", async () => {
      const [r] = await engine.query<{ n: unknown }>(
        `SELECT CAST(${hexBitsSql(engine.kind, "md5('a')", 1)} AS VARCHAR) AS n`,
      );
      // md5('a') = 0cc175b9c0f1b6a8…; its first 15 hex digits as an integer.
      expect(r!.n).toBe(BigInt("0x0cc175b9c0f1b6a").toString());
    });
  });
}

hashSuite("DuckDB", () => openEngine(":memory:"));
describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  hashSuite("PostgreSQL", () => openEngine(POSTGRES_URL));
});
