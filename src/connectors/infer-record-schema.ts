import type { Field, Schema, WeirType } from "../core/types.js";

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const TS_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const TSTZ_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

function typeOfValue(value: unknown): WeirType | undefined {
  if (value === null || value === undefined) return undefined;
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "number":
      return Number.isInteger(value) ? "bigint" : "double";
    case "bigint":
      return "bigint";
    case "string":
      if (DATE_RE.test(value)) return "date";
      if (TSTZ_RE.test(value)) return "timestamptz";
      if (TS_RE.test(value)) return "timestamp";
      return "varchar";
    default:
      return "json";
  }
}

/** The narrowest type that holds both, so one odd value widens a column instead of failing it. */
function widen(a: WeirType, b: WeirType): WeirType {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has("bigint") && pair.has("double")) return "double";
  if (pair.has("date") && pair.has("timestamp")) return "timestamp";
  if (pair.has("timestamp") && pair.has("timestamptz")) return "timestamptz";
  if (pair.has("date") && pair.has("timestamptz")) return "timestamptz";
  if (a === "json" || b === "json") return "json";
  return "varchar";
}

/**
 * Infers a schema from JSON records: columns in first-seen order; whole numbers are
 * `bigint`, other numbers `double`, ISO date/time text `date`/`timestamp`/`timestamptz`,
 * objects and arrays `json`; mixed columns widen (to `double`, a wider time type, or
 * `varchar`). Columns that are always null are `varchar`.
 *
 * @example
 * inferRecordSchema([{ id: 1, at: "2024-01-01T00:00:00Z" }]) // id: bigint, at: timestamptz
 */
export function inferRecordSchema(records: readonly unknown[]): Schema {
  const types = new Map<string, WeirType | undefined>();
  for (const rec of records) {
    if (rec === null || typeof rec !== "object" || Array.isArray(rec)) continue;
    for (const [name, value] of Object.entries(rec)) {
      const t = typeOfValue(value);
      const seen = types.get(name);
      if (!types.has(name)) types.set(name, t);
      else if (t !== undefined) types.set(name, seen === undefined ? t : widen(seen, t));
    }
  }
  const fields: Field[] = [...types].map(([name, type]) => ({ name, type: type ?? "varchar" }));
  return { fields };
}
