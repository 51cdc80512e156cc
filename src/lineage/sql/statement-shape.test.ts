import { describe, expect, it } from "vitest";
import { statementShape } from "./statement-shape.js";

describe("statementShape", () => {
  it("passes SELECT, WITH, VALUES, FROM-first and parenthesised queries through whole", () => {
    for (const sql of [
      "SELECT 1",
      "WITH x AS (SELECT 1) SELECT * FROM x",
      "VALUES (1)",
      "FROM t SELECT a",
      "(SELECT 1) UNION (SELECT 2)",
    ]) {
      expect(statementShape(`  ${sql} ; `)).toEqual({ kind: "select", selectSql: sql });
    }
  });

  it("splits CREATE … AS from its query, with quoted and qualified names and a column list", () => {
    expect(
      statementShape('CREATE OR REPLACE TEMPORARY TABLE IF NOT EXISTS "My Db".s."T" AS SELECT 1 AS a'),
    ).toEqual({
      kind: "create_table_as",
      target: { catalog: "My Db", schema: "s", name: "T" },
      selectSql: "SELECT 1 AS a",
    });
    expect(statementShape('CREATE VIEW v (a, "B") AS SELECT x, y FROM t')).toEqual({
      kind: "create_view_as",
      target: { name: "v" },
      columnNames: ["a", "B"],
      selectSql: "SELECT x, y FROM t",
    });
    expect(statementShape("CREATE MATERIALIZED VIEW m AS SELECT a FROM t WITH DATA")).toMatchObject({
      kind: "create_view_as",
      selectSql: "SELECT a FROM t",
    });
    expect(statementShape("CREATE TABLE t (a INT)")).toMatchObject({ kind: "other" });
  });

  it("cuts INSERT's ON CONFLICT and RETURNING tails at the top level only", () => {
    expect(
      statementShape(`INSERT INTO dw.t (a, "b") SELECT x, 'ON CONFLICT' FROM s JOIN (SELECT 1 AS k) j ON j.k = s.k
        ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b RETURNING a`),
    ).toEqual({
      kind: "insert_select",
      target: { schema: "dw", name: "t" },
      columnNames: ["a", "b"],
      byName: false,
      selectSql: "SELECT x, 'ON CONFLICT' FROM s JOIN (SELECT 1 AS k) j ON j.k = s.k",
    });
    expect(statementShape("INSERT OR REPLACE INTO t BY NAME SELECT 1 AS a")).toEqual({
      kind: "insert_select",
      target: { name: "t" },
      byName: true,
      selectSql: "SELECT 1 AS a",
    });
    expect(statementShape("INSERT INTO t (SELECT 1)")).toMatchObject({ selectSql: "(SELECT 1)" });
    expect(statementShape("INSERT INTO t DEFAULT VALUES")).toEqual({
      kind: "insert_select",
      target: { name: "t" },
      byName: false,
    });
  });

  it("puts a WITH before INSERT in front of the INSERT's query", () => {
    expect(statementShape("WITH s AS (SELECT 1 AS a) INSERT INTO t (a) SELECT a FROM s")).toMatchObject({
      kind: "insert_select",
      selectSql: "WITH s AS (SELECT 1 AS a) SELECT a FROM s",
    });
    expect(statementShape("WITH s AS (SELECT 1) DELETE FROM t")).toMatchObject({ kind: "other" });
  });

  it("reads COPY (query) TO and COPY table (cols) TO", () => {
    expect(
      statementShape("COPY (SELECT a FROM t) TO 'x.parquet' (FORMAT parquet, PARTITION_BY (a))"),
    ).toEqual({
      kind: "copy_to",
      target: { file: "x.parquet" },
      selectSql: "SELECT a FROM t",
    });
    expect(statementShape("COPY s.\"T\" (a, b) TO 'o.csv'")).toEqual({
      kind: "copy_to",
      target: { file: "o.csv" },
      selectSql: 'SELECT a, b FROM s."T"',
    });
    expect(statementShape("COPY t FROM 'x.csv'")).toMatchObject({ kind: "other" });
  });

  it("drops PostgreSQL's trailing row-locking clause", () => {
    expect(statementShape("SELECT a FROM t WHERE b FOR NO KEY UPDATE OF t NOWAIT")).toEqual({
      kind: "select",
      selectSql: "SELECT a FROM t WHERE b",
    });
    expect(statementShape("SELECT * FROM t PIVOT (sum(v) FOR k IN ('a'))")).toMatchObject({
      selectSql: "SELECT * FROM t PIVOT (sum(v) FOR k IN ('a'))",
    });
  });

  it("says why it cannot: several statements, broken quoting, nothing at all", () => {
    expect(statementShape("SELECT 1; SELECT 2")).toMatchObject({
      kind: "other",
      unparsable: true,
      reason: /2 statements/,
    });
    expect(statementShape("SELECT 'x")).toMatchObject({
      kind: "other",
      unparsable: true,
      reason: /unterminated/,
    });
    expect(statementShape("/* only */")).toMatchObject({ kind: "other", reason: /no statement/ });
    expect(statementShape("DROP TABLE t")).toMatchObject({ kind: "other", reason: /^DROP:/ });
  });
});
