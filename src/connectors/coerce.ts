import type { RecordBatch } from "../core/batch.js";
import type { Field, Schema, WeirType } from "../core/types.js";

/** The outcome of coercing one value: the value in weir's representation, or why it does not fit. */
export type Coerced = { ok: true; value: unknown } | { ok: false; reason: string };

const INT_RE = /^[+-]?\d+$/;
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Accepts "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.f…]]", the same with "T", and an optional Z or ±HH[:MM].
const TS_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const TRUE_WORDS = new Set(["true", "t", "1", "yes", "y"]);
const FALSE_WORDS = new Set(["false", "f", "0", "no", "n"]);
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const ok = (value: unknown): Coerced => ({ ok: true, value });
const fail = (reason: string): Coerced => ({ ok: false, reason });

function describeValue(value: unknown): string {
  if (typeof value === "string") return `text "${value.length > 60 ? `${value.slice(0, 57)}...` : value}"`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return `${typeof value} ${String(value)}`;
}

function validDay(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Parses a timestamp text into UTC-normalised parts. Text without a zone is taken as is
 * (for `timestamp`) or as UTC (for `timestamptz`); text with a zone is shifted to UTC.
 */
function parseTimestamp(text: string): { iso: string; plain: string } | undefined {
  const m = TS_RE.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h = 0, mi = 0, s = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((p) =>
    p === undefined ? undefined : Number(p),
  ) as number[];
  if (!validDay(y!, mo!, d!) || h > 23 || mi > 59 || s > 59) return undefined;
  const fraction = m[7] ? m[7].slice(0, 6) : "";
  let epoch = Date.UTC(y!, mo! - 1, d!, h, mi, s);
  const zone = m[8];
  if (zone && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
    epoch -= sign * offsetMin * 60_000;
  }
  const t = new Date(epoch);
  const day = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  const time = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  const frac = fraction ? `.${fraction}` : "";
  return { plain: `${day} ${time}${frac}`, iso: `${day}T${time}${frac}Z` };
}

function coerceInteger(value: unknown, min: number, max: number): Coerced {
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= min && value <= max
      ? ok(value)
      : fail("not a whole number in range");
  }
  if (typeof value === "bigint") {
    return value >= BigInt(min) && value <= BigInt(max) ? ok(Number(value)) : fail("out of range");
  }
  if (typeof value === "string" && INT_RE.test(value.trim())) {
    const n = Number(value.trim());
    return n >= min && n <= max ? ok(n) : fail("out of range");
  }
  return fail("not a whole number");
}

function coerceBigint(value: unknown): Coerced {
  if (typeof value === "bigint") return ok(Number.isSafeInteger(Number(value)) ? Number(value) : value);
  if (typeof value === "number")
    return Number.isSafeInteger(value) ? ok(value) : fail("not a safe whole number");
  if (typeof value === "string" && INT_RE.test(value.trim())) {
    const big = BigInt(value.trim());
    if (big > 9223372036854775807n || big < -9223372036854775808n) return fail("out of the 64-bit range");
    return ok(Number.isSafeInteger(Number(big)) ? Number(big) : big);
  }
  return fail("not a whole number");
}

/**
 * Coerces one raw value (from SQLite, a JSON body, a CSV cell…) to a logical type, in the
 * representation `RecordBatch` documents. Null and undefined are SQL NULL. Text is parsed
 * strictly: `"abc"` is not an integer, `"2024-13-45"` is not a date.
 *
 * @example
 * coerceValue("42", "integer"); // { ok: true, value: 42 }
 * coerceValue("2024-13-45", "date"); // { ok: false, reason: "…" }
 */
export function coerceValue(value: unknown, type: WeirType): Coerced {
  if (value === null || value === undefined) return ok(null);
  const bad = (what: string): Coerced => fail(`${describeValue(value)} is not ${what}`);
  switch (type) {
    case "boolean": {
      if (typeof value === "boolean") return ok(value);
      if (typeof value === "number" || typeof value === "bigint") {
        if (Number(value) === 1 || Number(value) === 0) return ok(Number(value) === 1);
      }
      if (typeof value === "string") {
        const word = value.trim().toLowerCase();
        if (TRUE_WORDS.has(word)) return ok(true);
        if (FALSE_WORDS.has(word)) return ok(false);
      }
      return bad("a boolean");
    }
    case "integer": {
      const r = coerceInteger(value, INT32_MIN, INT32_MAX);
      return r.ok ? r : bad(`a 32-bit integer (${r.reason})`);
    }
    case "bigint": {
      const r = coerceBigint(value);
      return r.ok ? r : bad(`a 64-bit integer (${r.reason})`);
    }
    case "double": {
      if (typeof value === "number") return ok(value);
      if (typeof value === "bigint") return ok(Number(value));
      if (typeof value === "string" && NUMBER_RE.test(value.trim())) return ok(Number(value.trim()));
      return bad("a number");
    }
    case "decimal": {
      if (typeof value === "number" && Number.isFinite(value)) return ok(String(value));
      if (typeof value === "bigint") return ok(value.toString());
      if (typeof value === "string" && NUMBER_RE.test(value.trim())) return ok(value.trim());
      return bad("a decimal number");
    }
    case "varchar": {
      if (typeof value === "string") return ok(value);
      if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
        return ok(String(value));
      }
      return bad("text");
    }
    case "json": {
      if (typeof value === "string") {
        try {
          JSON.parse(value);
          return ok(value);
        } catch {
          return bad("valid JSON text");
        }
      }
      if (value instanceof Uint8Array) return bad("JSON");
      return ok(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
    }
    case "date": {
      if (value instanceof Date && !Number.isNaN(value.getTime()))
        return ok(value.toISOString().slice(0, 10));
      if (typeof value === "string") {
        const m = DATE_RE.exec(value.trim());
        if (m && validDay(Number(m[1]), Number(m[2]), Number(m[3]))) return ok(value.trim());
      }
      return bad("a date (YYYY-MM-DD)");
    }
    case "timestamp":
    case "timestamptz": {
      if (value instanceof Date && !Number.isNaN(value.getTime())) {
        const iso = value.toISOString();
        return ok(type === "timestamp" ? iso.replace("T", " ").replace("Z", "") : iso);
      }
      if (typeof value === "string") {
        const parsed = parseTimestamp(value);
        if (parsed) return ok(type === "timestamp" ? parsed.plain : parsed.iso);
      }
      return bad("a timestamp (YYYY-MM-DD HH:MM:SS)");
    }
    case "blob": {
      if (value instanceof Uint8Array) return ok(value);
      return bad("binary data");
    }
  }
}

/** Where a row of a batch came from, for rejections. */
export interface RowOrigin {
  location: string;
  /** 1-based line or row number. */
  line: number;
  /** Extra words for the reason, e.g. "page 3, record 7". */
  where?: string;
  raw?: string;
}

/** A row that failed coercion: the first failing column decides the reason. */
export interface CoercionFailure {
  row: number;
  field: Field;
  value: unknown;
  reason: string;
}

/**
 * Coerces raw columns to a schema, column by column, and drops every row with a value
 * that does not fit (one failure per row: the first failing column). Returns the batch
 * of good rows and the failures, so callers turn them into `Rejection`s with their own
 * locations. A `nullable: false` field rejects nulls.
 */
export function coerceColumns(
  schema: Schema,
  raw: readonly (readonly unknown[])[],
  numRows: number,
): { batch: RecordBatch; failures: CoercionFailure[] } {
  const failed = new Uint8Array(numRows);
  const failures: CoercionFailure[] = [];
  const columns: unknown[][] = schema.fields.map((field, c) => {
    const input = raw[c] ?? [];
    const out: unknown[] = new Array(numRows);
    for (let i = 0; i < numRows; i++) {
      const value = input[i];
      if (failed[i]) continue;
      if ((value === null || value === undefined) && field.nullable === false) {
        failed[i] = 1;
        failures.push({ row: i, field, value: null, reason: "null in a column declared not null" });
        continue;
      }
      const r = coerceValue(value, field.type);
      if (r.ok) out[i] = r.value;
      else {
        failed[i] = 1;
        failures.push({ row: i, field, value, reason: r.reason });
      }
    }
    return out;
  });
  if (failures.length === 0) return { batch: { schema, columns, numRows }, failures };
  failures.sort((a, b) => a.row - b.row);
  const keep: number[] = [];
  for (let i = 0; i < numRows; i++) if (!failed[i]) keep.push(i);
  const compact = columns.map((col) => keep.map((i) => col[i]));
  return { batch: { schema, columns: compact, numRows: keep.length }, failures };
}

/** Renders a raw value for a rejection: text as is, bytes as hex, the rest as JSON. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  return JSON.stringify(value);
}
