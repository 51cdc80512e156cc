import type { WeirType } from "../../core/types.js";
import { normalizeDecimal, pgTimestamptzToIso } from "../../engines/value-text.js";

/**
 * Values read back from expectation queries, made identical across engines.
 */

/** Significant digits floating-point statistics are shown with (engines sum in different orders). */
const SIGNIFICANT_DIGITS = 12;

/**
 * A floating-point statistic rounded to 12 significant digits for display (messages,
 * reports), so DuckDB's and PostgreSQL's last-bit differences (summation order,
 * interpolation formula) vanish there. Results keep, and bounds judge, the full value.
 * Integers below 2^53 pass unchanged; NULL stays null.
 */
export function roundStatistic(value: unknown): number | null {
  const n = toNumber(value);
  if (n === null) return null;
  if (!Number.isFinite(n) || (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER)) return n;
  return Number(n.toPrecision(SIGNIFICANT_DIGITS));
}

/** A number from whatever the engine returned (number, bigint, decimal text); null for NULL. */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") return parseFloatText(value);
  return Number(value);
}

/** An exact integer from an engine's count or sum (number, bigint or numeric text). */
export function toBigInt(value: unknown): bigint | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") return value;
  if (typeof value === "number") return BigInt(Math.trunc(value));
  return BigInt(String(value).replace(/\.0*$/, ""));
}

/** A count (always small enough for a JS number). */
export function toCount(value: unknown): number {
  return toNumber(value) ?? 0;
}

function parseFloatText(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === "inf" || t === "infinity" || t === "+inf" || t === "+infinity") return Number.POSITIVE_INFINITY;
  if (t === "-inf" || t === "-infinity") return Number.NEGATIVE_INFINITY;
  if (t === "nan" || t === "-nan") return Number.NaN;
  return Number(t);
}

/**
 * A value from its SQL text (`CAST(v AS VARCHAR)`) in its JSON form, as GX serialises results
 * (`convert_to_json_serializable`): numbers for integer, double and decimal columns (integers
 * beyond 2^53 stay exact, as text once stored), ISO-8601 for timestamps (`T` between date and
 * time; `Z` for timestamptz), `YYYY-MM-DD` dates, text otherwise.
 */
export function valueFromText(text: string | null, type: WeirType | undefined): unknown {
  if (text === null) return null;
  switch (type) {
    case "integer":
    case "double":
      return parseFloatText(text);
    case "bigint": {
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : BigInt(text);
    }
    case "decimal":
      return Number(normalizeDecimal(text));
    case "boolean":
      return text === "true" || text === "t";
    case "timestamp":
      return isoTimestamp(text);
    case "timestamptz":
      return pgTimestamptzToIso(text.replace(/\+00(:00)?$/, "+00"));
    default:
      return text;
  }
}

/** A value the engine returned, in the JSON form `valueFromText` gives its text. */
export function jsonValue(value: unknown, type: WeirType | undefined): unknown {
  if (typeof value === "string" && (type === "timestamp" || type === "decimal"))
    return valueFromText(value, type);
  return value;
}

/** `2024-01-02 09:00:00` → `2024-01-02T09:00:00` (infinities and BC dates pass through). */
function isoTimestamp(text: string): string {
  return /^\d{4,}-\d\d-\d\d \d/.test(text) ? text.replace(" ", "T") : text;
}

/** Parses the JSON text of a sample aggregate: one text per row, or an array of texts per row. */
export function samplesFromJson(json: unknown, types: readonly (WeirType | undefined)[]): unknown[] {
  if (json === null || json === undefined) return [];
  const rows = (typeof json === "string" ? JSON.parse(json) : json) as unknown[];
  if (types.length === 1) return rows.map((t) => valueFromText(t as string | null, types[0]));
  return rows.map((row) => (row as (string | null)[]).map((t, i) => valueFromText(t, types[i])));
}

/**
 * Parses the JSON of `firstRowsJson` — an array of texts per row, or (`columns`) per value —
 * into rows of values read back by `types`.
 */
export function rowsFromJson(
  json: unknown,
  types: readonly (WeirType | undefined)[],
  layout: "rows" | "columns" = "rows",
): unknown[][] {
  if (json === null || json === undefined) return [];
  const parsed = (typeof json === "string" ? JSON.parse(json) : json) as ((string | null)[] | null)[];
  let rows = parsed as (string | null)[][];
  if (layout === "columns") {
    const length = Math.max(0, ...parsed.map((c) => c?.length ?? 0));
    rows = Array.from({ length }, (_, r) => parsed.map((c) => c?.[r] ?? null));
  }
  return rows.map((row) => row.map((t, i) => valueFromText(t, types[i])));
}

/** `part / whole * 100`, or null when `whole` is 0 (GX's convention). */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : (part / whole) * 100;
}
