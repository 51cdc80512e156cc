import type { WeirType } from "../../core/types.js";
import { normalizeDecimal, pgTimestamptzToIso } from "../../engines/value-text.js";

/**
 * Values read back from expectation queries, made identical across engines.
 */

/** Significant digits kept in floating-point observed values (engines sum in different orders). */
const SIGNIFICANT_DIGITS = 12;

/**
 * A floating-point statistic rounded to 12 significant digits, so DuckDB's and
 * PostgreSQL's last-bit differences (summation order, interpolation formula) vanish.
 * Integers below 2^53 are exact on both engines and pass unchanged; NULL stays null.
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
 * A value from its SQL text (`CAST(v AS VARCHAR)`), as the engine would have returned it
 * for a column of `type` (see core/batch.ts): numbers for integer and double columns,
 * exact text for decimals, ISO-8601 with `Z` for timestamptz, text otherwise.
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
      return normalizeDecimal(text);
    case "boolean":
      return text === "true" || text === "t";
    case "timestamptz":
      return pgTimestamptzToIso(text.replace(/\+00(:00)?$/, "+00"));
    default:
      return text;
  }
}

/** Parses the JSON text of a sample aggregate: one text per row, or an array of texts per row. */
export function samplesFromJson(json: unknown, types: readonly (WeirType | undefined)[]): unknown[] {
  if (json === null || json === undefined) return [];
  const rows = (typeof json === "string" ? JSON.parse(json) : json) as unknown[];
  if (types.length === 1) return rows.map((t) => valueFromText(t as string | null, types[0]));
  return rows.map((row) => (row as (string | null)[]).map((t, i) => valueFromText(t, types[i])));
}

/** `part / whole * 100`, or null when `whole` is 0 (GX's convention). */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : (part / whole) * 100;
}
