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
   * A text's last four digits (0-9) when it has more than four, '' when it has four or
   * fewer; for a NULL text NULL or '' (callers test the text). `value` is what to compute
   * once per row (prepare it), `read` takes the digits from it.
   */
  lastFourDigits: { value(text: string): string; read(value: string): string };
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

/**
 * A text's last five digits, the last four captured: the match starts at the fifth digit
 * from the end and `[^0-9]*` cannot take a digit, so it splits into groups one way only.
 */
const LAST_FOUR_OF_FIVE = `'[0-9][^0-9]*${"([0-9])[^0-9]*".repeat(4)}$'`;

/**
 * DuckDB case mapping: a string whose byte length equals its character count has only
 * one-byte characters, ASCII, where `lower`/`upper` change exactly the 26 letters and are
 * cheap; other strings take `translate`, which maps those letters and nothing else but
 * costs over ten times as much (it builds its table for every row).
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
  // One regexp_extract into a STRUCT of the four groups ('' each without a match): a third
  // of what removing every non-digit with regexp_replace costs.
  lastFourDigits: {
    value: (text) => `regexp_extract(${text}, ${LAST_FOUR_OF_FIVE}, ['d1', 'd2', 'd3', 'd4'])`,
    read: (value) => ["d1", "d2", "d3", "d4"].map((d) => `struct_extract(${value}, '${d}')`).join(" || "),
  },
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
  // The digits alone: PostgreSQL's regexp_match with capture groups (DuckDB's way) takes
  // some 50 µs a value.
  lastFourDigits: {
    value: (text) => `regexp_replace(${text}, '[^0-9]', '', 'g')`,
    read: (digits) => `CASE WHEN length(${digits}) > 4 THEN right(${digits}, 4) ELSE '' END`,
  },
  subqueryFence: " OFFSET 0",
};

const BY_ENGINE: Record<EngineKind, PolicySqlFunctions> = { duckdb: DUCKDB, postgres: POSTGRES };

export function policySqlFunctions(kind: EngineKind): PolicySqlFunctions {
  return BY_ENGINE[kind];
}
