import type { Engine } from "../../engines/engine.js";
import { type ColumnDefinition, sqlTypeName } from "../model/column-types.js";
import type { FactModel } from "../model/define-fact.js";
import { naturalKeyAlias, VERSION_KEY, versionLookup } from "./dimension-versions-sql.js";
import { FactLoadError } from "./fact-load-error.js";

/** A fact load's input: a table or a query on the warehouse engine. */
export type FactInput = { schema?: string; name: string } | { sql: string };

/**
 * The input relation, for a FROM clause: the fact's input columns cast to their declared
 * types, so an input staged as text (a UUID or JSON read from a file) compares and loads
 * the same way on both engines; other input columns are not read.
 */
export function inputRelation(engine: Engine, input: FactInput, fact: FactModel): string {
  const source = "sql" in input ? `(${input.sql})` : engine.dialect.quoteTable(input);
  const q = (c: string) => engine.dialect.quoteIdent(c);
  const columns = inputColumns(fact).map(
    (c) => `CAST(${q(c.name)} AS ${sqlTypeName(engine.kind, c.type)}) AS ${q(c.name)}`,
  );
  return `(SELECT ${columns.join(", ")} FROM ${source} AS _weir_source)`;
}

/** The columns a load reads from its input: every fact column but the surrogate keys. */
export function inputColumns(fact: FactModel): ColumnDefinition[] {
  const keys = new Set(fact.dimensionKeys.map((k) => k.column));
  return fact.columns.filter((c) => !keys.has(c.name));
}

/**
 * The columns a row needs to be loaded: its grain, the time each dimension is looked up
 * as of, the column loads replace by, the partition column (PostgreSQL has no partition
 * for NULL; DuckDB refuses the row too, so both engines hold the same rows), and every
 * column declared NOT NULL (which the insert would otherwise fail on).
 */
export function requiredColumns(fact: FactModel): string[] {
  const required = [
    ...fact.grain,
    ...fact.dimensionKeys.flatMap((k) => (k.asOf === undefined ? [] : [k.asOf])),
    fact.loadBy,
    ...(fact.partitionBy ? [fact.partitionBy.column] : []),
    ...inputColumns(fact)
      .filter((c) => !c.nullable)
      .map((c) => c.name),
  ];
  return [...new Set(required)];
}

/** `TRUE` for rows that can be loaded (no required column NULL). */
export function loadablePredicate(engine: Engine, fact: FactModel): string {
  return requiredColumns(fact)
    .map((c) => `${engine.dialect.quoteIdent(c)} IS NOT NULL`)
    .join(" AND ");
}

/**
 * The ORDER BY that picks the row kept among rows of one grain key: `dedupeOrder` (column
 * names, each optionally followed by ASC or DESC) then every input column, so the choice
 * never depends on input order. Text orders by bytes on both engines (COLLATE "C" on
 * PostgreSQL; DuckDB's default); JSON by its text, which is the input's text on DuckDB and
 * jsonb's normalised text on PostgreSQL (they differ only for rows that differ in nothing
 * but the layout of their JSON).
 */
export function dedupeOrderSql(engine: Engine, fact: FactModel): string {
  const q = (c: string) => engine.dialect.quoteIdent(c);
  const columns = inputColumns(fact);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const key = (c: ColumnDefinition) => {
    if (engine.kind === "duckdb") return c.type === "json" ? `CAST(${q(c.name)} AS VARCHAR)` : q(c.name);
    if (c.type === "varchar") return `${q(c.name)} COLLATE "C"`;
    if (c.type === "json") return `CAST(${q(c.name)} AS text) COLLATE "C"`;
    return q(c.name);
  };
  const terms: string[] = [];
  for (const entry of fact.dedupeOrder ?? []) {
    const match = /^(.*?)\s+(ASC|DESC)$/i.exec(entry);
    const [name, direction] =
      byName.has(entry) || !match ? [entry, "ASC"] : [match[1]!, match[2]!.toUpperCase()];
    const column = byName.get(name);
    if (!column) {
      throw new FactLoadError(`fact ${fact.name}: dedupeOrder names ${entry}, which is not an input column`, {
        table: fact.name,
        column: entry,
      });
    }
    terms.push(`${key(column)} ${direction} NULLS LAST`);
  }
  const grain = new Set(fact.grain);
  for (const c of columns) if (!grain.has(c.name)) terms.push(`${key(c)} ASC NULLS LAST`);
  // A fact whose columns are all grain: every row of a key is the same row.
  return terms.length > 0 ? terms.join(", ") : "1";
}

/**
 * The load's rows: the input's loadable rows, one per grain key, with each dimension key
 * looked up, as a SELECT of the fact's columns in table order. A key with no version gets
 * the dimension's unknown member, or stays NULL when it has none (the caller checks).
 */
export function keyedRowsSql(engine: Engine, fact: FactModel, input: FactInput): string {
  const q = (c: string) => engine.dialect.quoteIdent(c);
  const cols = inputColumns(fact).map((c) => q(c.name));
  const deduped =
    `SELECT ${cols.join(", ")} FROM (SELECT ${cols.join(", ")}, row_number() OVER (PARTITION BY ` +
    `${fact.grain.map(q).join(", ")} ORDER BY ${dedupeOrderSql(engine, fact)}) AS _weir_dedupe_rank ` +
    `FROM ${inputRelation(engine, input, fact)} AS _weir_input WHERE ${loadablePredicate(engine, fact)}` +
    `) AS _weir_ranked WHERE _weir_dedupe_rank = 1`;
  const joins: string[] = [];
  const keyValue = new Map<string, string>();
  fact.dimensionKeys.forEach((key, i) => {
    const alias = `_weir_dim_${i}`;
    const lookup = versionLookup(engine, fact, key);
    joins.push(`LEFT JOIN (${lookup.versions}) AS ${alias} ON ${lookup.on(alias, "_weir_fact")}`);
    const found = `${alias}.${q(VERSION_KEY)}`;
    const unknown = key.dimension.unknownMember;
    keyValue.set(key.column, unknown ? `COALESCE(${found}, ${unknown.key})` : found);
  });
  const select = fact.columns.map((c) => {
    const v = keyValue.get(c.name);
    return v === undefined ? `_weir_fact.${q(c.name)}` : `${v} AS ${q(c.name)}`;
  });
  return `SELECT ${select.join(", ")} FROM (${deduped}) AS _weir_fact ${joins.join(" ")}`;
}

/**
 * A query counting, for one dimension key without an unknown member, the loadable input
 * rows whose natural key has no version, with one such key for the error message.
 */
export function missingMemberSql(
  engine: Engine,
  fact: FactModel,
  input: FactInput,
  keyIndex: number,
): string {
  const q = (c: string) => engine.dialect.quoteIdent(c);
  const key = fact.dimensionKeys[keyIndex]!;
  const lookup = versionLookup(engine, fact, key);
  const first = Object.keys(key.naturalKey)[0]!;
  return (
    `SELECT COUNT(*) AS n, MIN(CAST(_weir_fact.${q(first)} AS ${engine.kind === "duckdb" ? "VARCHAR" : "text"})) AS example ` +
    `FROM (SELECT * FROM ${inputRelation(engine, input, fact)} AS _weir_input WHERE ${loadablePredicate(engine, fact)}) AS _weir_fact ` +
    `LEFT JOIN (${lookup.versions}) AS _weir_dim ON ${lookup.on("_weir_dim", "_weir_fact")} ` +
    `WHERE _weir_dim.${q(naturalKeyAlias(0))} IS NULL`
  );
}

/**
 * The rows to insert, in the order of the fact's first index on DuckDB: its ART index takes
 * keys in order much more cheaply, at insert and above all at commit (1M facts keyed in hash
 * join order: commit 0.8 s; sorted by (user_key, date_key) first: 0.3 s, the sort included
 * the load is twice as fast). PostgreSQL inserts as the rows come.
 */
export function insertOrdered(engine: Engine, fact: FactModel, rowsSql: string): string {
  const index = fact.indexes[0];
  if (engine.kind !== "duckdb" || index === undefined) return rowsSql;
  const q = (c: string) => engine.dialect.quoteIdent(c);
  return `SELECT * FROM (${rowsSql}) AS _weir_keyed ORDER BY ${index.map(q).join(", ")}`;
}
