import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../../test/support/servers.js";
import type { Engine } from "../../engines/engine.js";
import { openEngine } from "../../engines/open-engine.js";
import { dateKeySql, timeKeySql } from "./time-keys-sql.js";

/** Instants around day, hour and second boundaries, with their UTC date_key and time_keys. */
const CASES: [string, number, number, number][] = [
  ["2024-06-02T23:59:59.999999Z", 20240602, 2359, 235959],
  ["2024-06-03T00:00:00Z", 20240603, 0, 0],
  ["2024-12-31T13:05:09.5Z", 20241231, 1305, 130509],
  // An offset in the input is only notation: the key is the UTC wall clock.
  ["2024-01-01T01:30:00+02:00", 20231231, 2330, 233000],
  ["1999-02-28T09:00:00Z", 19990228, 900, 90000],
];

function suite(name: string, open: () => Promise<Engine>): void {
  describe(`time keys on ${name}`, () => {
    let engine: Engine;
    beforeAll(async () => {
      engine = await open();
    });
    afterAll(async () => engine?.close());

    it("derives yyyymmdd, hhmm and hhmmss in UTC whatever the session's time zone", async () => {
      // A session zone far from UTC must not move the keys (one connection: a transaction).
      await engine.transaction(async (tx) => {
        await tx.run("SET TimeZone = 'Asia/Tokyo'");
        const [naive] = await tx.query<{ h: unknown }>(
          "SELECT EXTRACT(HOUR FROM CAST('2024-06-03T00:00:00Z' AS TIMESTAMPTZ)) AS h",
        );
        expect(Number(naive!.h)).toBe(9); // the zone is in effect for a naive extract
        for (const [at, date, minute, second] of CASES) {
          const t = "CAST($1 AS TIMESTAMPTZ)";
          const [row] = await tx.query<{ d: unknown; m: unknown; s: unknown }>(
            `SELECT ${dateKeySql(tx, t)} AS d, ${timeKeySql(tx, t, "minute")} AS m, ${timeKeySql(tx, t, "second")} AS s`,
            [at],
          );
          expect([Number(row!.d), Number(row!.m), Number(row!.s)], at).toEqual([date, minute, second]);
        }
        await tx.run("SET TimeZone = 'UTC'");
      });
      const [types] = await engine.query<{ d: string }>(
        `SELECT ${engine.kind === "duckdb" ? "typeof" : "pg_typeof"}(${dateKeySql(engine, "CAST('2024-01-01T00:00:00Z' AS TIMESTAMPTZ)")})::text AS d`,
      );
      expect(types!.d.toLowerCase()).toBe("integer");
    });
  });
}

suite("DuckDB", () => openEngine(":memory:"));
describe.skipIf(!postgresAvailable)("PostgreSQL", () => {
  suite("PostgreSQL", () => openEngine(POSTGRES_URL));
});
