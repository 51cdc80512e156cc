import { type HmacPads, hmacHexSql } from "./hmac-sql.js";
import { HASH_BLANKS } from "./pii-digest.js";
import type { PolicySqlFunctions } from "./policy-sql-functions.js";
import {
  type Generalization,
  type HashNormalization,
  type MaskKind,
  type PolicyOutput,
  REDACTED_TEXT,
} from "./policy-types.js";

/** What an output's SQL needs besides the column: the engine's functions, literals and keys. */
export interface OutputSqlContext {
  fn: PolicySqlFunctions;
  literal(value: string): string;
  /** The HMAC pads of the hash key (read when first needed, so policies without `hash` need no key). */
  hashPads(): HmacPads;
  /** The HMAC pads of the token id key. */
  tokenPads(): HmacPads;
  /**
   * A reference to `expr` computed once per row (`PreparedValues`), for a value read more
   * than once; `expr` reads source columns only, never another prepared value.
   */
  prepare(expr: string): string;
}

/**
 * The SQL expression of one output over `column` (a qualified, quoted reference). NULL in
 * gives NULL out for every kind. Masks drop blanks around the value first. Values are read
 * as text (`CAST(… AS VARCHAR)`) where the kind works on text, so a number or date column
 * is masked or hashed as its text. A value read more than once (the trimmed text, a
 * phone's digits) goes through `ctx.prepare`, so it is computed once per row.
 */
export function outputSql(output: PolicyOutput, column: string, ctx: OutputSqlContext): string {
  switch (output.kind) {
    case "mask":
      return maskSql(output.mask, text(column), ctx);
    case "hash":
      return hmacHexSql(ctx.fn, ctx.hashPads(), normalizedSql(output.normalize, text(column), ctx));
    case "tokenize":
      return `'tok_' || substr(${hmacHexSql(ctx.fn, ctx.tokenPads(), text(column))}, 1, 32)`;
    case "redact":
      // `CASE WHEN FALSE THEN c END` is NULL of the column's own type on both engines.
      return output.redact === "null"
        ? `CASE WHEN FALSE THEN ${column} END`
        : `CASE WHEN ${column} IS NULL THEN NULL ELSE ${ctx.literal(REDACTED_TEXT)} END`;
    case "generalize":
      return generalizeSql(output.generalize, column, ctx);
  }
}

/** The token expression alone, for reading (token, value) pairs back into the vault. */
export function tokenSql(column: string, ctx: OutputSqlContext): string {
  return outputSql({ kind: "tokenize", as: "token", piiClass: "" }, column, ctx);
}

export function text(column: string): string {
  return `CAST(${column} AS VARCHAR)`;
}

function maskSql(mask: MaskKind, value: string, ctx: OutputSqlContext): string {
  if (mask === "email") {
    // First character of the local part, then the domain after the last "@"; a value with
    // no "@" is no email and shows nothing.
    const email = ctx.prepare(trimmed(value, ctx));
    const first = `CASE WHEN substr(${email}, 1, 1) = '@' THEN '' ELSE substr(${email}, 1, 1) END`;
    const domain = `regexp_replace(${email}, '^([^@]*@)+', '')`;
    return `CASE WHEN ${email} IS NULL THEN NULL WHEN strpos(${email}, '@') = 0 THEN '***' ELSE ${first} || '***@' || ${domain} END`;
  }
  // The last four digits behind a fixed "****" (the length is not shown); four digits or
  // fewer would show the whole number, so then nothing is kept. Blanks around the value
  // are no digits, so it needs no trim.
  const digits = ctx.fn.lastFourDigits;
  const last4 = digits.read(ctx.prepare(digits.value(value)));
  return `CASE WHEN ${value} IS NULL THEN NULL ELSE ${ctx.literal("****")} || ${last4} END`;
}

function normalizedSql(normalize: HashNormalization, value: string, ctx: OutputSqlContext): string {
  if (normalize === "none") return value;
  // A mask of the same column reads the same trimmed value.
  const stripped = ctx.prepare(trimmed(value, ctx));
  // ASCII only: engines (and PostgreSQL collations) lower-case other letters differently.
  return normalize === "trim" ? stripped : ctx.fn.asciiLower(stripped);
}

/** `value` without blanks (space, tab, line breaks) at either end. */
function trimmed(value: string, ctx: OutputSqlContext): string {
  return `trim(${value}, ${ctx.literal(HASH_BLANKS)})`;
}

function generalizeSql(g: Generalization, column: string, ctx: OutputSqlContext): string {
  switch (g.to) {
    case "year":
      return `CAST(EXTRACT(year FROM CAST(${column} AS DATE)) AS INTEGER)`;
    case "month": {
      const part = (field: string, width: number) =>
        `lpad(CAST(CAST(EXTRACT(${field} FROM CAST(${column} AS DATE)) AS INTEGER) AS VARCHAR), ${width}, '0')`;
      return `${part("year", 4)} || '-' || ${part("month", 2)}`;
    }
    case "age": {
      const age = `CAST(${column} AS DOUBLE PRECISION)`;
      const low = `CAST(floor(${age} / ${g.width}) AS BIGINT) * ${g.width}`;
      const band = `CAST(${low} AS VARCHAR) || '-' || CAST(${low} + ${g.width - 1} AS VARCHAR)`;
      const top = g.top === undefined ? "" : ` WHEN ${age} >= ${g.top} THEN ${ctx.literal(`${g.top}+`)}`;
      return `CASE WHEN ${age} IS NULL OR ${age} < 0 THEN NULL${top} ELSE ${band} END`;
    }
    case "postcode": {
      // A postcode no longer than the prefix would pass whole: it becomes NULL instead.
      // Upper-casing ASCII keeps the length, so only the kept prefix is upper-cased.
      const code = ctx.prepare(`replace(${text(column)}, ' ', '')`);
      return `CASE WHEN length(${code}) > ${g.prefix} THEN ${ctx.fn.asciiUpper(`substr(${code}, 1, ${g.prefix})`)} END`;
    }
  }
}
