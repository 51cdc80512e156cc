import { describe, expect, it } from "vitest";
import { SqlTokenError, sqlTokens } from "./sql-tokens.js";

describe("sqlTokens", () => {
  it("keeps quotes, comments and dollar quoting from splitting the text", () => {
    const sql = `SELECT 'a;b''c', E'x\\'y', $tag$ ; ) $tag$, "Col ""A""" -- a ; comment
      /* outer /* nested ; */ still comment */ FROM t WHERE x = $1 AND y = ?`;
    const tokens = sqlTokens(sql);
    expect(tokens.map((t) => [t.kind, t.value])).toEqual([
      ["word", "SELECT"],
      ["string", "a;b'c"],
      ["punct", ","],
      ["string", "x'y"],
      ["punct", ","],
      ["string", " ; ) "],
      ["punct", ","],
      ["identifier", 'Col "A"'],
      ["word", "FROM"],
      ["word", "T"],
      ["word", "WHERE"],
      ["word", "X"],
      ["punct", "="],
      ["param", "$1"],
      ["word", "AND"],
      ["word", "Y"],
      ["punct", "="],
      ["param", "?"],
    ]);
    expect(tokens.every((t) => sql.slice(t.start, t.end) === t.text)).toBe(true);
  });

  it("tracks parenthesis depth", () => {
    const tokens = sqlTokens("a (b (c) d) e");
    expect(tokens.map((t) => `${t.text}:${t.depth}`)).toEqual([
      "a:0",
      "(:0",
      "b:1",
      "(:1",
      "c:2",
      "):1",
      "d:1",
      "):0",
      "e:0",
    ]);
  });

  it("reads numbers with exponents and decimals as one token", () => {
    expect(sqlTokens("1.5e-3 + .25 - 10").map((t) => t.text)).toEqual(["1.5e-3", "+", ".25", "-", "10"]);
  });

  it("refuses unterminated strings, identifiers, comments and dollar quotes", () => {
    for (const sql of ["SELECT 'x", 'SELECT "x', "SELECT /* x", "SELECT $a$ x"]) {
      expect(() => sqlTokens(sql)).toThrow(SqlTokenError);
    }
  });
});
