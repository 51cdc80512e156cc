import { describe, expect, it } from "vitest";
import { dialectScenario, HOSTILE_NAMES } from "../../test/support/engine-suite.js";
import { WEIR_TYPES } from "../core/types.js";
import { DuckDBDialect } from "./duckdb/duckdb-dialect.js";
import { DuckDBEngine } from "./duckdb/duckdb-engine.js";
import { PostgresDialect } from "./postgres/postgres-dialect.js";
import type { SqlDialect } from "./sql-dialect.js";

/** What is left of a statement once quoted identifiers and string literals are removed. */
function skeleton(sql: string): string {
  return sql.replace(/"(?:[^"]|"")*"/g, "ID").replace(/'(?:[^']|'')*'/g, "LIT");
}

function everyStatement(d: SqlDialect, name: string): string[] {
  const t = { schema: name, name };
  const s = { schema: name, name: `${name}2` };
  const fields = [
    { name, type: "integer" as const, nullable: false },
    { name: `${name}v`, type: "varchar" as const },
  ];
  const cols = fields.map((f) => f.name);
  return [
    d.createSchema(name),
    d.createTable(t, { fields }, { primaryKey: [name], ifNotExists: true }),
    d.createTable(t, { fields }, { temporary: true }),
    d.dropTable(t),
    d.insertSelect(t, cols, `SELECT ${d.quoteLiteral(name)}`),
    ...d.upsert(t, s, cols, [name]),
    d.createUniqueKey(t, [name]),
    ...d.overwritePartitions(t, s, cols, [name]),
    d.columnDefinition(fields[0]!),
  ];
}

describe.each([
  ["duckdb", new DuckDBDialect()],
  ["postgres", new PostgresDialect()],
] as const)("%s dialect", (_, d) => {
  it.each(HOSTILE_NAMES)("confines the hostile name %j to quoted tokens in every statement", (name) => {
    for (const sql of everyStatement(d, name)) {
      expect(sql).toContain(`"${name.replaceAll('"', '""')}"`);
      const bare = skeleton(sql);
      expect(bare).not.toMatch(/;|--|\/\*|DROP TABLE y|'|"/);
    }
  });

  it("quotes literals with doubled quotes and keeps backslashes", () => {
    expect(d.quoteLiteral("it's \\ ok")).toBe("'it''s \\ ok'");
    expect(d.quoteLiteral(null)).toBe("NULL");
    expect(d.quoteLiteral(true)).toBe("TRUE");
    expect(d.quoteLiteral(12n)).toBe("12");
    expect(() => d.quoteLiteral(Number.NaN)).toThrow(/NaN/);
    expect(() => d.quoteLiteral("a\u0000b")).toThrow(/NUL/);
  });

  it("refuses identifiers it cannot represent", () => {
    expect(() => d.quoteIdent("")).toThrow(/non-empty/);
    expect(() => d.quoteIdent("a\u0000b")).toThrow(/NUL/);
    expect(() => d.quoteIdent("x".repeat(2000))).toThrow(/longer than/);
  });

  it("maps every logical type to an engine type and back", () => {
    for (const type of WEIR_TYPES) expect(d.logicalType(d.typeName(type))).toBe(type);
  });

  it("generates one atomic INSERT … ON CONFLICT upsert and NULL-safe partition matching", () => {
    const [upsert = "", ...rest] = d.upsert({ name: "t" }, { name: "s" }, ["id", "v"], ["id"]);
    expect(rest).toEqual([]);
    expect(upsert).toMatch(/^INSERT INTO "t" \("id", "v"\) SELECT "id", "v" FROM "s"/);
    expect(upsert).toMatch(/ON CONFLICT \("id"\) DO UPDATE SET "v" = EXCLUDED\."v"$/);
    // PostgreSQL takes row locks in key order, so overlapping upserts cannot deadlock.
    expect(upsert.includes('ORDER BY "id"')).toBe(d.features.writersWait);
    expect(d.upsert({ name: "t" }, { name: "s" }, ["id"], ["id"])[0]).toMatch(
      /ON CONFLICT \("id"\) DO NOTHING$/,
    );
    expect(d.overwritePartitions({ name: "t" }, { name: "s" }, ["a", "p"], ["p"])[0]).toContain(
      "IS NOT DISTINCT FROM",
    );
    expect(() => d.upsert({ name: "t" }, { name: "s" }, ["a"], [])).toThrow(/needs a key/);
  });

  it("names the unique index it adds for an upsert key per table and key, within identifier limits", () => {
    const name = d.uniqueKeyIndexName({ schema: "s", name: "t" }, ["a", "b"]);
    expect(name).toMatch(/^weir_key_[0-9a-f]{16}$/);
    expect(d.uniqueKeyIndexName({ name: "t" }, ["a", "b"])).toBe(name);
    expect(d.uniqueKeyIndexName({ name: "t2" }, ["a", "b"])).not.toBe(name);
    expect(d.uniqueKeyIndexName({ name: "t" }, ["a"])).not.toBe(name);
    expect(d.createUniqueKey({ name: 'x"y' }, ["k"])).toBe(
      `CREATE UNIQUE INDEX IF NOT EXISTS "${d.uniqueKeyIndexName({ name: 'x"y' }, ["k"])}" ON "x""y" ("k")`,
    );
  });
});

it("postgres refuses names PostgreSQL would silently truncate (over 63 bytes)", () => {
  const d = new PostgresDialect();
  expect(d.quoteIdent("é".repeat(31))).toBe(`"${"é".repeat(31)}"`);
  expect(() => d.quoteIdent("é".repeat(32))).toThrow(/63 bytes/);
});

it("executes every generated statement with hostile names on DuckDB", async () => {
  const engine = await DuckDBEngine.create({ memoryLimit: "128MB", threads: 1 });
  try {
    await dialectScenario(engine, `weir "dialect"; --`);
  } finally {
    await engine.close();
  }
});
