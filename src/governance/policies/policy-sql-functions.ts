import type { EngineKind } from "../../engines/engine.js";

/**
 * The few byte-level SQL functions the policies need and the engines spell differently.
 * Everything else policies generate (CASE, regexp_replace, translate, substr, EXTRACT…) is
 * the same on both and gives the same output byte for byte.
 */
export interface PolicySqlFunctions {
  /** A byte-string literal from lowercase hex. */
  bytes(hex: string): string;
  /** A text expression's UTF-8 bytes. */
  utf8(text: string): string;
  /** SHA-256 of a byte expression, as bytes (to hash again). */
  sha256Bytes(bytes: string): string;
  /** SHA-256 of a byte expression, as lowercase hex text. */
  sha256Hex(bytes: string): string;
}

/** DuckDB: BLOBs; `sha256` takes a BLOB and returns lowercase hex, `unhex` gives the bytes back. */
const DUCKDB: PolicySqlFunctions = {
  bytes: (hex) => `unhex('${hex}')`,
  utf8: (text) => `encode(${text})`,
  sha256Bytes: (bytes) => `unhex(sha256(${bytes}))`,
  sha256Hex: (bytes) => `sha256(${bytes})`,
};

/** PostgreSQL: bytea; `sha256` takes and returns bytea, `encode(…, 'hex')` is lowercase. */
const POSTGRES: PolicySqlFunctions = {
  bytes: (hex) => `decode('${hex}', 'hex')`,
  utf8: (text) => `convert_to(${text}, 'UTF8')`,
  sha256Bytes: (bytes) => `sha256(${bytes})`,
  sha256Hex: (bytes) => `encode(sha256(${bytes}), 'hex')`,
};

const BY_ENGINE: Record<EngineKind, PolicySqlFunctions> = { duckdb: DUCKDB, postgres: POSTGRES };

export function policySqlFunctions(kind: EngineKind): PolicySqlFunctions {
  return BY_ENGINE[kind];
}
