import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PostgresEngine } from "../../src/engines/postgres/postgres-engine.js";
import { assertNoUnmaskedPii } from "../../src/governance/pii/pii-guard.js";
import { scanTable } from "../../src/governance/pii/scan-table.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

const SCHEMA = `pii_scan_${process.pid}`;

// The same scan on PostgreSQL: its types (bigint, numeric, date, text) reach the detectors
// as the batch contract says, and the guard reads through a read-only session there too.
describe.skipIf(!postgresAvailable)("scanTable on PostgreSQL", () => {
  let pg: PostgresEngine;

  beforeAll(async () => {
    pg = await PostgresEngine.create({ url: POSTGRES_URL });
    await pg.run(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await pg.run(`CREATE SCHEMA "${SCHEMA}"`);
    await pg.run(`CREATE TABLE "${SCHEMA}".customers AS SELECT
        100000 + i AS customer_id,
        (ARRAY['Anna', 'Ben', 'Chloé'])[1 + i % 3] || ' ' || (ARRAY['Müller', 'Smith'])[1 + i % 2] AS full_name,
        'user' || i || '@example.com' AS email,
        '+49 ' || (170 + i % 9) || ' ' || lpad((i * 7919 % 10000000)::text, 7, '0') AS phone,
        (ARRAY[4111111111111111, 5555555555554444])[1 + i % 2]::bigint AS card_number,
        (ARRAY[4111111111111111, 5555555555554444])[1 + i % 2]::numeric(19, 0) AS pan,
        DATE '1960-01-01' + (i * 37 % 15000) AS date_of_birth,
        4000000000000000 + i AS order_number,
        i % 2 = 0 AS active
      FROM generate_series(0, 499) AS i`);
  });
  afterAll(async () => {
    await pg.run(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await pg.close();
  });

  it("classifies the columns of a PostgreSQL table", async () => {
    const report = await scanTable(pg, { schema: SCHEMA, name: "customers" }, { sampleRows: 200 });
    expect(report.rowsScanned).toBe(200);
    expect(Object.fromEntries(report.columns.map((c) => [c.column, c.classes.map((f) => f.class)]))).toEqual({
      customer_id: [],
      full_name: ["person_name"],
      email: ["email"],
      phone: ["phone"],
      card_number: ["payment_card"],
      pan: ["payment_card"],
      date_of_birth: ["date_of_birth"],
      order_number: [],
      active: [],
    });
  });

  it("fails the guard on raw PII, naming the columns", async () => {
    const result = await assertNoUnmaskedPii(
      pg,
      { schema: SCHEMA, name: "customers" },
      { allow: ["full_name", "date_of_birth"], throwOnFindings: false },
    );
    expect(result.error?.code).toBe("PII_UNMASKED");
    expect(result.findings.map((f) => f.column)).toEqual(["email", "phone", "card_number", "pan"]);
  });
});
