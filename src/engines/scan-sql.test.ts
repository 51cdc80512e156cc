import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "./duckdb/duckdb-engine.js";
import { postgresReadOnlyProblem } from "./read-only.js";
import { codeTokens, scanSql } from "./scan-sql.js";

/** Statements in `sql` as the scanner sees them: non-empty runs of code between `;`s. */
function statementsSeen(sql: string): number {
  let statements = 0;
  let open = false;
  for (const token of codeTokens(scanSql(sql))) {
    if (token.kind === "symbol" && token.value === ";") open = false;
    else if (!open) {
      open = true;
      statements++;
    }
  }
  return statements;
}

/**
 * Texts where each lexer rule decides whether a `;` is code. A scanner that got one rule
 * wrong (a backslash escaping in a standard string, block comments not nesting, `$` not
 * continuing a word…) would count these differently from the engine.
 */
const CASES: [sql: string, statements: number][] = [
  ["SELECT 'a;b'", 1],
  ["SELECT 'it''s; fine'", 1],
  ["SELECT '\\'; SELECT 2", 2],
  ["SELECT E'\\''; SELECT 2", 2],
  ["SELECT E'\\'; SELECT 2'", 1],
  ["SELECT xE'\\'; SELECT 2", 2],
  ['SELECT 1 AS "a;b"', 1],
  ['SELECT 1 AS "a"";b"', 1],
  ["SELECT 1 -- ; SELECT 2", 1],
  ["SELECT 1 -- c\n; SELECT 2", 2],
  ["SELECT 1 /* ; */ ; SELECT 2", 2],
  ["SELECT 1 /* /* */ ; SELECT 2 */", 1],
  ["SELECT 1 /* a /* b */ c */ ; SELECT 2", 2],
  ["SELECT $$;$$", 1],
  ["SELECT $a$ $b$ ; $a$", 1],
  ["SELECT $a$ ; $a$ ; SELECT 2", 2],
  ["SELECT 1 AS x$a$ ; SELECT '$a$'", 2],
  ["SELECT $1::INTEGER; SELECT 2", 2],
  ["SELECT 1*/*c;*/2", 1],
  ["SELECT 1 --c\r; SELECT 2", 2],
];

describe("scanSql", () => {
  let engine: DuckDBEngine;
  beforeAll(async () => {
    engine = await DuckDBEngine.create();
  });
  afterAll(async () => engine.close());

  it("cuts statements where DuckDB's parser (PostgreSQL's lexer) cuts them", async () => {
    for (const [sql, statements] of CASES) {
      expect(statementsSeen(sql), sql).toBe(statements);
      const parsed = await engine
        .connection()
        .extractStatements(sql)
        .then((x) => x.count);
      expect(parsed, sql).toBe(statements);
    }
  });

  it("reads words lower-cased, quoted names unescaped, and says where text is left open", () => {
    const scan = scanSql(`SELECT "We""ird", e'x' FROM T`);
    expect(scan.tokens.map((t) => [t.kind, t.value])).toEqual([
      ["word", "select"],
      ["quoted", 'We"ird'],
      ["symbol", ","],
      ["word", "e"],
      ["string", "'x'"],
      ["word", "from"],
      ["word", "t"],
    ]);
    expect(scanSql("SELECT /* open").problem).toEqual({
      message: "a /* comment starting at character 8 is never closed",
      offset: 7,
    });
    expect(scanSql(`SELECT "open`).problem?.message).toMatch(/quoted identifier starting at character 8/);
  });
});

describe("postgresReadOnlyProblem", () => {
  it("lets queries through and refuses COPY, other statements and server-side effects", () => {
    for (const sql of [
      "SELECT 1",
      "WITH x AS (SELECT 1) SELECT * FROM x",
      "(SELECT 1)",
      "VALUES (1)",
      "TABLE t",
    ])
      expect(postgresReadOnlyProblem(sql), sql).toBeUndefined();
    expect(postgresReadOnlyProblem("COPY (SELECT 42) TO '/tmp/x'")).toBe(
      "it is a COPY statement, not a query",
    );
    expect(postgresReadOnlyProblem("SET transaction_read_only = off")).toMatch(/SET statement/);
    expect(postgresReadOnlyProblem("SELECT lo_export(1, '/tmp/x')")).toMatch(/calls lo_export\(\)/);
    expect(postgresReadOnlyProblem(`SELECT pg_catalog."lo_export" (1, '/tmp/x')`)).toMatch(/lo_export/);
    expect(postgresReadOnlyProblem("SELECT dblink_exec('db', 'DROP TABLE t')")).toMatch(/dblink_exec/);
    expect(postgresReadOnlyProblem(`SELECT U&"lo\\005fexport"(1, '/tmp/x')`)).toMatch(/Unicode-escaped/);
    // Names in strings, and a column that happens to be called lo_export, are not calls.
    expect(postgresReadOnlyProblem("SELECT 'lo_export(1)', lo_export FROM t")).toBeUndefined();
    expect(postgresReadOnlyProblem(`SELECT a & "b" FROM t`)).toBeUndefined();
  });
});
