/**
 * What a piece of SQL text is made of, cut where PostgreSQL's lexer cuts it. DuckDB parses
 * with the same lexer (libpg_query), so both engines agree with these boundaries: a `;`
 * or a parenthesis this scanner sees as code is code to the engine, and one inside a
 * string, quoted identifier or comment is not.
 *
 * - `word`: a keyword or unquoted identifier (`value` lower-cased, as the engines fold it);
 *   identifiers continue with letters, digits, `_` and `$`, so `x$a$` is one word.
 * - `quoted`: a `"quoted identifier"` (`value` unescaped, case kept).
 * - `string`: `'text'` (`''` escapes a quote, a backslash is literal since weir's sessions
 *   use standard_conforming_strings), `E'text'` (backslash escapes too) and `$tag$text$tag$`.
 * - `comment`: `-- to end of line` or a block comment (slash-star to star-slash); block
 *   comments nest, as in both engines.
 * - `param`: `$1`; `number`; `symbol`: any other single character (`;`, `(`, `)`…).
 */
export type SqlTokenKind = "word" | "quoted" | "string" | "comment" | "param" | "number" | "symbol";

export interface SqlToken {
  kind: SqlTokenKind;
  /** Lower-cased for words, unescaped for quoted identifiers, the text itself otherwise. */
  value: string;
  /** Offsets into the text: `text.slice(start, end)` is the token as written. */
  start: number;
  end: number;
}

export interface SqlScan {
  tokens: SqlToken[];
  /** Set when the text ends inside a string, identifier or comment (at `offset`). */
  problem?: { message: string; offset: number };
}

const SPACE = /[ \t\n\r\f\v]/;
const IDENT_START = /[A-Za-z_\u0080-\uffff]/;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;
const PARAM = /\$[0-9]+/y;

/**
 * Cuts SQL text into tokens. Never throws: text that ends inside a string, quoted
 * identifier or comment returns the tokens so far and a `problem`.
 *
 * @example
 * scanSql("a = ';' -- c").tokens.map((t) => t.kind); // ["word", "symbol", "string", "comment"]
 */
export function scanSql(text: string): SqlScan {
  const tokens: SqlToken[] = [];
  const push = (kind: SqlTokenKind, start: number, end: number, value = text.slice(start, end)) =>
    tokens.push({ kind, value, start, end });
  const unterminated = (what: string, offset: number): SqlScan => ({
    tokens,
    problem: { message: `${what} starting at character ${offset + 1} is never closed`, offset },
  });
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const start = i;
    if (SPACE.test(c)) {
      i++;
    } else if (c === "-" && text[i + 1] === "-") {
      while (i < text.length && text[i] !== "\n" && text[i] !== "\r") i++;
      push("comment", start, i);
    } else if (c === "/" && text[i + 1] === "*") {
      let depth = 0;
      while (i < text.length) {
        if (text[i] === "/" && text[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (text[i] === "*" && text[i + 1] === "/") {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
      if (depth > 0) return unterminated("a /* comment", start);
      push("comment", start, i);
    } else if (c === "'") {
      const last = tokens.at(-1);
      // E'…' only when the E stands alone right before the quote (xE'…' is a word, then a string).
      const escapes = last?.kind === "word" && last.end === start && last.value === "e";
      const end = closeQuote(text, i, "'", escapes);
      if (end < 0) return unterminated("a string", start);
      i = end;
      push("string", start, i);
    } else if (c === '"') {
      const end = closeQuote(text, i, '"', false);
      if (end < 0) return unterminated("a quoted identifier", start);
      i = end;
      push("quoted", start, i, text.slice(start + 1, end - 1).replaceAll('""', '"'));
    } else if (c === "$") {
      PARAM.lastIndex = i;
      DOLLAR_TAG.lastIndex = i;
      const param = PARAM.exec(text);
      const tag = param ? null : DOLLAR_TAG.exec(text);
      if (param) {
        i += param[0].length;
        push("param", start, i);
      } else if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        if (close < 0) return unterminated(`a ${tag[0]} string`, start);
        i = close + tag[0].length;
        push("string", start, i);
      } else {
        i++;
        push("symbol", start, i);
      }
    } else if (IDENT_START.test(c)) {
      while (i < text.length && IDENT_CONT.test(text[i]!)) i++;
      push("word", start, i, text.slice(start, i).toLowerCase());
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      while (i < text.length && /[0-9A-Za-z_.]/.test(text[i]!)) i++;
      push("number", start, i);
    } else {
      i++;
      push("symbol", start, i);
    }
  }
  return { tokens };
}

/** The offset just past the quote closing the one at `open`, or -1 when it never closes. */
function closeQuote(text: string, open: number, quote: string, backslashEscapes: boolean): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (backslashEscapes && c === "\\") i += 2;
    else if (c === quote && text[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return -1;
}

/** The tokens that are code: comments left out. */
export function codeTokens(scan: SqlScan): SqlToken[] {
  return scan.tokens.filter((t) => t.kind !== "comment");
}
