import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, postgresAvailable } from "../../../test/support/servers.js";
import type { Row } from "../../core/batch.js";
import type { Engine } from "../../engines/engine.js";
import { openEngine } from "../../engines/open-engine.js";
import { applyWarehouse } from "../ddl/apply-warehouse.js";
import { dateDimension, timeDimension } from "../model/calendar-dimensions.js";
import { defineWarehouse } from "../model/define-warehouse.js";

/**
 * The generated calendar rows, on DuckDB and (when it answers) PostgreSQL: known values on
 * ISO-week edge dates, and the same rows on both engines.
 */
const SCHEMA = `wh_calendar_${process.pid}`;

const calendar = defineWarehouse({
  name: "calendar",
  tables: [
    dateDimension({ schema: SCHEMA, from: "2020-12-28", to: "2025-12-31" }),
    timeDimension({ schema: SCHEMA }),
    timeDimension({ schema: SCHEMA, name: "dim_second", grain: "second" }),
  ],
});

async function rows(engine: Engine, table: string, key: string): Promise<Row[]> {
  const t = engine.dialect.quoteTable({ schema: SCHEMA, name: table });
  return engine.query(`SELECT * FROM ${t} ORDER BY ${engine.dialect.quoteIdent(key)}`);
}

const engines: { name: string; engine: Engine }[] = [];

beforeAll(async () => {
  engines.push({ name: "duckdb", engine: await openEngine(":memory:") });
  if (postgresAvailable) engines.push({ name: "postgres", engine: await openEngine(POSTGRES_URL) });
  for (const { engine } of engines) {
    await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(SCHEMA)} CASCADE`);
    await applyWarehouse(engine, calendar);
  }
});

afterAll(async () => {
  for (const { engine } of engines) {
    await engine.run(`DROP SCHEMA IF EXISTS ${engine.dialect.quoteIdent(SCHEMA)} CASCADE`);
    await engine.close();
  }
});

describe.each(["duckdb", "postgres"])("calendar rows on %s", (name) => {
  const engine = () => engines.find((e) => e.name === name)?.engine;

  it.skipIf(name === "postgres" && !postgresAvailable)(
    "holds ISO weeks, ISO years and English names",
    async () => {
      const all = await rows(engine()!, "dim_date", "date_key");
      expect(all).toHaveLength(1830);
      const on = (key: number) => all.find((r) => r.date_key === key);
      // 2024-12-30 is a Monday in ISO week 1 of 2025; 2021-01-03 a Sunday in week 53 of 2020.
      expect(on(20241230)).toEqual({
        date_key: 20241230,
        date: "2024-12-30",
        day_of_week: 1,
        day_name: "Monday",
        day_of_month: 30,
        day_of_year: 365,
        week: 1,
        iso_year: 2025,
        month: 12,
        month_name: "December",
        quarter: 4,
        year: 2024,
        is_weekend: false,
      });
      expect(on(20210103)).toMatchObject({
        day_of_week: 7,
        day_name: "Sunday",
        week: 53,
        iso_year: 2020,
        is_weekend: true,
      });
      expect(on(20240229)).toMatchObject({ day_of_year: 60, month_name: "February", quarter: 1 });
    },
  );

  it.skipIf(name === "postgres" && !postgresAvailable)(
    "holds every minute and every second of a day with its day part",
    async () => {
      const minutes = await rows(engine()!, "dim_time", "time_key");
      expect(minutes).toHaveLength(1440);
      expect(minutes[0]).toEqual({ time_key: 0, hour: 0, minute: 0, second: 0, day_part: "night" });
      expect(minutes.find((r) => r.time_key === 1337)).toEqual({
        time_key: 1337,
        hour: 13,
        minute: 37,
        second: 0,
        day_part: "afternoon",
      });
      expect(minutes.at(-1)).toMatchObject({ time_key: 2359, day_part: "evening" });
      const parts = new Map(minutes.map((r) => [r.hour, r.day_part]));
      expect([
        parts.get(5),
        parts.get(6),
        parts.get(11),
        parts.get(12),
        parts.get(17),
        parts.get(18),
      ]).toEqual(["night", "morning", "morning", "afternoon", "afternoon", "evening"]);
      const seconds = await rows(engine()!, "dim_second", "time_key");
      expect(seconds).toHaveLength(86_400);
      expect(seconds.find((r) => r.time_key === 235959)).toEqual({
        time_key: 235959,
        hour: 23,
        minute: 59,
        second: 59,
        day_part: "evening",
      });
    },
  );
});

describe.skipIf(!postgresAvailable)("calendar rows on both engines", () => {
  it("are identical on DuckDB and PostgreSQL for 2024-01-01..2025-12-31 and every time key", async () => {
    const [duck, pg] = [engines[0]!.engine, engines[1]!.engine];
    const between = async (e: Engine) =>
      (await rows(e, "dim_date", "date_key")).filter(
        (r) => Number(r.date_key) >= 20240101 && Number(r.date_key) <= 20251231,
      );
    const d = await between(duck);
    expect(d).toHaveLength(731);
    expect(await between(pg)).toEqual(d);
    expect(await rows(pg, "dim_time", "time_key")).toEqual(await rows(duck, "dim_time", "time_key"));
    expect(await rows(pg, "dim_second", "time_key")).toEqual(await rows(duck, "dim_second", "time_key"));
  });
});
