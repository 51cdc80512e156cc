import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../engines/duckdb/duckdb-engine.js";
import { checkFreshness, parseMaxAge } from "./freshness.js";

let engine: DuckDBEngine;

beforeAll(async () => {
  engine = await DuckDBEngine.create();
  await engine.run(`CREATE TABLE events AS SELECT * FROM (VALUES
    (TIMESTAMP '2024-01-15 08:00:00', TIMESTAMPTZ '2024-01-15 10:00:00+02', DATE '2024-01-14'),
    (TIMESTAMP '2024-01-15 06:30:00', NULL, DATE '2024-01-13')) t(ts, tz, d)`);
  await engine.run("CREATE TABLE empty (ts TIMESTAMP)");
});
afterAll(async () => engine.close());

describe("parseMaxAge", () => {
  it("reads units and combinations", () => {
    expect(parseMaxAge("24h")).toBe(86_400_000);
    expect(parseMaxAge("90s")).toBe(90_000);
    expect(parseMaxAge("1d12h")).toBe(129_600_000);
    expect(parseMaxAge("2w")).toBe(14 * 86_400_000);
  });

  it("refuses anything else with the value in the message", () => {
    expect(() => parseMaxAge("24 hours")).toThrow(/invalid duration "24 hours"/);
    expect(() => parseMaxAge("h")).toThrow(/invalid duration/);
    expect(() => parseMaxAge("")).toThrow(/invalid duration/);
  });
});

describe("checkFreshness", () => {
  const at = (iso: string) => new Date(iso);

  it("passes when the newest timestamp is within the window of an injected now", async () => {
    const r = await checkFreshness(
      engine,
      { name: "events" },
      { column: "ts", maxAge: "24h" },
      at("2024-01-16T07:59:59Z"),
    );
    expect(r).toMatchObject({ success: true, newest: "2024-01-15T08:00:00.000Z", ageMs: 86_399_000 });
  });

  it("fails one second past the window", async () => {
    const r = await checkFreshness(
      engine,
      { name: "events" },
      { column: "ts", maxAge: "24h" },
      at("2024-01-16T08:00:01Z"),
    );
    expect(r.success).toBe(false);
    expect(r.message).toMatch(/newest 2024-01-15T08:00:00.000Z is 1.0d old \(max 24h\)/);
  });

  it("reads timestamptz in UTC and dates as midnight UTC", async () => {
    const tz = await checkFreshness(
      engine,
      { name: "events" },
      { column: "tz", maxAge: "1h" },
      at("2024-01-15T08:30:00Z"),
    );
    expect(tz).toMatchObject({ success: true, newest: "2024-01-15T08:00:00.000Z" });
    const d = await checkFreshness(
      engine,
      { name: "events" },
      { column: "d", maxAge: "2d" },
      at("2024-01-16T00:00:00Z"),
    );
    expect(d).toMatchObject({ success: true, newest: "2024-01-14T00:00:00.000Z", ageMs: 2 * 86_400_000 });
  });

  it("fails an empty table and works on a query target", async () => {
    const r = await checkFreshness(
      engine,
      { name: "empty" },
      { column: "ts", maxAge: "1d" },
      at("2024-01-16T00:00:00Z"),
    );
    expect(r).toMatchObject({ success: false, newest: null, ageMs: null });
    const q = await checkFreshness(
      engine,
      { sql: "SELECT * FROM events WHERE ts < '2024-01-15 07:00:00'" },
      { column: "ts", maxAge: "1h" },
      at("2024-01-15T07:00:00Z"),
    );
    expect(q).toMatchObject({ success: true, newest: "2024-01-15T06:30:00.000Z" });
  });
});
