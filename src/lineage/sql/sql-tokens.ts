/**
 * A small SQL tokenizer: enough to find the statement around a SELECT (the `CREATE … AS`,
 * `INSERT INTO … (cols)`, `ON CONFLICT` tail, `COPY (…) TO 'path'`) without being fooled by
 * quotes, comments or parentheses. It reads both DuckDB's and PostgreSQL's lexical forms:
 * `'…'` with `''`, `E'…'` with backslash escapes, `$tag$…$tag$` dollar quoting, `"…"`
 * identifiers with `""`, `--` and (nested) `/* … *\/` comments, `$1` / `?` parameters.
 */

export type SqlTokenKind = "word" | "identifier" | "string" | "number" | "param" | "punct";

export interface SqlToken {
  kind: SqlTokenKind;
  /** The source text of the token. */
  text: string;
  /** A word upper-cased, an identifier or string unquoted; else the text. */
  value: string;
  start: number;
  end: number;
  /** Parenthesis depth at the token (a `(` has the depth outside it). */
  depth: number;
}

export class SqlTokenError extends Error {}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;
const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/**
 * The tokens of `sql`, comments and white space left out.
 *
 * @example
 * sqlTokens("SELECT 'a;b' -- c\n FROM t").map((t) => t.value); // ["SELECT", "a;b", "FROM", "T"]
 */
export function sqlTokens(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let depth = 0;
  let i = 0;
  const push = (kind: SqlTokenKind, start: number, end: number, value: string) => {
    const text = sql.slice(start, end);
    if (text === ")") depth = Math.max(0, depth - 1);
    tokens.push({ kind, text, value, start, end, depth });
    if (text === "(") depth++;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && next === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? sql.length : eol + 1;
    } else if (c === "/" && next === "*") {
      i = skipBlockComment(sql, i);
    } else if (c === "'" || ((c === "E" || c === "e") && next === "'")) {
      const start = i;
      const backslashes = c !== "'";
      const [end, value] = readQuoted(sql, backslashes ? i + 1 : i, "'", backslashes);
      push("string", start, end, value);
      i = end;
    } else if (c === '"') {
      const [end, value] = readQuoted(sql, i, '"', false);
      push("identifier", i, end, value);
      i = end;
    } else if (c === "$") {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 80));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        if (close < 0) throw new SqlTokenError(`unterminated dollar-quoted string at offset ${i}`);
        push("string", i, close + tag[0].length, sql.slice(i + tag[0].length, close));
        i = close + tag[0].length;
      } else {
        let end = i + 1;
        while (end < sql.length && WORD_PART.test(sql[end]!)) end++;
        push("param", i, end, sql.slice(i, end));
        i = end;
      }
    } else if (c === "?") {
      push("param", i, i + 1, "?");
      i++;
    } else if (WORD_START.test(c)) {
      let end = i + 1;
      while (end < sql.length && WORD_PART.test(sql[end]!)) end++;
      push("word", i, end, sql.slice(i, end).toUpperCase());
      i = end;
    } else if (DIGIT.test(c) || (c === "." && next !== undefined && DIGIT.test(next))) {
      let end = i + 1;
      while (end < sql.length && /[0-9.eE_]/.test(sql[end]!)) {
        if (/[eE]/.test(sql[end]!) && /[+-]/.test(sql[end + 1] ?? "")) end++;
        end++;
      }
      push("number", i, end, sql.slice(i, end));
      i = end;
    } else {
      push("punct", i, i + 1, c);
      i++;
    }
  }
  return tokens;
}

/** The end of a `/* … *\/` comment starting at `start`; PostgreSQL nests them, so this does too. */
function skipBlockComment(sql: string, start: number): number {
  let nesting = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === "/" && sql[i + 1] === "*") {
      nesting++;
      i += 2;
    } else if (sql[i] === "*" && sql[i + 1] === "/") {
      nesting--;
      i += 2;
      if (nesting === 0) return i;
    } else {
      i++;
    }
  }
  throw new SqlTokenError(`unterminated block comment at offset ${start}`);
}

/** Reads a quoted run from the quote at `start`: its end and its unquoted value. */
function readQuoted(sql: string, start: number, quote: string, backslashes: boolean): [number, string] {
  let value = "";
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (backslashes && c === "\\" && i + 1 < sql.length) {
      value += sql[i + 1];
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) {
        value += quote;
        i += 2;
      } else {
        return [i + 1, value];
      }
    } else {
      value += c;
      i++;
    }
  }
  const what = quote === '"' ? "quoted identifier" : "string literal";
  throw new SqlTokenError(`unterminated ${what} at offset ${start}`);
}
