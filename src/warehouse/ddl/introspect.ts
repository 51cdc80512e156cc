import type { TableRef } from "../../core/types.js";
import type { Engine, EngineKind } from "../../engines/engine.js";

/** A column as the catalog holds it: the engine's own type name. */
export interface CatalogColumn {
  name: string;
  /** `integer`, `character varying(20)`, `TIMESTAMP WITH TIME ZONE`, `DECIMAL(18,2)`, … */
  type: string;
  nullable: boolean;
}

export interface CatalogIndex {
  name: string;
  /** Key columns in order; undefined when a key is an expression (or not readable). */
  columns: string[] | undefined;
  unique: boolean;
  /** DuckDB: the statement that created it, to create it again after an ALTER. */
  definition?: string;
}

/** What the catalog says about one table (and, on PostgreSQL, its `_mv` materialized view). */
export interface CatalogTable {
  /** The schema it was found in (the default schema resolved). */
  schema: string;
  columns: CatalogColumn[];
  primaryKey: string[] | undefined;
  /** The primary key constraint's name (PostgreSQL), to drop it. */
  primaryKeyName: string | undefined;
  /** Secondary indexes (the primary key's own index left out). */
  indexes: CatalogIndex[];
  /** PostgreSQL: the RANGE partition column of a partitioned table; undefined otherwise. */
  partitionColumn: string | undefined;
}

export interface CatalogMaterializedView {
  populated: boolean;
  indexes: CatalogIndex[];
}

/** How the catalog compares names: PostgreSQL exactly, DuckDB ignoring case (as it resolves them). */
export function nameKey(engine: EngineKind): (name: string) => string {
  return engine === "duckdb" ? (n) => n.toLowerCase() : (n) => n;
}

/** The schema a table without one lives in: `current_schema()` (`main`, `public`). */
export async function defaultSchema(engine: Engine): Promise<string> {
  const [row] = await engine.query<{ s: string }>("SELECT current_schema() AS s");
  return row!.s;
}

export async function schemaExists(engine: Engine, schema: string): Promise<boolean> {
  const sql =
    engine.kind === "postgres"
      ? "SELECT 1 AS found FROM pg_namespace WHERE nspname = $1"
      : "SELECT 1 AS found FROM duckdb_schemas() WHERE database_name = current_database() AND schema_name = $1";
  return (await engine.query(sql, [schema])).length > 0;
}

/**
 * Reads a table's columns, primary key, indexes and partitioning from the catalog (all by
 * bound parameters, so any name is safe); undefined when there is no such table.
 */
export async function introspectTable(engine: Engine, table: TableRef): Promise<CatalogTable | undefined> {
  const schema = table.schema ?? (await defaultSchema(engine));
  return engine.kind === "postgres"
    ? introspectPostgres(engine, schema, table.name)
    : introspectDuckDB(engine, schema, table.name);
}

async function introspectPostgres(
  engine: Engine,
  schema: string,
  name: string,
): Promise<CatalogTable | undefined> {
  const relation = await pgRelation(engine, schema, name, ["r", "p"]);
  if (!relation) return undefined;
  const columns = await engine.query<{ name: string; type: string; nullable: boolean }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
     FROM pg_attribute a WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [relation.oid],
  );
  const all = await pgIndexes(engine, relation.oid);
  const partition =
    relation.kind === "p"
      ? await engine.query<{ name: string }>(
          `SELECT a.attname AS name FROM pg_partitioned_table p
           JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
           WHERE p.partrelid = $1::oid`,
          [relation.oid],
        )
      : [];
  const primary = all.find((i) => i.primary);
  return {
    schema,
    columns: columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable === true })),
    primaryKey: primary?.columns,
    primaryKeyName: primary?.name,
    indexes: all.filter((i) => !i.primary).map(({ primary: _, ...i }) => i),
    partitionColumn: partition[0]?.name,
  };
}

/** The `<name>` materialized view in `schema` on PostgreSQL, with its indexes. */
export async function introspectMaterializedView(
  engine: Engine,
  table: TableRef,
): Promise<CatalogMaterializedView | undefined> {
  if (engine.kind !== "postgres") return undefined;
  const schema = table.schema ?? (await defaultSchema(engine));
  const relation = await pgRelation(engine, schema, table.name, ["m"]);
  if (!relation) return undefined;
  const indexes = (await pgIndexes(engine, relation.oid)).map(({ primary: _, ...i }) => i);
  return { populated: relation.populated, indexes };
}

async function pgRelation(
  engine: Engine,
  schema: string,
  name: string,
  kinds: string[],
): Promise<{ oid: string; kind: string; populated: boolean } | undefined> {
  const [row] = await engine.query<{ oid: unknown; kind: string; populated: boolean }>(
    `SELECT c.oid::bigint AS oid, c.relkind::text AS kind, c.relispopulated AS populated
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind::text = ANY($3::text[])`,
    [schema, name, kinds],
  );
  return row ? { oid: String(row.oid), kind: row.kind, populated: row.populated === true } : undefined;
}

async function pgIndexes(engine: Engine, oid: string): Promise<(CatalogIndex & { primary: boolean })[]> {
  const rows = await engine.query<{
    index_name: string;
    is_unique: boolean;
    is_primary: boolean;
    partial: boolean;
    column_name: string | null;
  }>(
    `SELECT ic.relname AS index_name, i.indisunique AS is_unique, i.indisprimary AS is_primary,
            i.indpred IS NOT NULL OR i.indexprs IS NOT NULL AS partial, a.attname AS column_name
     FROM pg_index i
     JOIN pg_class ic ON ic.oid = i.indexrelid
     CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
     LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = $1::oid AND k.ord <= i.indnkeyatts
     ORDER BY ic.relname, k.ord`,
    [oid],
  );
  const byName = new Map<string, CatalogIndex & { primary: boolean; broken: boolean }>();
  for (const r of rows) {
    let index = byName.get(r.index_name);
    if (!index) {
      index = {
        name: r.index_name,
        columns: [],
        unique: r.is_unique === true,
        primary: r.is_primary === true,
        broken: r.partial === true,
      };
      byName.set(r.index_name, index);
    }
    if (r.column_name === null) index.broken = true;
    else index.columns!.push(r.column_name);
  }
  return [...byName.values()].map(({ broken, ...i }) => (broken ? { ...i, columns: undefined } : i));
}

async function introspectDuckDB(
  engine: Engine,
  schema: string,
  name: string,
): Promise<CatalogTable | undefined> {
  const where = "database_name = current_database() AND schema_name = $1 AND table_name = $2";
  const exists = await engine.query(`SELECT 1 AS found FROM duckdb_tables() WHERE ${where}`, [schema, name]);
  if (exists.length === 0) return undefined;
  const columns = await engine.query<{ name: string; type: string; nullable: boolean }>(
    `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM duckdb_columns()
     WHERE ${where} ORDER BY column_index`,
    [schema, name],
  );
  const [pk] = await engine.query<{ cols: string }>(
    `SELECT to_json(constraint_column_names)::VARCHAR AS cols FROM duckdb_constraints()
     WHERE ${where} AND constraint_type = 'PRIMARY KEY'`,
    [schema, name],
  );
  const indexes = await engine.query<{
    index_name: string;
    is_unique: boolean;
    expressions: string;
    sql: string | null;
  }>(
    `SELECT index_name, is_unique, expressions, sql FROM duckdb_indexes() WHERE ${where} ORDER BY index_name`,
    [schema, name],
  );
  return {
    schema,
    columns: columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable === true })),
    primaryKey: pk ? (JSON.parse(pk.cols) as string[]) : undefined,
    primaryKeyName: undefined,
    indexes: indexes.map((i) => ({
      name: i.index_name,
      columns: duckdbIndexColumns(i.expressions),
      unique: i.is_unique === true,
      ...(i.sql ? { definition: i.sql.trim().replace(/;$/, "") } : {}),
    })),
    partitionColumn: undefined,
  };
}

/**
 * DuckDB lists an index's key expressions as text: `['"e-mail""x"', k]`, each a column
 * reference as SQL (quoted when it must be). Returns the column names, or undefined when a
 * key is an expression or the text is not of that form.
 */
export function duckdbIndexColumns(expressions: string): string[] | undefined {
  const text = expressions.trim();
  if (!text.startsWith("[") || !text.endsWith("]")) return undefined;
  const items: string[] = [];
  let i = 1;
  const end = text.length - 1;
  while (i < end) {
    while (text[i] === " " || text[i] === ",") i++;
    if (i >= end) break;
    if (text[i] === "'") {
      // A quoted item ends at a quote followed by `,` or the closing bracket.
      let j = i + 1;
      while (j < end && !(text[j] === "'" && /^\s*(,|$)/.test(text.slice(j + 1, end)))) j++;
      items.push(text.slice(i + 1, j));
      i = j + 1;
    } else {
      let j = i;
      while (j < end && text[j] !== ",") j++;
      items.push(text.slice(i, j).trim());
      i = j;
    }
  }
  const names: string[] = [];
  for (const item of items) {
    if (/^"(?:[^"]|"")*"$/.test(item)) names.push(item.slice(1, -1).replace(/""/g, '"'));
    else if (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(item)) names.push(item);
    else return undefined;
  }
  return names.length > 0 ? names : undefined;
}
