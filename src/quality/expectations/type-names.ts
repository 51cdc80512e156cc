import type { EngineKind } from "../../engines/engine.js";

/**
 * Column type names for `expect_column_values_to_be_of_type` / `_in_type_list`, as GX's SQL
 * engines read them: the name is a type of the engine (in GX, an attribute of the dialect's
 * SQLAlchemy type module) and `observed_value` is the column's type by that name
 * (`DOUBLE_PRECISION`, `VARCHAR`, `TIMESTAMP`, …).
 *
 * weir accepts each engine's own names and their documented aliases, case-insensitively,
 * `_` and a space alike, parameters ignored (`DECIMAL(10,2)` is `DECIMAL`): INT/INT4/INTEGER,
 * INT8/BIGINT, FLOAT8/DOUBLE/DOUBLE PRECISION, TEXT/VARCHAR/STRING (PostgreSQL's unbounded
 * `varchar` and `text` are one type to weir, as DuckDB's are), TIMESTAMPTZ/TIMESTAMP WITH TIME
 * ZONE, BYTEA/BLOB, and weir's own logical names (integer, double, varchar, …). `FLOAT` means
 * any floating-point type — PostgreSQL reads it as DOUBLE PRECISION and DuckDB as REAL, so
 * one name could not mean the same on both. A name neither engine knows matches nothing:
 * the expectation fails, it is never read as text.
 */

/** Normalised name → the type families it names (the first is the family of a column of that name). */
const ALIASES: Record<string, string[]> = {
  SMALLINT: ["int2"],
  INT2: ["int2"],
  SHORT: ["int2"],
  INTEGER: ["int4"],
  INT: ["int4"],
  INT4: ["int4"],
  SIGNED: ["int4"],
  BIGINT: ["int8"],
  INT8: ["int8"],
  LONG: ["int8"],
  TINYINT: ["int1"],
  INT1: ["int1"],
  HUGEINT: ["int16"],
  INT128: ["int16"],
  REAL: ["float4"],
  FLOAT4: ["float4"],
  FLOAT: ["float4", "float8"],
  DOUBLE: ["float8"],
  "DOUBLE PRECISION": ["float8"],
  FLOAT8: ["float8"],
  NUMERIC: ["numeric"],
  DECIMAL: ["numeric"],
  TEXT: ["text"],
  VARCHAR: ["text"],
  "CHARACTER VARYING": ["text"],
  STRING: ["text"],
  CHAR: ["char"],
  CHARACTER: ["char"],
  BPCHAR: ["char"],
  BOOLEAN: ["bool"],
  BOOL: ["bool"],
  LOGICAL: ["bool"],
  DATE: ["date"],
  TIMESTAMP: ["timestamp"],
  DATETIME: ["timestamp"],
  "TIMESTAMP WITHOUT TIME ZONE": ["timestamp"],
  TIMESTAMPTZ: ["timestamptz"],
  "TIMESTAMP WITH TIME ZONE": ["timestamptz"],
  TIME: ["time"],
  "TIME WITHOUT TIME ZONE": ["time"],
  TIMETZ: ["timetz"],
  "TIME WITH TIME ZONE": ["timetz"],
  JSON: ["json", "jsonb"],
  JSONB: ["jsonb"],
  BLOB: ["bytes"],
  BYTEA: ["bytes"],
  BINARY: ["bytes"],
  VARBINARY: ["bytes"],
  UUID: ["uuid"],
  INTERVAL: ["interval"],
};

/** DuckDB reads CHAR and BPCHAR as VARCHAR. */
const ENGINE_ALIASES: Record<EngineKind, Record<string, string[]>> = {
  duckdb: { CHAR: ["text"], CHARACTER: ["text"], BPCHAR: ["text"] },
  postgres: {},
};

/** How `observed_value` spells an engine's type name where it differs from the name upper-cased. */
const OBSERVED: Record<string, string> = {
  "DOUBLE PRECISION": "DOUBLE_PRECISION",
  "CHARACTER VARYING": "VARCHAR",
  CHARACTER: "CHAR",
  "TIMESTAMP WITHOUT TIME ZONE": "TIMESTAMP",
  "TIMESTAMP WITH TIME ZONE": "TIMESTAMPTZ",
  "TIME WITHOUT TIME ZONE": "TIME",
  "TIME WITH TIME ZONE": "TIMETZ",
};

/** Upper case, `_` as a space, parameters dropped: `decimal(10, 2)` → `DECIMAL`. */
function normalise(name: string): string {
  return name
    .trim()
    .toUpperCase()
    .replace(/\s*\(.*\)\s*$/, "")
    .replace(/[_\s]+/g, " ");
}

/** The column's type as `observed_value` shows it, from the engine's own name (`typeof`, `pg_typeof`). */
export function observedTypeName(engineTypeName: string): string {
  const name = normalise(engineTypeName);
  return OBSERVED[name] ?? name.replaceAll(" ", "_");
}

function families(engine: EngineKind, name: string): string[] {
  const n = normalise(name);
  return ENGINE_ALIASES[engine][n] ?? ALIASES[n] ?? [`raw:${n}`];
}

/** Whether a column whose engine type is `engineTypeName` is of the type the user named `wanted`. */
export function typeNameMatches(engine: EngineKind, engineTypeName: string, wanted: string): boolean {
  const actual = families(engine, engineTypeName)[0]!;
  return families(engine, wanted).includes(actual);
}
