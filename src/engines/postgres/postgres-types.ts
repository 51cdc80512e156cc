import type { CustomTypesConfig } from "pg";
import type { WeirType } from "../../core/types.js";
import { normalizeDecimal, pgTimestamptzToIso } from "../value-text.js";

/** Type OIDs weir reads specially (see `pg_type`). */
const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  jsonb: 3802,
} as const;

/** The logical type of a result column, from its type OID. */
export function logicalTypeOfOid(oid: number): WeirType {
  switch (oid) {
    case OID.bool:
      return "boolean";
    case OID.int2:
    case OID.int4:
      return "integer";
    case OID.int8:
    case OID.oid:
      return "bigint";
    case OID.float4:
    case OID.float8:
      return "double";
    case OID.numeric:
      return "decimal";
    case OID.date:
      return "date";
    case OID.timestamp:
      return "timestamp";
    case OID.timestamptz:
      return "timestamptz";
    case OID.json:
    case OID.jsonb:
      return "json";
    case OID.bytea:
      return "blob";
    default:
      return "varchar";
  }
}

const text = (v: string): string => v;

function parseInt8(v: string): number | bigint {
  const n = Number(v);
  // Safe integers as numbers (counts, ids); larger ones exactly, as bigint.
  return Number.isSafeInteger(n) ? n : BigInt(v);
}

function parseBytea(v: string): Uint8Array {
  // bytea_output = hex (the default since 9.0): "\x0a0b…".
  const buf = v.startsWith("\\x") ? Buffer.from(v.slice(2), "hex") : Buffer.from(v, "latin1");
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function parseBool(v: string): boolean {
  return v === "t";
}

function parseFloat8(v: string): number {
  return Number.parseFloat(v);
}

function parseInt4(v: string): number {
  return Number.parseInt(v, 10);
}

/**
 * Text parsers that turn PostgreSQL values into weir's batch representation (see
 * core/batch.ts), identical to what the DuckDB engine produces: dates and timestamps
 * stay text, timestamptz becomes ISO-8601 with `Z` (sessions run in UTC), numerics are
 * exact text, JSON stays text, bytea becomes bytes. Unknown types stay text.
 */
export const weirTypeParsers: CustomTypesConfig = {
  // biome-ignore lint/suspicious/noExplicitAny: pg's parser signature is generic over the parsed value.
  getTypeParser: ((oid: number, format?: string): any => {
    if (format === "binary") return (v: Buffer) => v;
    switch (oid) {
      case OID.bool:
        return parseBool;
      case OID.int2:
      case OID.int4:
        return parseInt4;
      case OID.int8:
      case OID.oid:
        return parseInt8;
      case OID.float4:
      case OID.float8:
        return parseFloat8;
      case OID.numeric:
        return normalizeDecimal;
      case OID.timestamptz:
        return pgTimestamptzToIso;
      case OID.bytea:
        return parseBytea;
      default:
        return text;
    }
  }) as CustomTypesConfig["getTypeParser"],
};

/** Converts a JS parameter to what `pg` sends: bytes as Buffer, bigint as text, plain objects as JSON. */
export function toPgParam(p: unknown): unknown {
  if (p === undefined) return null;
  if (typeof p === "bigint") return p.toString();
  if (p instanceof Uint8Array && !Buffer.isBuffer(p))
    return Buffer.from(p.buffer, p.byteOffset, p.byteLength);
  return p;
}
