import type { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DuckDBEngine } from "../../engines/duckdb/duckdb-engine.js";
import { rowConditionProblem, sqlCheckProblem } from "./user-sql.js";

const ISSUE_CONDITION =
  "true), FALSE)) AS a1 FROM (SELECT 1) AS s; COPY (SELECT 42) TO '/tmp/x.csv'; DROP TABLE t; SELECT (COALESCE((true";

describe("rowConditionProblem", () => {
  it("accepts one expression, with ; ( ) -- inside strings, quoted names and dollar quotes", () => {
    for (const condition of [
      "country = 'US'",
      "name = 'a;b' AND note <> ')' AND note <> '--'",
      `"we;ird)" IS NOT NULL`,
      "label = $$x); DROP TABLE t; --$$",
      "label = $tag$it's ; )$tag$",
      "label = E'it\\'s ; )'",
      "(a > 1) OR (b < 2 AND (c IS NULL))",
      "id IN (SELECT id FROM other WHERE flag)",
    ])
      expect(rowConditionProblem(condition), condition).toBeUndefined();
  });

  it("refuses what could leave weir's parentheses, naming the character", () => {
    expect(rowConditionProblem(ISSUE_CONDITION)).toBe(
      '")" at character 5 closes a parenthesis the text did not open',
    );
    expect(rowConditionProblem("true) OR (1 = 1")).toMatch(/"\)" at character 5 closes/);
    expect(rowConditionProblem("a = 1; DROP TABLE t")).toMatch(/";" at character 6 ends a statement/);
    expect(rowConditionProblem("(a = 1")).toBe('"(" at character 1 is never closed');
    expect(rowConditionProblem("a = 1 -- the rest")).toMatch(/comment starts at character 7/);
    expect(rowConditionProblem("a = 1 /* x */")).toMatch(/comment starts at character 7/);
    expect(rowConditionProblem("a = 'open")).toMatch(/string starting at character 5 is never closed/);
    expect(rowConditionProblem("a = $q$open")).toMatch(/\$q\$ string starting at character 5/);
    // A standard string ends at the quote after a backslash: the ; is code.
    expect(rowConditionProblem("a = '\\'; DROP TABLE t; SELECT 'x'")).toMatch(/";" at character 8/);
    expect(rowConditionProblem("   ")).toBe("it is empty");
  });
});

describe("sqlCheckProblem", () => {
  it("accepts one query, comments included", () => {
    for (const sql of [
      "SELECT * FROM {batch} WHERE amount < 0",
      "-- negative amounts\nWITH x AS (SELECT 1 AS n) SELECT * FROM x -- trailing",
      "(SELECT 1) UNION ALL (SELECT 2)",
      "VALUES (1)",
      "FROM {batch} WHERE ';' = ';'",
    ])
      expect(sqlCheckProblem(sql), sql).toBeUndefined();
  });

  it("refuses a second statement and anything that is not a query", () => {
    expect(sqlCheckProblem("SELECT 1; DROP TABLE t")).toMatch(/";" at character 9 ends a statement/);
    expect(sqlCheckProblem("SELECT 1;")).toMatch(/";" at character 9/);
    for (const [sql, word] of [
      ["DELETE FROM t RETURNING *", "DELETE"],
      ["COPY (SELECT 42) TO '/tmp/x.csv'", "COPY"],
      ["CREATE TABLE t2 AS SELECT 1", "CREATE"],
      ["insert into t values (1) returning *", "insert"],
    ] as const)
      expect(sqlCheckProblem(sql)).toBe(`it begins with ${word}, not a query`);
    expect(sqlCheckProblem("SELECT 1) AS x, (SELECT 2")).toMatch(/closes a parenthesis/);
    expect(sqlCheckProblem("-- nothing")).toBe("it holds no query");
  });
});

describe("row conditions against DuckDB's own parser", () => {
  let engine: DuckDBEngine;
  let conn: DuckDBConnection;
  beforeAll(async () => {
    engine = await DuckDBEngine.create();
    conn = engine.connection();
    await engine.run("CREATE TABLE t AS SELECT 1 AS a");
  });
  afterAll(async () => engine.close());

  /**
   * The statements DuckDB's parser finds in weir's main scan around `condition`, or 0 when
   * it cannot parse it; when it is one, its select list must be weir's one aggregate.
   */
  async function statementsAround(condition: string): Promise<{ count: number }> {
    const sql = `SELECT count(*) FILTER (WHERE COALESCE((${condition}), FALSE)) AS weir_c FROM t`;
    const count = await conn.extractStatements(sql).then(
      (x) => x.count,
      () => 0,
    );
    if (count !== 1) return { count };
    const literal = engine.dialect.quoteLiteral(sql);
    const reader = await conn.runAndReadAll(`SELECT json_serialize_sql(${literal}) AS ast`);
    const ast = JSON.parse(String(reader.getRowObjects()[0]!.ast)) as {
      error: boolean;
      statements: { node: { select_list: { alias: string }[]; from_table: { table_name?: string } } }[];
    };
    if (ast.error) return { count };
    const node = ast.statements[0]!.node;
    expect(node.select_list.map((e) => e.alias)).toEqual(["weir_c"]);
    expect(node.from_table.table_name).toBe("t");
    return { count };
  }

  it("never lets an accepted condition parse as more than weir's one expression", async () => {
    // Pieces that change where the lexer cuts: quotes, escapes, comments, dollar quotes, parentheses.
    const pieces = [
      "'",
      '"',
      ";",
      "(",
      ")",
      "--",
      "/*",
      "*/",
      "$$",
      "$a$",
      "E'",
      "\\",
      "\n",
      "x",
      " ",
      "1",
      "a$a",
    ];
    let seed = 20240131;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let accepted = 0;
    const started = Date.now();
    for (let i = 0; i < 4000 && Date.now() - started < 15_000; i++) {
      const length = 1 + Math.floor(random() * 10);
      const condition = Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join("");
      if (rowConditionProblem(condition) !== undefined) continue;
      accepted++;
      const around = await statementsAround(condition);
      expect(around.count, condition).toBeLessThanOrEqual(1);
    }
    expect(accepted).toBeGreaterThan(50);
  }, 30_000);

  it("finds the issue's condition to be several statements, as DuckDB does", async () => {
    expect((await statementsAround(ISSUE_CONDITION)).count).toBe(4);
    expect(rowConditionProblem(ISSUE_CONDITION)).toBeDefined();
  });
});
