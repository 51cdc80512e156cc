import type { SqlWithParams } from "../../engines/dialect.js";
import type { Engine } from "../../engines/engine.js";
import type { DateDimensionModel } from "../model/calendar-dimensions.js";
import { modelTable } from "../model/define-warehouse.js";

/** The date dimension's columns, in the order the INSERT below fills them. */
const COLUMNS = [
  "date_key",
  "date",
  "day_of_week",
  "day_name",
  "day_of_month",
  "day_of_year",
  "week",
  "iso_year",
  "month",
  "month_name",
  "quarter",
  "year",
  "is_weekend",
] as const;

/**
 * Per engine, the expression of each column over a date `d`. Both give the same values:
 * ISO day of week (Monday 1), ISO week and ISO year (2024-12-30 is week 1 of 2025), English
 * day and month names (DuckDB's `dayname` is English; PostgreSQL's `to_char` `Day`/`Month`
 * without the `TM` prefix is English whatever the locale, `FM` drops the padding).
 */
const EXPRESSIONS: Record<Engine["kind"], Record<(typeof COLUMNS)[number], string>> = {
  duckdb: {
    date_key: "CAST(strftime(d, '%Y%m%d') AS INTEGER)",
    date: "d",
    day_of_week: "CAST(isodow(d) AS INTEGER)",
    day_name: "dayname(d)",
    day_of_month: "CAST(dayofmonth(d) AS INTEGER)",
    day_of_year: "CAST(dayofyear(d) AS INTEGER)",
    week: "CAST(weekofyear(d) AS INTEGER)",
    iso_year: "CAST(isoyear(d) AS INTEGER)",
    month: "CAST(month(d) AS INTEGER)",
    month_name: "monthname(d)",
    quarter: "CAST(quarter(d) AS INTEGER)",
    year: "CAST(year(d) AS INTEGER)",
    is_weekend: "isodow(d) >= 6",
  },
  postgres: {
    date_key: "CAST(to_char(d, 'YYYYMMDD') AS integer)",
    date: "d",
    day_of_week: "CAST(extract(isodow FROM d) AS integer)",
    day_name: "to_char(d, 'FMDay')",
    day_of_month: "CAST(extract(day FROM d) AS integer)",
    day_of_year: "CAST(extract(doy FROM d) AS integer)",
    week: "CAST(extract(week FROM d) AS integer)",
    iso_year: "CAST(extract(isoyear FROM d) AS integer)",
    month: "CAST(extract(month FROM d) AS integer)",
    month_name: "to_char(d, 'FMMonth')",
    quarter: "CAST(extract(quarter FROM d) AS integer)",
    year: "CAST(extract(year FROM d) AS integer)",
    is_weekend: "extract(isodow FROM d) >= 6",
  },
};

/** The days from `from` to `to` (inclusive) as rows `d`, with the engine's own generate_series. */
const DAYS: Record<Engine["kind"], string> = {
  duckdb:
    "SELECT CAST(g AS DATE) AS d FROM generate_series(CAST($1 AS DATE), CAST($2 AS DATE), INTERVAL 1 DAY) AS s(g)",
  postgres:
    "SELECT CAST(g AS date) AS d FROM generate_series(CAST($1 AS date), CAST($2 AS date), interval '1 day') AS s(g)",
};

/**
 * One `INSERT … SELECT` filling the date dimension's rows for [from, to]; keys already there
 * are left alone (`ON CONFLICT DO NOTHING` on `date_key`), so running it again, or at the
 * same time as another session, inserts only what is missing.
 */
export function dateRowsInsert(engine: Engine, model: DateDimensionModel): SqlWithParams {
  const d = engine.dialect;
  const exprs = EXPRESSIONS[engine.kind];
  const select = COLUMNS.map((c) => `${exprs[c]} AS ${d.quoteIdent(c)}`).join(", ");
  return {
    sql: `INSERT INTO ${d.quoteTable(modelTable(model))} (${COLUMNS.map((c) => d.quoteIdent(c)).join(", ")}) SELECT ${select} FROM (${DAYS[engine.kind]}) AS days ON CONFLICT (${d.quoteIdent("date_key")}) DO NOTHING`,
    params: [model.from, model.to],
  };
}

/** The yyyymmdd key of an ISO date. */
export function dateKey(isoDate: string): number {
  return Number(isoDate.replaceAll("-", ""));
}

/** Days in [from, to], both ISO dates. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** How many of the model's dates the table holds (by key), to tell whether rows are missing. */
export function dateRowsPresent(engine: Engine, model: DateDimensionModel): SqlWithParams {
  const d = engine.dialect;
  return {
    sql: `SELECT count(*) AS n FROM ${d.quoteTable(modelTable(model))} WHERE ${d.quoteIdent("date_key")} BETWEEN $1 AND $2`,
    params: [dateKey(model.from), dateKey(model.to)],
  };
}
