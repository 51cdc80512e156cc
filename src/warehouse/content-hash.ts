import * as crypto from "node:crypto";
import type { TableRef, WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { normalizeDecimal } from "../engines/value-text.js";

/** A table's content as a row count and an order-independent 64-bit hash (16 hex digits). */
export interface ContentHash {
  rows: number;
  hash: string;
}

/**
 * Hashes a table's (or a query's) rows so that the same logical content gives the same hash
 * on DuckDB and on PostgreSQL, whatever the row order: each row's values are written in a
 * canonical text (see {@link canonicalValue}), the row's text is hashed with SHA-256 and the
 * first 8 bytes, as an unsigned 64-bit integer, are summed modulo 2^64 over every row. A sum
 * is order-independent and streams (duplicate rows count twice). Columns are taken in the
 * result's order; their names are not hashed.
 *
 * The rows stream through JS in the engine's columnar batches; nothing is sorted or held.
 *
 * @example
 * const { rows, hash } = await tableContentHash(engine, { schema: "wh", name: "dim_users" });
 */
export async function tableContentHash(
  engine: Engine,
  table: TableRef | { sql: string },
): Promise<ContentHash> {
  const sql = "sql" in table ? table.sql : `SELECT * FROM ${engine.dialect.quoteTable(table)}`;
  let sum = 0n;
  let rows = 0;
  for await (const batch of engine.stream(sql, [], { batchSize: 10_000 })) {
    const canon = batch.schema.fields.map((f) => canonicalizer(f.type));
    const width = canon.length;
    const values = new Array<string | null>(width);
    // The batch's 64-bit hashes summed as two 32-bit halves in plain numbers (exact: a
    // batch of n rows sums to < n·2^32), folded into the 64-bit sum once per batch.
    let high = 0;
    let low = 0;
    for (let i = 0; i < batch.numRows; i++) {
      for (let c = 0; c < width; c++) {
        const v = batch.columns[c]![i];
        values[c] = v === null || v === undefined ? null : canon[c]!(v);
      }
      // JSON of an array of strings and nulls: unambiguous (quotes are escaped) and NULL ≠ "null".
      const digest = sha256(JSON.stringify(values));
      high += digest.readUInt32BE(0);
      low += digest.readUInt32BE(4);
    }
    sum = (sum + (BigInt(high) << 32n) + BigInt(low)) & MASK;
    rows += batch.numRows;
  }
  return { rows, hash: sum.toString(16).padStart(16, "0") };
}

const MASK = (1n << 64n) - 1n;

/** SHA-256 of a text: the one-shot `crypto.hash` where Node has it (20.12+, ~2× faster), else a Hash object. */
const sha256: (text: string) => Buffer =
  typeof crypto.hash === "function"
    ? (text) => crypto.hash("sha256", text, "buffer")
    : (text) => crypto.createHash("sha256").update(text).digest();

/**
 * The canonical text of one non-null value of a column of logical type `type`, as read from
 * either engine's stream (see core/batch.ts): the engines already agree on most forms; what
 * they may write differently is made equal here.
 */
export function canonicalValue(type: WeirType, value: unknown): string {
  return canonicalizer(type)(value);
}

type Canon = (v: unknown) => string;

function canonicalizer(type: WeirType): Canon {
  switch (type) {
    case "boolean":
      return (v) => (v === true || v === "t" || v === "true" ? "t" : "f");
    case "integer":
    case "bigint":
      // number (safe integers) or bigint on both engines: decimal text either way.
      return (v) => String(v);
    case "double":
      // JS numbers print as the shortest text that round-trips; PostgreSQL's float8 text is
      // parsed back to the same double by the engine, DuckDB hands the double itself.
      return (v) => (typeof v === "number" ? String(v) : String(Number(v)));
    case "decimal":
      // DuckDB pads to the column's scale, PostgreSQL keeps the input's: the shortest exact form.
      return (v) => normalizeDecimal(String(v));
    case "date":
      return (v) => String(v);
    case "timestamp":
      return (v) => canonicalTimestamp(String(v), "");
    case "timestamptz":
      return (v) => canonicalTimestamp(String(v), "Z");
    case "json":
      // PostgreSQL's jsonb reorders keys and re-spaces; DuckDB keeps the text as loaded.
      return (v) => canonicalJson(String(v));
    case "blob":
      return (v) =>
        v instanceof Uint8Array
          ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex")
          : Buffer.from(String(v), "utf8").toString("hex");
    case "varchar":
      // UUIDs arrive here too (neither engine has a logical uuid type in batches); both
      // engines print them in lowercase.
      return (v) => String(v);
  }
}

const TIMESTAMP = /^(\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]00(?::?00)?)?$/;

/**
 * `YYYY-MM-DDTHH:MM:SS.ffffff` (plus `Z` for an instant): both engines drop trailing
 * zeros of the fraction (and the fraction itself when zero), so it is padded back to
 * microseconds. Text that is not a plain UTC timestamp (infinity, BC dates) stays as is.
 */
export function canonicalTimestamp(text: string, zone: "" | "Z"): string {
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const fraction = (m[3] ?? "").padEnd(6, "0");
  return `${m[1]}T${m[2]}.${fraction}${zone}`;
}

/** JSON text re-serialized with object keys sorted and no spaces; text that is not JSON stays as is. */
export function canonicalJson(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  return stableStringify(parsed);
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
