import { describe, expect, it } from "vitest";
import { statementLineage } from "./column-lineage.js";
import { lineageText } from "./lineage-text.js";
import type { ColumnCatalog, DatasetName } from "./lineage-types.js";

const TABLES: Record<string, string[]> = {
  t: ["a", "b", "c", "d", "id"],
  u: ["id", "x", "y"],
  "dw.orders": ["order_id", "customer_id", "amount", "status", "created_at"],
  "Weird Table": ["Col A", "b"],
  delivery_7_days: ["order_id", "order_placed_on", "order_delivered_on", "courier"],
  top_delivery_times: ["order_id", "order_placed_on", "order_delivered_on", "order_delivery_time"],
};

const catalog: ColumnCatalog = {
  columnsOf: (dataset: DatasetName) => {
    if ("file" in dataset)
      return dataset.file === "lake/events/*.parquet" ? ["event_id", "user_id", "kind"] : undefined;
    return TABLES[[dataset.schema, dataset.name].filter(Boolean).join(".")];
  },
};

const lineage = async (sql: string, withCatalog: ColumnCatalog | undefined = catalog) =>
  statementLineage(sql, withCatalog);
const text = async (sql: string, withCatalog: ColumnCatalog | undefined = catalog) =>
  lineageText(await lineage(sql, withCatalog));

describe("statementLineage: columns and names", () => {
  it("copies bare, aliased, qualified, quoted and schema-qualified columns as DIRECT/IDENTITY", async () => {
    const result = await lineage(
      `SELECT o.order_id, o.amount AS total, dw.orders.status, "Col A" AS "the A" FROM dw.orders o, dw.orders, "Weird Table"`,
    );
    expect(result).toMatchObject({ parsed: true, kind: "select" });
    expect(result.reason).toBeUndefined();
    expect(result.inputs).toEqual([{ schema: "dw", name: "orders" }, { name: "Weird Table" }]);
    expect(result.columns).toEqual([
      {
        name: "order_id",
        inputFields: [
          {
            table: { schema: "dw", name: "orders" },
            field: "order_id",
            transformations: [{ type: "DIRECT", subtype: "IDENTITY" }],
          },
        ],
      },
      {
        name: "total",
        inputFields: [
          {
            table: { schema: "dw", name: "orders" },
            field: "amount",
            transformations: [{ type: "DIRECT", subtype: "IDENTITY" }],
          },
        ],
      },
      {
        name: "status",
        inputFields: [
          {
            table: { schema: "dw", name: "orders" },
            field: "status",
            transformations: [{ type: "DIRECT", subtype: "IDENTITY" }],
          },
        ],
      },
      {
        name: "the A",
        inputFields: [
          {
            table: { name: "Weird Table" },
            field: "Col A",
            transformations: [{ type: "DIRECT", subtype: "IDENTITY" }],
          },
        ],
      },
    ]);
    expect(result.datasetLevel).toEqual([]);
  });

  it("marks computed values, casts and :: casts DIRECT/TRANSFORMATION", async () => {
    expect(
      await text(
        "SELECT a + b AS s, lower(CAST(c AS VARCHAR)) AS l, d::BIGINT AS dd, CAST(id AS TEXT) AS i FROM t",
      ),
    ).toEqual({
      s: ["t.a DIRECT/TRANSFORMATION", "t.b DIRECT/TRANSFORMATION"],
      l: ["t.c DIRECT/TRANSFORMATION"],
      dd: ["t.d DIRECT/TRANSFORMATION"],
      i: ["t.id DIRECT/TRANSFORMATION"],
    });
  });

  it("names unaliased expressions as DuckDB does, or as PostgreSQL does with dialect postgres", async () => {
    const sql =
      "SELECT a, t.b, sum(c), a + 1, CAST(d AS INTEGER), count(*), coalesce(a, b) FROM t GROUP BY ALL";
    expect((await lineage(sql)).columns.map((c) => c.name)).toEqual([
      "a",
      "b",
      "sum(c)",
      "(a + 1)",
      "CAST(d AS INTEGER)",
      "count_star()",
      "COALESCE(a, b)",
    ]);
    expect(
      (await statementLineage(sql, catalog, { dialect: "postgres" })).columns.map((c) => c.name),
    ).toEqual(["a", "b", "sum", "?column?", "d", "count", "coalesce"]);
  });

  it("reads a catalog that answers asynchronously", async () => {
    const slow: ColumnCatalog = {
      columnsOf: async (dataset) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return catalog.columnsOf(dataset);
      },
    };
    expect(await text("SELECT * FROM u", slow)).toEqual({
      id: ["u.id DIRECT/IDENTITY"],
      x: ["u.x DIRECT/IDENTITY"],
      y: ["u.y DIRECT/IDENTITY"],
    });
  });
});

describe("statementLineage: indirect lineage", () => {
  it("follows the OpenLineage facet's example: ORDER BY an alias sorts by the alias's inputs", async () => {
    const result = await lineage(`INSERT INTO top_delivery_times (
        order_id, order_placed_on, order_delivered_on, order_delivery_time
      )
      SELECT order_id, order_placed_on, order_delivered_on,
        DATEDIFF('minute', order_placed_on, order_delivered_on) AS order_delivery_time
      FROM delivery_7_days
      ORDER BY order_delivery_time DESC
      LIMIT 1`);
    expect(result.kind).toBe("insert_select");
    expect(result.target).toEqual({ name: "top_delivery_times" });
    expect(lineageText(result)).toEqual({
      order_id: ["delivery_7_days.order_id DIRECT/IDENTITY"],
      order_placed_on: ["delivery_7_days.order_placed_on DIRECT/IDENTITY"],
      order_delivered_on: ["delivery_7_days.order_delivered_on DIRECT/IDENTITY"],
      order_delivery_time: [
        "delivery_7_days.order_placed_on DIRECT/TRANSFORMATION",
        "delivery_7_days.order_delivered_on DIRECT/TRANSFORMATION",
      ],
      "*": [
        "delivery_7_days.order_placed_on INDIRECT/SORT",
        "delivery_7_days.order_delivered_on INDIRECT/SORT",
      ],
    });
  });

  it("puts WHERE and HAVING columns as FILTER, JOIN ON and USING as JOIN, GROUP BY as GROUP_BY", async () => {
    expect(
      await text(`SELECT t.a, sum(u.x) AS total
        FROM t JOIN u ON t.id = u.id LEFT JOIN dw.orders o USING (status)
        WHERE t.b > 0 AND u.y IS NOT NULL
        GROUP BY t.a
        HAVING max(t.c) < 10`),
    ).toEqual({
      a: ["t.a DIRECT/IDENTITY"],
      total: ["u.x DIRECT/AGGREGATION"],
      "*": [
        "t.id INDIRECT/JOIN",
        "u.id INDIRECT/JOIN",
        "dw.orders.status INDIRECT/JOIN",
        "t.b INDIRECT/FILTER",
        "u.y INDIRECT/FILTER",
        "t.a INDIRECT/GROUP_BY",
        "t.c INDIRECT/FILTER",
      ],
    });
  });

  it("resolves GROUP BY and ORDER BY positions and aliases to the select items", async () => {
    expect(await text("SELECT a + 1 AS k, count(b) AS n FROM t GROUP BY 1 ORDER BY n DESC, k")).toEqual({
      k: ["t.a DIRECT/TRANSFORMATION"],
      n: ["t.b DIRECT/AGGREGATION masked"],
      // Masking carries through composition (OpenLineage's Spark merge rule): b is sorted on by its count.
      "*": ["t.a INDIRECT/GROUP_BY, INDIRECT/SORT", "t.b INDIRECT/SORT masked"],
    });
  });

  it("treats GROUP BY ALL as grouping by the non-aggregate items, DISTINCT ON as GROUP_BY", async () => {
    expect(await text("SELECT a, b, sum(c) AS s FROM t GROUP BY ALL")).toEqual({
      a: ["t.a DIRECT/IDENTITY"],
      b: ["t.b DIRECT/IDENTITY"],
      s: ["t.c DIRECT/AGGREGATION"],
      "*": ["t.a INDIRECT/GROUP_BY", "t.b INDIRECT/GROUP_BY"],
    });
    expect(await text("SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, d")).toEqual({
      a: ["t.a DIRECT/IDENTITY"],
      b: ["t.b DIRECT/IDENTITY"],
      "*": ["t.a INDIRECT/GROUP_BY, INDIRECT/SORT", "t.d INDIRECT/SORT"],
    });
  });

  it("keeps an aggregate's FILTER and ORDER BY on its own column", async () => {
    expect(
      await text(
        "SELECT count(*) FILTER (WHERE b = 'x') AS n, string_agg(c, ',' ORDER BY d) AS cs, sum(a) FILTER (WHERE b > 1) AS s FROM t",
      ),
    ).toEqual({
      n: ["t.b INDIRECT/FILTER"],
      cs: ["t.c DIRECT/AGGREGATION", "t.d INDIRECT/SORT"],
      s: ["t.a DIRECT/AGGREGATION", "t.b INDIRECT/FILTER"],
    });
  });

  it("gives CASE conditions CONDITIONAL and its results IDENTITY or TRANSFORMATION", async () => {
    expect(
      await text(
        "SELECT CASE WHEN b > 1 THEN c WHEN d IS NULL THEN a * 2 ELSE id END AS k, CASE a WHEN 1 THEN 'one' END AS w FROM t",
      ),
    ).toEqual({
      k: [
        "t.b INDIRECT/CONDITIONAL",
        "t.c DIRECT/IDENTITY",
        "t.d INDIRECT/CONDITIONAL",
        "t.a DIRECT/TRANSFORMATION",
        "t.id DIRECT/IDENTITY",
      ],
      w: ["t.a INDIRECT/CONDITIONAL"],
    });
  });

  it("gives COALESCE / IFNULL arguments both their value and CONDITIONAL, NULLIF and IF their conditions", async () => {
    expect(
      await text(
        "SELECT coalesce(a, b + 1) AS co, ifnull(c, 0) AS i, nullif(d, id) AS n, if(a > 0, b, c) AS f FROM t",
      ),
    ).toEqual({
      co: ["t.a DIRECT/IDENTITY, INDIRECT/CONDITIONAL", "t.b DIRECT/TRANSFORMATION, INDIRECT/CONDITIONAL"],
      i: ["t.c DIRECT/IDENTITY, INDIRECT/CONDITIONAL"],
      n: ["t.d DIRECT/IDENTITY, INDIRECT/CONDITIONAL", "t.id INDIRECT/CONDITIONAL"],
      f: ["t.a INDIRECT/CONDITIONAL", "t.b DIRECT/IDENTITY", "t.c DIRECT/IDENTITY"],
    });
  });

  it("gives window functions their argument DIRECT and PARTITION BY / ORDER BY WINDOW", async () => {
    expect(
      await text(`SELECT
          row_number() OVER (PARTITION BY a ORDER BY b) AS rn,
          sum(c) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS running,
          lag(d, 1, id) OVER w AS previous
        FROM t WINDOW w AS (ORDER BY c)`),
    ).toEqual({
      rn: ["t.a INDIRECT/WINDOW", "t.b INDIRECT/WINDOW"],
      running: ["t.c DIRECT/AGGREGATION", "t.a INDIRECT/WINDOW", "t.b INDIRECT/WINDOW"],
      previous: ["t.d DIRECT/TRANSFORMATION", "t.id DIRECT/TRANSFORMATION", "t.c INDIRECT/WINDOW"],
    });
  });

  it("filters through subqueries in WHERE (IN, EXISTS, scalar) and traces scalar subqueries in the select list", async () => {
    expect(
      await text(`SELECT a,
          (SELECT max(x) FROM u WHERE u.id = t.id) AS top_x
        FROM t
        WHERE b IN (SELECT y FROM u) AND EXISTS (SELECT 1 FROM dw.orders o WHERE o.order_id = t.c)
          AND d > (SELECT avg(amount) FROM dw.orders)`),
    ).toEqual({
      a: ["t.a DIRECT/IDENTITY"],
      top_x: ["u.x DIRECT/AGGREGATION", "u.id INDIRECT/FILTER", "t.id INDIRECT/FILTER"],
      "*": [
        "t.b INDIRECT/FILTER",
        "u.y INDIRECT/FILTER",
        "dw.orders.order_id INDIRECT/FILTER",
        "t.c INDIRECT/FILTER",
        "t.d INDIRECT/FILTER",
        "dw.orders.amount INDIRECT/FILTER",
      ],
    });
  });
});

describe("statementLineage: masking", () => {
  it("sets masking for hashes, count and weir's masking functions", async () => {
    const result = await lineage(
      "SELECT md5(a) AS h1, sha256(CAST(b AS VARCHAR)) AS h2, hash(c) AS h3, weir_mask_email(d) AS m, count(DISTINCT id) AS n, upper(a) AS plain FROM t",
    );
    expect(lineageText(result)).toEqual({
      h1: ["t.a DIRECT/TRANSFORMATION masked"],
      h2: ["t.b DIRECT/TRANSFORMATION masked"],
      h3: ["t.c DIRECT/TRANSFORMATION masked"],
      m: ["t.d DIRECT/TRANSFORMATION masked"],
      n: ["t.id DIRECT/AGGREGATION masked"],
      plain: ["t.a DIRECT/TRANSFORMATION"],
    });
    expect(result.columns[0]!.inputFields[0]!.transformations).toEqual([
      { type: "DIRECT", subtype: "TRANSFORMATION", masking: true },
    ]);
  });

  it("takes a project's own masking functions", async () => {
    const sql = "SELECT my_scramble(a) AS s FROM t";
    expect(lineageText(await lineage(sql))).toEqual({ s: ["t.a DIRECT/TRANSFORMATION"] });
    expect(lineageText(await statementLineage(sql, catalog, { maskingFunctions: ["MY_SCRAMBLE"] }))).toEqual({
      s: ["t.a DIRECT/TRANSFORMATION masked"],
    });
  });

  it("keeps masking when a masked column is read through a subquery", async () => {
    expect(await text("SELECT upper(h) AS u FROM (SELECT md5(a) AS h FROM t) s")).toEqual({
      u: ["t.a DIRECT/TRANSFORMATION masked"],
    });
  });
});

describe("statementLineage: CTEs, subqueries and set operations", () => {
  it("traces through CTEs and FROM subqueries to base tables, with their filters at dataset level", async () => {
    const result = await lineage(`WITH recent AS (SELECT id, a, b FROM t WHERE c > 0),
        joined AS (SELECT r.id, r.a, u.x FROM recent r JOIN u ON r.id = u.id)
      SELECT s.total, s.id FROM (SELECT id, sum(a * x) AS total FROM joined GROUP BY id) AS s`);
    expect(result.inputs).toEqual([{ name: "t" }, { name: "u" }]);
    expect(lineageText(result)).toEqual({
      total: ["t.a DIRECT/AGGREGATION", "u.x DIRECT/AGGREGATION"],
      id: ["t.id DIRECT/IDENTITY"],
      "*": ["t.c INDIRECT/FILTER", "t.id INDIRECT/JOIN, INDIRECT/GROUP_BY", "u.id INDIRECT/JOIN"],
    });
  });

  it("renames by CTE and subquery column aliases", async () => {
    expect(
      await text(
        "WITH c(k, v) AS (SELECT a, b FROM t) SELECT k, z.w FROM c, (SELECT x FROM u) z(w) WHERE v > 1",
      ),
    ).toEqual({
      k: ["t.a DIRECT/IDENTITY"],
      w: ["u.x DIRECT/IDENTITY"],
      "*": ["t.b INDIRECT/FILTER"],
    });
  });

  it("lets a CTE shadow a table and read the table of its own name", async () => {
    const result = await lineage("WITH t AS (SELECT a + 1 AS a FROM t) SELECT a FROM t");
    expect(result.inputs).toEqual([{ name: "t" }]);
    expect(lineageText(result)).toEqual({ a: ["t.a DIRECT/TRANSFORMATION"] });
  });

  it("traces a recursive CTE's anchor and loop (best effort)", async () => {
    expect(
      await text(
        "WITH RECURSIVE r(n, k) AS (SELECT a, id FROM t UNION ALL SELECT n + 1, k FROM r WHERE n < 10) SELECT n, k FROM r",
      ),
    ).toEqual({
      n: ["t.a DIRECT/IDENTITY, DIRECT/TRANSFORMATION"],
      k: ["t.id DIRECT/IDENTITY"],
      "*": ["t.a INDIRECT/FILTER"],
    });
  });

  it("takes column i of a UNION from column i of every branch", async () => {
    expect(
      await text(
        "SELECT a AS v, b FROM t WHERE c = 1 UNION ALL SELECT x, y FROM u UNION SELECT amount, status FROM dw.orders ORDER BY 1",
      ),
    ).toEqual({
      v: ["t.a DIRECT/IDENTITY", "u.x DIRECT/IDENTITY", "dw.orders.amount DIRECT/IDENTITY"],
      b: ["t.b DIRECT/IDENTITY", "u.y DIRECT/IDENTITY", "dw.orders.status DIRECT/IDENTITY"],
      "*": [
        "t.c INDIRECT/FILTER",
        "t.a INDIRECT/SORT",
        "u.x INDIRECT/SORT",
        "dw.orders.amount INDIRECT/SORT",
      ],
    });
  });

  it("matches UNION BY NAME by name", async () => {
    expect(await text("SELECT a, b FROM t UNION ALL BY NAME SELECT y AS b, x AS a FROM u")).toEqual({
      a: ["t.a DIRECT/IDENTITY", "u.x DIRECT/IDENTITY"],
      b: ["t.b DIRECT/IDENTITY", "u.y DIRECT/IDENTITY"],
    });
  });

  it("takes EXCEPT and INTERSECT values from the left branch; the right one filters", async () => {
    for (const op of ["EXCEPT", "INTERSECT"]) {
      expect(await text(`SELECT a, b FROM t ${op} SELECT x, y FROM u WHERE id > 3`)).toEqual({
        a: ["t.a DIRECT/IDENTITY"],
        b: ["t.b DIRECT/IDENTITY"],
        "*": ["u.id INDIRECT/FILTER", "u.x INDIRECT/FILTER", "u.y INDIRECT/FILTER"],
      });
    }
  });
});

describe("statementLineage: SELECT * and name resolution", () => {
  it("expands *, t.*, EXCLUDE, REPLACE and RENAME through the catalog", async () => {
    expect(
      await text(
        "SELECT u.*, t.* EXCLUDE (c, d) REPLACE (a * 2 AS a) RENAME (b AS bee) FROM t JOIN u ON t.id = u.id",
      ),
    ).toEqual({
      id: ["t.id DIRECT/IDENTITY"],
      x: ["u.x DIRECT/IDENTITY"],
      y: ["u.y DIRECT/IDENTITY"],
      a: ["t.a DIRECT/TRANSFORMATION"],
      bee: ["t.b DIRECT/IDENTITY"],
      "*": ["t.id INDIRECT/JOIN", "u.id INDIRECT/JOIN"],
    });
  });

  it("lists a USING column once under *, and expands COLUMNS('regex')", async () => {
    const result = await lineage("SELECT * FROM t JOIN u USING (id)");
    expect(result.columns.map((c) => c.name)).toEqual(["a", "b", "c", "d", "id", "x", "y"]);
    expect(await text("SELECT COLUMNS('^(a|b)$') FROM t")).toEqual({
      a: ["t.a DIRECT/IDENTITY"],
      b: ["t.b DIRECT/IDENTITY"],
    });
  });

  it("lists what it can of a * over a table of unknown columns and says so", async () => {
    const result = await lineage("SELECT *, upper(name) AS shout FROM staging.people", undefined);
    expect(result.parsed).toBe(true);
    expect(result.reason).toContain("SELECT * over staging.people");
    expect(lineageText(result)).toEqual({ shout: ["staging.people.name DIRECT/TRANSFORMATION"] });
  });

  it("traces names through a * over an unknown table in a subquery", async () => {
    const result = await lineage(
      "SELECT p.name, age + 1 AS next_age FROM (SELECT * EXCLUDE (secret) FROM people WHERE active) p ORDER BY p.name",
      undefined,
    );
    expect(lineageText(result)).toEqual({
      name: ["people.name DIRECT/IDENTITY"],
      next_age: ["people.age DIRECT/TRANSFORMATION"],
      "*": ["people.active INDIRECT/FILTER", "people.name INDIRECT/SORT"],
    });
  });

  it("resolves unqualified columns to the FROM table that has them, or to the only table", async () => {
    expect(await text("SELECT a, x FROM t JOIN u ON t.id = u.id WHERE y > 0")).toEqual({
      a: ["t.a DIRECT/IDENTITY"],
      x: ["u.x DIRECT/IDENTITY"],
      "*": ["t.id INDIRECT/JOIN", "u.id INDIRECT/JOIN", "u.y INDIRECT/FILTER"],
    });
    expect(await text("SELECT name FROM people WHERE age > 3", undefined)).toEqual({
      name: ["people.name DIRECT/IDENTITY"],
      "*": ["people.age INDIRECT/FILTER"],
    });
  });

  it("does not guess between several tables of unknown columns", async () => {
    const result = await lineage("SELECT name FROM people, pets", undefined);
    expect(result.columns).toEqual([{ name: "name", inputFields: [] }]);
    expect(result.reason).toMatch(/column "name" is ambiguous: people, pets/);
  });

  it("lets later select items and WHERE use earlier aliases (DuckDB)", async () => {
    expect(await text("SELECT a + 1 AS k, k * 2 AS k2 FROM t WHERE k2 > 3")).toEqual({
      k: ["t.a DIRECT/TRANSFORMATION"],
      k2: ["t.a DIRECT/TRANSFORMATION"],
      "*": ["t.a INDIRECT/FILTER"],
    });
  });

  it("reads NATURAL and SEMI joins, VALUES lists and table column aliases", async () => {
    expect(await text("SELECT * FROM t NATURAL JOIN u")).toEqual({
      a: ["t.a DIRECT/IDENTITY"],
      b: ["t.b DIRECT/IDENTITY"],
      c: ["t.c DIRECT/IDENTITY"],
      d: ["t.d DIRECT/IDENTITY"],
      id: ["t.id DIRECT/IDENTITY"],
      x: ["u.x DIRECT/IDENTITY"],
      y: ["u.y DIRECT/IDENTITY"],
      "*": ["t.id INDIRECT/JOIN", "u.id INDIRECT/JOIN"],
    });
    expect(await text("SELECT * FROM t SEMI JOIN u ON u.id = t.id")).toEqual({
      a: ["t.a DIRECT/IDENTITY"],
      b: ["t.b DIRECT/IDENTITY"],
      c: ["t.c DIRECT/IDENTITY"],
      d: ["t.d DIRECT/IDENTITY"],
      id: ["t.id DIRECT/IDENTITY"],
      "*": ["u.id INDIRECT/JOIN", "t.id INDIRECT/JOIN"],
    });
    expect(
      await text("SELECT v.code, r.p FROM (VALUES (1, 'a')) v(n, code) JOIN t AS r(p, q) ON r.q = v.n"),
    ).toEqual({
      code: [],
      p: ["t.a DIRECT/IDENTITY"],
      "*": ["t.b INDIRECT/JOIN"],
    });
  });

  it("does not take CURRENT_TIMESTAMP or lambda parameters for columns", async () => {
    expect(
      await text(
        "SELECT CURRENT_TIMESTAMP AS now, list_transform(tags, x -> x || suffix) AS t2 FROM people",
        undefined,
      ),
    ).toEqual({
      now: [],
      t2: ["people.tags DIRECT/TRANSFORMATION", "people.suffix DIRECT/TRANSFORMATION"],
    });
  });

  it("reads struct fields as TRANSFORMATION of the struct column", async () => {
    expect(await text("SELECT p.address.city AS city, address.zip AS zip FROM people p", undefined)).toEqual({
      city: ["people.address DIRECT/TRANSFORMATION"],
      zip: ["people.address DIRECT/TRANSFORMATION"],
    });
  });
});

describe("statementLineage: files and table functions", () => {
  it("records read_parquet / read_csv / read_json and replacement scans as file inputs", async () => {
    const result = await lineage(`SELECT e.user_id, c.name, j.score
      FROM read_parquet('lake/events/*.parquet', hive_partitioning = true) e
      JOIN read_csv_auto(['a.csv', 'b.csv']) c ON c.id = e.user_id
      JOIN read_json('scores.json') j ON j.id = e.user_id
      WHERE e.kind IN (SELECT kind FROM 'kinds.parquet')`);
    expect(result.inputs).toEqual([
      { file: "lake/events/*.parquet" },
      { file: "a.csv" },
      { file: "b.csv" },
      { file: "scores.json" },
      { file: "kinds.parquet" },
    ]);
    expect(lineageText(result)).toEqual({
      user_id: ["lake/events/*.parquet.user_id DIRECT/IDENTITY"],
      name: ["a.csv.name DIRECT/IDENTITY", "b.csv.name DIRECT/IDENTITY"],
      score: ["scores.json.score DIRECT/IDENTITY"],
      "*": [
        "a.csv.id INDIRECT/JOIN",
        "b.csv.id INDIRECT/JOIN",
        "lake/events/*.parquet.user_id INDIRECT/JOIN",
        "scores.json.id INDIRECT/JOIN",
        "lake/events/*.parquet.kind INDIRECT/FILTER",
        "kinds.parquet.kind INDIRECT/FILTER",
      ],
    });
  });

  it("reads a table function that is not a file as no dataset", async () => {
    const result = await lineage("SELECT g * 2 AS doubled FROM generate_series(1, 10) AS s(g)");
    expect(result.inputs).toEqual([]);
    expect(result.columns).toEqual([{ name: "doubled", inputFields: [] }]);
  });
});

describe("statementLineage: writes", () => {
  it("reads CREATE [OR REPLACE] [TEMP] TABLE|VIEW [IF NOT EXISTS] name [(cols)] AS", async () => {
    const table = await lineage(
      "CREATE OR REPLACE TEMP TABLE IF NOT EXISTS main.totals AS SELECT a, sum(b) AS s FROM t GROUP BY a",
    );
    expect(table).toMatchObject({
      parsed: true,
      kind: "create_table_as",
      target: { schema: "main", name: "totals" },
    });
    expect(lineageText(table)).toEqual({
      a: ["t.a DIRECT/IDENTITY"],
      s: ["t.b DIRECT/AGGREGATION"],
      "*": ["t.a INDIRECT/GROUP_BY"],
    });
    const view = await lineage('CREATE VIEW "Reports"."v" ("first", second) AS (SELECT a, b FROM t)');
    expect(view).toMatchObject({ kind: "create_view_as", target: { schema: "Reports", name: "v" } });
    expect(view.columns.map((c) => c.name)).toEqual(["first", "second"]);
    const pg = await lineage("CREATE UNLOGGED TABLE x AS SELECT a FROM t WITH NO DATA");
    expect(pg).toMatchObject({ parsed: true, kind: "create_table_as", target: { name: "x" } });
    expect(pg.columns.map((c) => c.name)).toEqual(["a"]);
  });

  it("reads INSERT INTO name (cols) SELECT … ON CONFLICT … RETURNING …", async () => {
    const result = await lineage(`INSERT INTO dw.orders AS o (order_id, amount)
      SELECT id, a * 100 FROM t WHERE b = 'on conflict; not a tail'
      ON CONFLICT (order_id) DO UPDATE SET amount = EXCLUDED.amount + o.amount WHERE o.status <> 'closed'
      RETURNING order_id`);
    expect(result).toMatchObject({
      parsed: true,
      kind: "insert_select",
      target: { schema: "dw", name: "orders" },
    });
    expect(lineageText(result)).toEqual({
      order_id: ["t.id DIRECT/IDENTITY"],
      amount: ["t.a DIRECT/TRANSFORMATION"],
      "*": ["t.b INDIRECT/FILTER"],
    });
  });

  it("names INSERT columns from the target's catalog columns when there is no column list", async () => {
    const result = await lineage("INSERT INTO u SELECT id, a, b FROM t");
    expect(result.columns.map((c) => c.name)).toEqual(["id", "x", "y"]);
    expect(result.columns[1]!.inputFields[0]!.field).toBe("a");
    const byName = await lineage("INSERT INTO u BY NAME SELECT b AS y, id FROM t");
    expect(byName.columns.map((c) => c.name)).toEqual(["y", "id"]);
    const unknown = await lineage("INSERT INTO somewhere SELECT a FROM t");
    expect(unknown.columns.map((c) => c.name)).toEqual(["a"]);
    expect(unknown.reason).toMatch(/INSERT INTO somewhere without a column list/);
  });

  it("reads INSERT … VALUES, DEFAULT VALUES and WITH … INSERT", async () => {
    const values = await lineage("INSERT INTO u (id, x) VALUES (1, 'a'), (2, 'b') ON CONFLICT DO NOTHING");
    expect(values).toMatchObject({ parsed: true, kind: "insert_select", inputs: [] });
    expect(values.columns).toEqual([
      { name: "id", inputFields: [] },
      { name: "x", inputFields: [] },
    ]);
    const defaults = await lineage("INSERT INTO u DEFAULT VALUES");
    expect(defaults.columns.map((c) => c.name)).toEqual(["id", "x", "y"]);
    const withInsert = await lineage(
      "WITH s AS (SELECT id, c FROM t) INSERT INTO u (id, x) SELECT id, c FROM s",
    );
    expect(lineageText(withInsert)).toEqual({ id: ["t.id DIRECT/IDENTITY"], x: ["t.c DIRECT/IDENTITY"] });
  });

  it("reads COPY (query) TO 'file' and COPY table TO 'file'; COPY … FROM carries no lineage", async () => {
    const copy = await lineage("COPY (SELECT a, b FROM t WHERE c > 1) TO 'out/t.parquet' (FORMAT parquet)");
    expect(copy).toMatchObject({ parsed: true, kind: "copy_to", target: { file: "out/t.parquet" } });
    expect(lineageText(copy)).toEqual({
      a: ["t.a DIRECT/IDENTITY"],
      b: ["t.b DIRECT/IDENTITY"],
      "*": ["t.c INDIRECT/FILTER"],
    });
    const table = await lineage("COPY u (id, x) TO 'u.csv' (HEADER)");
    expect(lineageText(table)).toEqual({ id: ["u.id DIRECT/IDENTITY"], x: ["u.x DIRECT/IDENTITY"] });
    const stdout = await lineage("COPY (SELECT a FROM t) TO STDOUT WITH (FORMAT csv)");
    expect(stdout).toMatchObject({ parsed: true, kind: "copy_to" });
    expect(stdout.target).toBeUndefined();
    expect(await lineage("COPY t FROM 'in.csv'")).toMatchObject({ parsed: false, kind: "other" });
  });
});

describe("statementLineage: PostgreSQL warehouse SQL", () => {
  it("reads what DuckDB's PostgreSQL-derived parser reads, and drops a row-locking clause", async () => {
    expect(
      await text(
        `SELECT l.x, ARRAY(SELECT y FROM u WHERE u.id = t.id) AS ys, t.a::regclass AS r
         FROM ONLY t CROSS JOIN LATERAL (SELECT u.x FROM u WHERE u.id = t.id LIMIT 1) l
         WHERE t.b ~* '^a' AND t.c = ANY(CAST($1 AS integer[]))
         FOR UPDATE OF t SKIP LOCKED`,
      ),
    ).toEqual({
      x: ["u.x DIRECT/IDENTITY"],
      ys: ["u.y INDIRECT/CONDITIONAL, DIRECT/AGGREGATION", "u.id INDIRECT/FILTER", "t.id INDIRECT/FILTER"],
      r: ["t.a DIRECT/TRANSFORMATION"],
      "*": ["u.id INDIRECT/FILTER", "t.id INDIRECT/FILTER", "t.b INDIRECT/FILTER", "t.c INDIRECT/FILTER"],
    });
    const upsert = await lineage(
      "INSERT INTO u (id, x) SELECT id, a FROM t ON CONFLICT ON CONSTRAINT u_pkey DO UPDATE SET x = EXCLUDED.x",
    );
    expect(lineageText(upsert)).toEqual({ id: ["t.id DIRECT/IDENTITY"], x: ["t.a DIRECT/IDENTITY"] });
  });
});

describe("statementLineage: what it cannot read", () => {
  it("answers parsed: false with DuckDB's reason for SQL it cannot parse", async () => {
    const result = await lineage("SELECT a FROM t WHERE");
    expect(result).toMatchObject({
      parsed: false,
      kind: "select",
      inputs: [],
      columns: [],
      datasetLevel: [],
    });
    expect(result.reason).toMatch(/syntax error/i);
    expect(await lineage("SELECT 'unterminated FROM t")).toMatchObject({
      parsed: false,
      reason: expect.stringMatching(/unterminated string literal/),
    });
    expect(await lineage("CREATE TABLE x AS SELECT FROM WHERE")).toMatchObject({
      parsed: false,
      kind: "create_table_as",
    });
  });

  it("answers parsed: false for statements that carry no lineage, and for several statements", async () => {
    expect(await lineage("UPDATE t SET a = 1")).toMatchObject({
      parsed: false,
      kind: "other",
      reason: /^UPDATE:/,
    });
    expect(await lineage("CREATE TABLE x (a INT)")).toMatchObject({ parsed: false, kind: "other" });
    expect(await lineage("SELECT a FROM t; DROP TABLE t")).toMatchObject({
      parsed: false,
      reason: expect.stringMatching(/holds 2 statements/),
    });
    expect(await lineage("SELECT a FROM t;")).toMatchObject({ parsed: true });
    expect(await lineage("  -- nothing\n")).toMatchObject({ parsed: false, kind: "other" });
  });
});
