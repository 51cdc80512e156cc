import type { EngineKind } from "../../engines/engine.js";

/**
 * The SQL functions the policies need and the engines spell differently, each giving the
 * same output byte for byte on both. Everything else policies generate (CASE, trim,
 * regexp_replace, substr, EXTRACT…) is the same on both.
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
  /**
   * `text` with A–Z lower-cased and every other character as it was (`lower` alone would
   * also change letters outside ASCII, differently per engine and collation). Give a column
   * reference: DuckDB reads `text` up to four times.
   */
  asciiLower(text: string): string;
  /** `text` with a–z upper-cased and every other character as it was; as {@link asciiLower}. */
  asciiUpper(text: string): string;
  /**
   * The `count` capture groups of the first match of `pattern` (a quoted literal) in `text`,
   * as one value: prepare it once and read it with {@link groupsText}. Give only patterns
   * whose match, where there is one, can be split into groups in one way: the engines'
   * regex dialects settle ambiguous captures differently.
   */
  regexpGroups(text: string, pattern: string, count: number): string;
  /** The groups of a {@link regexpGroups} value joined: NULL or '' when the text was NULL or did not match. */
  groupsText(groups: string, count: number): string;
  /**
   * Appended to a subquery whose columns the outer query reads several times, so each is
   * computed once per row: PostgreSQL otherwise pulls a simple subquery up into the outer
   * query and computes its expression again at every reference (`OFFSET 0` keeps it a
   * subquery, whose unread columns it still skips). DuckDB plans the subquery as its own
   * projection.
   */
  subqueryFence: string;
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const groupNames = (count: number) => Array.from({ length: count }, (_, i) => `g${i + 1}`);

/**
 * DuckDB: case mapping — a string whose byte length equals its character count is ASCII,
 * where `lower`/`upper` change exactly A–Z and are cheap; other strings take `translate`
 * (about fifteen times slower), which maps A–Z and nothing else.
 */
function duckdbAsciiCase(text: string, fn: "lower" | "upper", from: string, to: string): string {
  return `CASE WHEN strlen(${text}) = length(${text}) THEN ${fn}(${text}) ELSE translate(${text}, '${from}', '${to}') END`;
}

/** DuckDB: BLOBs; `sha256` takes a BLOB and returns lowercase hex, `unhex` gives the bytes back. */
const DUCKDB: PolicySqlFunctions = {
  bytes: (hex) => `unhex('${hex}')`,
  utf8: (text) => `encode(${text})`,
  sha256Bytes: (bytes) => `unhex(sha256(${bytes}))`,
  sha256Hex: (bytes) => `sha256(${bytes})`,
  asciiLower: (text) => duckdbAsciiCase(text, "lower", UPPER, LOWER),
  asciiUpper: (text) => duckdbAsciiCase(text, "upper", LOWER, UPPER),
  // A STRUCT of the named groups, each '' when there is no match.
  regexpGroups: (text, pattern, count) =>
    `regexp_extract(${text}, ${pattern}, [${groupNames(count)
      .map((g) => `'${g}'`)
      .join(", ")}])`,
  groupsText: (groups, count) =>
    groupNames(count)
      .map((g) => `struct_extract(${groups}, '${g}')`)
      .join(" || "),
  subqueryFence: "",
};

/**
 * PostgreSQL: bytea; `sha256` takes and returns bytea, `encode(…, 'hex')` is lowercase.
 * `lower`/`upper` under the "C" collation map ASCII letters only, whatever the database's
 * locale (without it a Turkish locale lower-cases `I` to `ı`).
 */
const POSTGRES: PolicySqlFunctions = {
  bytes: (hex) => `decode('${hex}', 'hex')`,
  utf8: (text) => `convert_to(${text}, 'UTF8')`,
  sha256Bytes: (bytes) => `sha256(${bytes})`,
  sha256Hex: (bytes) => `encode(sha256(${bytes}), 'hex')`,
  asciiLower: (text) => `lower((${text}) COLLATE "C")`,
  asciiUpper: (text) => `upper((${text}) COLLATE "C")`,
  // A text[] of the groups, NULL when there is no match.
  regexpGroups: (text, pattern) => `regexp_match(${text}, ${pattern})`,
  groupsText: (groups) => `array_to_string(${groups}, '')`,
  subqueryFence: " OFFSET 0",
};

const BY_ENGINE: Record<EngineKind, PolicySqlFunctions> = { duckdb: DUCKDB, postgres: POSTGRES };

export function policySqlFunctions(kind: EngineKind): PolicySqlFunctions {
  return BY_ENGINE[kind];
}
