import type { Field } from "../core/types.js";
import type { MapPlan, SampleValue } from "./expectations/expectation-definition.js";
import type { MapEvidence } from "./expectations/map-evidence.js";
import { rowsFromJson } from "./expectations/result-values.js";
import { atLeast, type ResultFormat, unexpectedRowsWanted } from "./result-format.js";

/**
 * What a map expectation keeps of its first failing rows (in row order), as its result
 * format needs it: the unexpected values, the identifying columns (GX's
 * `unexpected_index_column_names`, with the expectation's own columns after them, as GX's SQL
 * engines list them), and with `include_unexpected_rows` every column. Collected as one list
 * per row, so one aggregate serves them all.
 */
export interface RowCollection {
  /** How many failing rows to keep. */
  n: number;
  values: SampleValue[];
  /** How the values make one item: the value itself, `[a, b]` or an object by name. */
  shape: "value" | "pair" | "record";
  /** Index columns, then the expectation's columns, each named. */
  index: SampleValue[];
  rows: SampleValue[];
  /** Whether the unexpected values are reported at all (not with `exclude_unexpected_values`). */
  reportValues: boolean;
}

/** The columns an expectation is about, as GX's domain kwargs name them. */
export function domainColumns(kwargs: Record<string, unknown>): string[] {
  if (typeof kwargs.column === "string") return [kwargs.column];
  if (typeof kwargs.column_A === "string" && typeof kwargs.column_B === "string")
    return [kwargs.column_A, kwargs.column_B];
  if (Array.isArray(kwargs.column_list)) return kwargs.column_list.map(String);
  return [];
}

/** What to collect for a map plan in `format`, or undefined when the format wants no rows. */
export function rowCollection(
  plan: MapPlan,
  format: ResultFormat,
  kwargs: Record<string, unknown>,
  fields: readonly Field[],
  quote: (column: string) => string,
): RowCollection | undefined {
  const n = unexpectedRowsWanted(format);
  if (n === 0) return undefined;
  const types = new Map(fields.map((f) => [f.name, f.type]));
  const named = (column: string): SampleValue => ({
    sql: quote(column),
    type: types.get(column),
    name: column,
  });
  const indexColumns = atLeast(format, "SUMMARY") ? (format.unexpected_index_column_names ?? []) : [];
  const index =
    indexColumns.length === 0 ? [] : [...new Set([...indexColumns, ...domainColumns(kwargs)])].map(named);
  const reportValues = !format.exclude_unexpected_values;
  return {
    n,
    values: reportValues ? plan.sample : [],
    shape: plan.sampleShape ?? (plan.sample.length > 1 ? "record" : "value"),
    index,
    rows: format.include_unexpected_rows ? fields.map((f) => named(f.name)) : [],
    reportValues,
  };
}

/** The SQL of every value a collected row holds, in order. */
export function collectedSql(c: RowCollection): string[] {
  return [...c.values, ...c.index, ...c.rows].map((v) => v.sql);
}

/**
 * The collected rows (JSON from `firstRowsJson`) read back into evidence. Rows whose
 * unexpected values are NULL (the NULL expectations collect no value) list `null`s, one per
 * failing row kept.
 */
export function readCollection(
  json: unknown,
  c: RowCollection,
  unexpected: number,
  layout: "rows" | "columns" = "rows",
): Pick<MapEvidence, "values" | "index" | "rows"> {
  const all = [...c.values, ...c.index, ...c.rows];
  const types = all.map((v) => v.type);
  const rows = all.length === 0 ? [] : rowsFromJson(json, types, layout).slice(0, c.n);
  const kept = all.length === 0 ? Math.min(c.n, unexpected) : rows.length;
  const at = (from: number, list: SampleValue[]) => rows.map((r) => r.slice(from, from + list.length));
  const values = c.values.length === 0 ? new Array(kept).fill(null) : at(0, c.values).map((v) => shape(v, c));
  const objects = (from: number, list: SampleValue[]) =>
    at(from, list).map((r) => Object.fromEntries(list.map((s, i) => [s.name!, r[i]])));
  return {
    ...(c.reportValues ? { values } : {}),
    ...(c.index.length > 0 ? { index: objects(c.values.length, c.index) } : {}),
    ...(c.rows.length > 0 ? { rows: objects(c.values.length + c.index.length, c.rows) } : {}),
  };
}

function shape(values: unknown[], c: RowCollection): unknown {
  if (c.shape === "value") return values[0];
  if (c.shape === "pair") return values;
  return Object.fromEntries(c.values.map((s, i) => [s.name ?? `value_${i}`, values[i]]));
}
