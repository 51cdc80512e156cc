import type { SqlWithParams } from "../../engines/dialect.js";
import type { Engine } from "../../engines/engine.js";
import type { TimeDimensionModel } from "../model/calendar-dimensions.js";
import { modelTable } from "../model/define-warehouse.js";

/** Rows of a time dimension: one per minute (hhmm keys) or per second (hhmmss keys) of a day. */
export function timeRowCount(model: TimeDimensionModel): number {
  return model.grain === "minute" ? 1440 : 86_400;
}

/**
 * One `INSERT … SELECT` over the engine's `generate_series` of the day's minutes or seconds:
 * `time_key` = hour*100+minute (minute grain, `second` 0) or hour*10000+minute*100+second,
 * and the day part (night 0–5, morning 6–11, afternoon 12–17, evening 18–23). Keys already
 * there are left alone, so it inserts only what is missing.
 */
export function timeRowsInsert(engine: Engine, model: TimeDimensionModel): SqlWithParams {
  const d = engine.dialect;
  // Integer division: DuckDB's `/` divides as doubles, its `//` as integers; PostgreSQL's `/` on integers truncates.
  const div = engine.kind === "duckdb" ? "//" : "/";
  const perSecond = model.grain === "second";
  const seconds = perSecond ? "n" : `n * 60`;
  const hour = `(${seconds}) ${div} 3600`;
  const minute = `((${seconds}) ${div} 60) % 60`;
  const second = `(${seconds}) % 60`;
  const key = perSecond ? `${hour} * 10000 + ${minute} * 100 + ${second}` : `${hour} * 100 + ${minute}`;
  const part = `CASE WHEN ${hour} < 6 THEN 'night' WHEN ${hour} < 12 THEN 'morning' WHEN ${hour} < 18 THEN 'afternoon' ELSE 'evening' END`;
  const cols = ["time_key", "hour", "minute", "second", "day_part"];
  const exprs = [key, hour, minute, second, part].map((e, i) =>
    i < 4 ? `CAST(${e} AS INTEGER) AS ${d.quoteIdent(cols[i]!)}` : `${e} AS ${d.quoteIdent(cols[i]!)}`,
  );
  return {
    sql: `INSERT INTO ${d.quoteTable(modelTable(model))} (${cols.map((c) => d.quoteIdent(c)).join(", ")}) SELECT ${exprs.join(", ")} FROM generate_series(0, ${timeRowCount(model) - 1}) AS s(n) ON CONFLICT (${d.quoteIdent("time_key")}) DO NOTHING`,
    params: [],
  };
}

/** How many rows the table holds (a complete one holds {@link timeRowCount}). */
export function timeRowsPresent(engine: Engine, model: TimeDimensionModel): SqlWithParams {
  return { sql: `SELECT count(*) AS n FROM ${engine.dialect.quoteTable(modelTable(model))}`, params: [] };
}
