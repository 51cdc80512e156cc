import type { EngineKind } from "../../engines/engine.js";
import { sqlTypeName, type WarehouseType } from "../model/column-types.js";

/**
 * An engine type name reduced to what decides whether two types hold the same values:
 * PostgreSQL's `character varying`, `text` and DuckDB's `VARCHAR` are all unbounded text;
 * `timestamp with time zone` is `timestamptz`; `numeric(18,2)` and `DECIMAL(18,2)` are one
 * decimal. `size` is bits for integers and floats, a length for bounded text, a fractional
 * precision for timestamps; `undefined` means the engine's widest/default.
 */
export interface NormalType {
  family: string;
  size?: number;
  precision?: number;
  scale?: number;
}

const INT_BITS: Record<string, number> = {
  tinyint: 8,
  int1: 8,
  smallint: 16,
  int2: 16,
  integer: 32,
  int: 32,
  int4: 32,
  bigint: 64,
  int8: 64,
  hugeint: 128,
  int128: 128,
};

const FAMILIES: Record<string, string> = {
  boolean: "boolean",
  bool: "boolean",
  date: "date",
  uuid: "uuid",
  json: "json",
  jsonb: "jsonb",
  blob: "blob",
  bytea: "blob",
  varbinary: "blob",
  text: "text",
  varchar: "text",
  string: "text",
  "character varying": "text",
};

/** Normalizes a type name as either engine's catalog writes it (or as `sqlTypeName` gives it). */
export function normalType(typeName: string): NormalType {
  const t = typeName.trim().toLowerCase().replace(/\s+/g, " ");
  const sized = /^([a-z ]+?)\s*\((\d+)(?:\s*,\s*(\d+))?\)\s*(.*)$/.exec(t);
  const base = sized ? `${sized[1]}${sized[4] ? ` ${sized[4]}` : ""}`.trim() : t;
  const first = sized ? Number(sized[2]) : undefined;
  const second = sized?.[3] !== undefined ? Number(sized[3]) : undefined;
  if (base in INT_BITS) return { family: "int", size: INT_BITS[base]! };
  if (base === "real" || base === "float4" || base === "float") return { family: "float", size: 32 };
  if (base === "double" || base === "double precision" || base === "float8")
    return { family: "float", size: 64 };
  if (base === "numeric" || base === "decimal") {
    // An unconstrained PostgreSQL numeric holds any decimal: wider than every declared one.
    if (first === undefined) return { family: "decimal", precision: 1000, scale: 1000 };
    return { family: "decimal", precision: first, scale: second ?? 0 };
  }
  if (base === "character varying" || base === "varchar")
    return first === undefined ? { family: "text" } : { family: "text", size: first };
  if (base === "character" || base === "char" || base === "bpchar")
    return first === undefined ? { family: "char" } : { family: "char", size: first };
  if (base === "timestamptz" || base === "timestamp with time zone")
    return { family: "timestamptz", ...(first === undefined ? {} : { size: first }) };
  if (base === "timestamp" || base === "timestamp without time zone" || base === "datetime")
    return { family: "timestamp", ...(first === undefined ? {} : { size: first }) };
  if (base in FAMILIES) return { family: FAMILIES[base]! };
  // TIMESTAMP_NS, UINTEGER, INTERVAL, arrays, …: only equal to themselves.
  return { family: t };
}

/** Decimal digits an integer of so many bits needs. */
const INT_DIGITS: Record<number, number> = { 8: 3, 16: 5, 32: 10, 64: 19, 128: 39 };

export type TypeChange = "same" | "widen" | "change";

/**
 * How the catalog's `actual` type relates to the model's `declared` one: `same` (nothing to
 * do), `widen` (every value kept exactly: a bigger integer, a decimal with as many integer
 * and fraction digits, longer or unbounded text, an integer into a wide enough decimal or a
 * 32-bit one into a double) or `change` (narrowing or another kind of value).
 */
export function compareTypes(actual: NormalType, declared: NormalType): TypeChange {
  const a = actual;
  const d = declared;
  if (a.family === d.family) {
    switch (a.family) {
      case "int":
      case "float":
        return a.size === d.size ? "same" : a.size! < d.size! ? "widen" : "change";
      case "decimal": {
        if (a.precision === d.precision && a.scale === d.scale) return "same";
        const intDigits = (t: NormalType) => t.precision! - t.scale!;
        return d.scale! >= a.scale! && intDigits(d) >= intDigits(a) ? "widen" : "change";
      }
      case "text":
      case "timestamp":
      case "timestamptz":
        // Unbounded text and the default (microsecond) precision are the widest.
        if (a.size === d.size) return "same";
        if (d.size === undefined) return a.family === "text" || a.size! <= 6 ? "widen" : "change";
        return a.size !== undefined && a.size < d.size ? "widen" : "change";
      default:
        return "same";
    }
  }
  if (a.family === "int" && d.family === "decimal") {
    return d.precision! - d.scale! >= INT_DIGITS[a.size!]! ? "widen" : "change";
  }
  if (a.family === "int" && d.family === "float" && d.size === 64 && a.size! <= 32) return "widen";
  if (a.family === "char" && d.family === "text" && d.size === undefined) return "widen";
  return "change";
}

/** The comparison of a catalog type name with a model column type on `engine`. */
export function compareWithModel(engine: EngineKind, catalogType: string, type: WarehouseType): TypeChange {
  return compareTypes(normalType(catalogType), normalType(sqlTypeName(engine, type)));
}
