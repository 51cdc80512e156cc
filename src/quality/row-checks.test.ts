import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { between, checkRows, matches, notNull, uniqueBy } from "./row-checks.js";

let engine: DuckDBEngine;
const source = { schema: "staging", name: "people" };
const passed = { schema: "staging", name: "people_ok" };
const failed = { schema: "staging", name: "people_bad" };

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  await engine.run("CREATE SCHEMA staging");
  await engine.run(
    `CREATE TABLE staging.people (id INTEGER, email VARCHAR, age INTEGER, updated_at TIMESTAMP)`,
  );
  await engine.run(`INSERT INTO staging.people VALUES
    (1, 'a@x.com', 30, '2024-01-15 01:00:00'),
    (2, 'bad-email', 40, '2024-01-15 02:00:00'),
    (NULL, 'c@x.com', 50, '2024-01-15 03:00:00'),
    (4, 'd@x.com', 7, '2024-01-15 04:00:00'),
    (5, 'e@x.com', 25, '2024-01-15 05:00:00'),
    (5, 'e2@x.com', 26, '2024-01-15 09:00:00'),
    (6, 'nope', 200, '2024-01-15 06:00:00'),
    (7, NULL, NULL, '2024-01-15 07:00:00')`);
});
afterAll(async () => engine.close());

const checks = [
  notNull("id"),
  matches("email", /[^@\s]+@[^@\s]+\.[a-z]+/),
  between("age", 13, 120),
  uniqueBy("id", { latestBy: "updated_at" }),
];

describe("checkRows", () => {
  it("splits a table into passed and failed rows and counts per check", async () => {
    const result = await checkRows(engine, { source, passed, failed, checks });
    expect(result).toEqual({
      rowsIn: 8,
      passed: 3,
      failed: 5,
      byCheck: { "not_null(id)": 1, "matches(email)": 2, "between(age)": 2, "unique(id)": 1 },
    });
    const ok = await engine.query("SELECT id, email FROM staging.people_ok ORDER BY id");
    // NULL email / age pass matches/between: only notNull rejects NULLs.
    expect(ok).toEqual([
      { id: 1, email: "a@x.com" },
      { id: 5, email: "e2@x.com" },
      { id: 7, email: null },
    ]);
  });

  it("can leave the passed rows as a view over one table of every row, and switch back", async () => {
    const kinds = async () =>
      engine.query(
        "SELECT table_name AS t, table_type AS k FROM information_schema.tables WHERE table_schema = 'staging' AND table_name LIKE 'people_ok%' ORDER BY 1",
      );
    for (let i = 0; i < 2; i++) {
      const result = await checkRows(engine, { source, passed, failed, checks, passedAsView: true });
      expect(result).toMatchObject({ rowsIn: 8, passed: 3, failed: 5 });
      expect(await kinds()).toEqual([
        { t: "people_ok", k: "VIEW" },
        { t: "people_ok_checked", k: "BASE TABLE" },
      ]);
      expect(await engine.query("SELECT id, email FROM staging.people_ok ORDER BY id")).toEqual([
        { id: 1, email: "a@x.com" },
        { id: 5, email: "e2@x.com" },
        { id: 7, email: null },
      ]);
      expect(await engine.query("SELECT count(*) AS n FROM staging.people_bad")).toEqual([{ n: 5 }]);
    }
    await checkRows(engine, { source, passed, failed, checks });
    expect((await kinds()).find((r) => r.t === "people_ok")).toEqual({ t: "people_ok", k: "BASE TABLE" });
  });

  it("gives every failing check and a human reason per check", async () => {
    await checkRows(engine, { source, passed, failed, checks });
    const bad = await engine.query(
      `SELECT id, email, _weir_checks AS checks, _weir_reasons AS reasons FROM staging.people_bad ORDER BY id NULLS FIRST, email`,
    );
    expect(bad).toEqual([
      { id: null, email: "c@x.com", checks: "not_null(id)", reasons: "id is null" },
      {
        id: 2,
        email: "bad-email",
        checks: "matches(email)",
        reasons: "email bad-email does not match /[^@\\s]+@[^@\\s]+\\.[a-z]+/",
      },
      { id: 4, email: "d@x.com", checks: "between(age)", reasons: "age 7 is outside 13..120" },
      {
        id: 5,
        email: "e@x.com",
        checks: "unique(id)",
        reasons: "duplicate id 5: a later row (updated_at 2024-01-15 09:00:00) was kept",
      },
      {
        id: 6,
        email: "nope",
        checks: "matches(email); between(age)",
        reasons: "email nope does not match /[^@\\s]+@[^@\\s]+\\.[a-z]+/; age 200 is outside 13..120",
      },
    ]);
  });

  it("keeps the passed table's columns exactly the source's", async () => {
    await checkRows(engine, { source, passed, failed, checks });
    const schema = await engine.describe(passed);
    expect(schema?.fields.map((f) => f.name)).toEqual(["id", "email", "age", "updated_at"]);
  });

  it("picks the same duplicate on ties, whatever the insert order", async () => {
    await engine.run("CREATE TABLE staging.ties AS SELECT * FROM (VALUES (1, 'b'), (1, 'a')) t(id, v)");
    await engine.run("ALTER TABLE staging.ties ADD COLUMN ts TIMESTAMP DEFAULT '2024-01-01'");
    const r = await checkRows(engine, {
      source: { schema: "staging", name: "ties" },
      passed,
      failed,
      checks: [uniqueBy("id", { latestBy: "ts" })],
    });
    expect(r.failed).toBe(1);
    expect(await engine.query("SELECT v FROM staging.people_ok")).toEqual([{ v: "a" }]);
  });

  it("names the missing column of a misconfigured check", async () => {
    await expect(
      checkRows(engine, { source, passed, failed, checks: [notNull("customer_id")] }),
    ).rejects.toThrow(
      /"customer_id", which table staging.people does not have \(columns: id, email, age, updated_at\)/,
    );
  });

  it("refuses a missing source table", async () => {
    await expect(
      checkRows(engine, { source: { name: "nope" }, passed, failed, checks }),
    ).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});
