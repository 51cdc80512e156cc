import {
  BIGINT,
  BLOB,
  BOOLEAN,
  DOUBLE,
  DuckDBBlobValue,
  DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  INTEGER,
  VARCHAR,
} from "@duckdb/node-api";
import type { WeirType } from "../../core/types.js";
import { normalizeDecimal, toDateString, toTimestampString, toTimestamptzString } from "../value-text.js";
import { duckdbLogicalType } from "./duckdb-dialect.js";

/** Turns one DuckDB value of a result column into weir's batch representation (see core/batch.ts). */
export type ValueReader = (value: DuckDBValue) => unknown;

/** The logical type of a result column, honouring DuckDB's JSON alias of VARCHAR. */
export function logicalTypeOf(type: DuckDBType): WeirType {
  if (type.alias?.toUpperCase() === "JSON") return "json";
  return duckdbLogicalType(type.toString());
}

const identity: ValueReader = (v) => v;

function readBigint(v: DuckDBValue): unknown {
  const n = v as bigint;
  // Safe integers come back as numbers so counts and ids are plain JS numbers, as core/batch.ts allows.
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}

/** A reader for values of `type`; null never reaches it. */
export function valueReader(type: DuckDBType): ValueReader {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.VARCHAR:
      return identity;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return readBigint;
    case DuckDBTypeId.DECIMAL:
      return (v) => normalizeDecimal(String(v));
    case DuckDBTypeId.TIMESTAMP_TZ:
      // Rendered from the UTC instant so the text never depends on the process time zone.
      return (v) =>
        `${new DuckDBTimestampValue((v as { micros: bigint }).micros).toString().replace(" ", "T")}Z`;
    case DuckDBTypeId.BLOB:
      return (v) => {
        const b = (v as DuckDBBlobValue).bytes;
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      };
    default:
      return (v) => String(v);
  }
}

/** Converts a DuckDB result chunk's columns into batch columns, in place where no conversion is needed. */
export function readColumns(columns: DuckDBValue[][], readers: readonly ValueReader[]): unknown[][] {
  for (let c = 0; c < columns.length; c++) {
    const reader = readers[c]!;
    if (reader === identity) continue;
    const col = columns[c]!;
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (v !== null && v !== undefined) col[i] = reader(v) as DuckDBValue;
    }
  }
  return columns as unknown[][];
}

/** A column prepared for the appender: the vector type to send and the converted values. */
export interface AppendColumn {
  type: DuckDBType;
  values: DuckDBValue[];
}

/**
 * Prepares one batch column for a DuckDB data chunk bound for a column of logical type
 * `target`. Values already in the target's native JS form go through typed vectors;
 * text forms (dates, timestamps, decimals, numbers read from CSV) go as VARCHAR and
 * DuckDB casts them while appending, which is both exact and fast.
 */
export function appendColumn(
  target: WeirType,
  values: readonly unknown[],
  start: number,
  end: number,
): AppendColumn {
  const n = end - start;
  const out: DuckDBValue[] = new Array(n);
  let numbers = 0;
  let bigints = 0;
  let booleans = 0;
  let bytes = 0;
  let others = 0;
  let int32 = true;
  for (let i = start; i < end; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    switch (typeof v) {
      case "number":
        numbers++;
        if ((v | 0) !== v) int32 = false;
        break;
      case "bigint":
        bigints++;
        break;
      case "boolean":
        booleans++;
        break;
      default:
        if (v instanceof Uint8Array) bytes++;
        else others++;
    }
  }
  const numeric = target === "integer" || target === "bigint" || target === "double" || target === "decimal";
  if (numeric && others === 0 && booleans === 0 && bytes === 0) {
    if (bigints > 0) {
      for (let i = 0; i < n; i++) out[i] = toBigint(values[start + i]);
      return { type: BIGINT, values: out };
    }
    for (let i = 0; i < n; i++) out[i] = (values[start + i] ?? null) as number | null;
    return { type: target === "integer" && int32 ? INTEGER : DOUBLE, values: out };
  }
  if (target === "boolean" && numbers + bigints + others + bytes === 0) {
    for (let i = 0; i < n; i++) out[i] = (values[start + i] ?? null) as boolean | null;
    return { type: BOOLEAN, values: out };
  }
  if (target === "blob") {
    for (let i = 0; i < n; i++) {
      const v = values[start + i];
      if (v === null || v === undefined) out[i] = null;
      else out[i] = new DuckDBBlobValue(v instanceof Uint8Array ? v : Buffer.from(textOf(target, v), "utf8"));
    }
    return { type: BLOB, values: out };
  }
  for (let i = 0; i < n; i++) {
    const v = values[start + i];
    out[i] = v === null || v === undefined ? null : typeof v === "string" ? v : textOf(target, v);
  }
  return { type: VARCHAR, values: out };
}

function toBigint(v: unknown): bigint | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return v;
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  throw new TypeError(`expected an integer, got ${String(v)}`);
}

/** The text DuckDB casts from, for a non-string JS value bound for a column of logical type `target`. */
function textOf(target: WeirType, v: unknown): string {
  if (v instanceof Date) {
    if (target === "date") return toDateString(v);
    if (target === "timestamp") return toTimestampString(v);
    return toTimestamptzString(v);
  }
  if (target === "json" && typeof v === "object") return JSON.stringify(v);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("utf8");
  return String(v);
}
