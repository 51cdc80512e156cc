import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../engines/duckdb/duckdb-engine.js";
import { scanTable } from "./scan-table.js";

let engine: DuckDBEngine;

// 1,000 customers shaped as examples/customers/seed.ts makes them, plus a card column stored
// as BIGINT, an SSN column, a free-text notes column and columns that only look like PII.
beforeAll(async () => {
  engine = await DuckDBEngine.create();
  await engine.run(`CREATE TABLE customers AS SELECT
      100000 + i AS customer_id,
      ['Anna', 'Ben', 'Chloé', 'David', 'Emma'][1 + i % 5] || ' ' || ['Müller', 'Smith', 'García', 'Rossi'][1 + i % 4] AS name,
      CASE WHEN i % 50 = 0 THEN NULL ELSE 'user' || i || '@' || ['gmail.com', 'gmx.de', 'proton.me'][1 + i % 3] END AS email,
      DATE '2020-01-01' + INTERVAL (i % 1000) DAY AS registration_date,
      DATE '1950-01-01' + INTERVAL (i * 17 % 18000) DAY AS birth_date,
      TIMESTAMP '2024-01-01' + INTERVAL (i) MINUTE AS updated_at,
      18 + i % 70 AS age,
      '+49 ' || (150 + i % 30) || ' ' || lpad(CAST(i * 7919 % 10000000 AS VARCHAR), 7, '0') AS phone,
      ['DE', 'FR', 'US'][1 + i % 3] AS country,
      CAST(['4111111111111111', '5555555555554444', '4012888888881881'][1 + i % 3] AS BIGINT) AS card_number,
      4000000000000000 + i AS order_number,
      lpad(CAST(900000000 + i AS VARCHAR), 9, '0') AS legacy_id,
      uuid() AS request_id,
      CASE WHEN i % 4 = 0 THEN 'please call +1 415 555 2671 after 5pm' ELSE 'no remarks ' || i END AS notes,
      i % 2 = 0 AS active
    FROM range(0, 1000) r(i)`);
});
afterAll(async () => engine.close());

const classesOf = (report: Awaited<ReturnType<typeof scanTable>>) =>
  Object.fromEntries(report.columns.map((c) => [c.column, c.classes.map((f) => f.class).join(",")]));

describe("scanTable", () => {
  it("classifies each column of a DuckDB table from a sample of its rows", async () => {
    const report = await scanTable(engine, { name: "customers" });
    expect(report).toMatchObject({ target: "customers", rowsScanned: 1000, sampleRows: 10_000 });
    expect(classesOf(report)).toEqual({
      customer_id: "",
      name: "person_name",
      email: "email",
      registration_date: "",
      birth_date: "date_of_birth",
      updated_at: "",
      age: "",
      phone: "phone",
      country: "",
      card_number: "payment_card",
      order_number: "",
      legacy_id: "",
      request_id: "",
      notes: "phone",
      active: "",
    });
    const column = (name: string) => report.columns.find((c) => c.column === name)!;
    expect(column("email")).toMatchObject({
      type: "varchar",
      valuesChecked: 980,
      classes: [{ class: "email", confidence: 1, matchedShare: 1, suggestedPolicy: "hash" }],
    });
    expect(column("card_number").classes[0]).toMatchObject({ suggestedPolicy: "tokenize", matchedShare: 1 });
    expect(column("notes").classes[0]).toMatchObject({
      evidence: "text",
      matchedShare: 0.25,
      suggestedPolicy: "mask",
    });
    expect(column("active")).toMatchObject({ type: "boolean", valuesChecked: 0, classes: [] });
  });

  it("reads the first n rows, or all of them", async () => {
    expect((await scanTable(engine, { name: "customers" }, { sampleRows: 100 })).rowsScanned).toBe(100);
    const full = await scanTable(engine, { name: "customers" }, { sampleRows: "all" });
    expect(full).toMatchObject({ rowsScanned: 1000, sampleRows: "all" });
    await expect(scanTable(engine, { name: "customers" }, { sampleRows: 0 })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });

  it("scans a query, and counts rows when no column is readable", async () => {
    const report = await scanTable(engine, { sql: "SELECT email, active FROM customers WHERE age > 80" });
    expect(report.target).toBe("query");
    expect(classesOf(report)).toEqual({ email: "email", active: "" });
    const flags = await scanTable(engine, { sql: "SELECT active FROM customers" }, { sampleRows: 10 });
    expect(flags.rowsScanned).toBe(10);
  });

  it("finds the shared datagen's columns: fictional +1-555 phones, and birth dates in timestamps", async () => {
    const report = await scanTable(engine, {
      sql: `SELECT
          '+1-555-' || lpad(CAST(i * 7 % 1000 AS VARCHAR), 3, '0') || '-' || lpad(CAST(i * 7919 % 10000 AS VARCHAR), 4, '0') AS phone,
          TIMESTAMPTZ '1950-01-01 12:00:00+00' + INTERVAL (i * 17 % 18000) DAY AS born_at,
          TIMESTAMP '2024-01-01 08:00:00' + INTERVAL (i) MINUTE AS last_activity
        FROM range(0, 500) r(i)`,
    });
    expect(report.columns.map((c) => [c.column, c.valuesChecked, c.classes.map((f) => f.class)])).toEqual([
      ["phone", 500, ["phone"]],
      ["born_at", 500, ["date_of_birth"]],
      ["last_activity", 500, []],
    ]);
  });

  it("lowers the threshold to show weaker evidence", async () => {
    const report = await scanTable(engine, { name: "customers" }, { threshold: 0.3 });
    // Registration dates are plausible birth dates, but the name does not say so: 0.4.
    expect(report.columns.find((c) => c.column === "registration_date")!.classes).toMatchObject([
      { class: "date_of_birth", confidence: 0.4, evidence: "values" },
    ]);
  });
});
