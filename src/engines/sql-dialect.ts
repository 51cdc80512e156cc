import { createHash } from "node:crypto";
import { ConfigError } from "../core/errors.js";
import type { Field, Schema, TableRef, WeirType } from "../core/types.js";
import type { Dialect, DialectFeatures, SqlWithParams } from "./dialect.js";

export type { DialectFeatures } from "./dialect.js";

import type { CreateTableOptions } from "./engine.js";

/** Fixed aliases for the target and source of generated DML; never user-supplied. */
const TGT = "weir_tgt";
const SRC = "weir_src";

/**
 * The SQL that DuckDB and PostgreSQL agree on: ANSI double-quoted identifiers, `''`
 * escaped literals, `INSERT … ON CONFLICT (key) DO UPDATE` upserts (on a unique key) and
 * `DELETE … WHERE EXISTS` partition overwrites with NULL-safe matching. Engine dialects
 * supply type names, features and their catalog queries.
 */
export abstract class SqlDialect implements Dialect {
  abstract readonly name: string;
  abstract readonly features: DialectFeatures;
  abstract typeName(type: WeirType): string;
  abstract logicalType(engineType: string): WeirType;
  abstract uniqueKeys(table: TableRef): SqlWithParams;

  quoteIdent(name: string): string {
    if (typeof name !== "string" || name.length === 0) {
      throw new ConfigError(
        `${this.name}: an identifier must be a non-empty string, got ${JSON.stringify(name)}`,
      );
    }
    if (name.includes("\u0000")) {
      throw new ConfigError(`${this.name}: identifier ${JSON.stringify(name)} contains a NUL character`);
    }
    if (Buffer.byteLength(name, "utf8") > this.features.maxIdentifierBytes) {
      throw new ConfigError(
        `${this.name}: identifier ${JSON.stringify(name)} is longer than ${this.features.maxIdentifierBytes} bytes and would be truncated`,
      );
    }
    return `"${name.replaceAll('"', '""')}"`;
  }

  quoteTable(table: TableRef): string {
    return table.schema === undefined
      ? this.quoteIdent(table.name)
      : `${this.quoteIdent(table.schema)}.${this.quoteIdent(table.name)}`;
  }

  quoteLiteral(value: string | number | bigint | boolean | null): string {
    if (value === null) return "NULL";
    if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "number") {
      if (!Number.isFinite(value))
        throw new ConfigError(`${this.name}: cannot write ${value} as a SQL literal`);
      return String(value);
    }
    if (value.includes("\u0000")) throw new ConfigError(`${this.name}: a SQL literal cannot contain NUL`);
    // Both engines treat backslashes in '…' literally (PostgreSQL: standard_conforming_strings = on).
    return `'${value.replaceAll("'", "''")}'`;
  }

  columnDefinition(field: Field): string {
    const notNull = field.nullable === false ? " NOT NULL" : "";
    return `${this.quoteIdent(field.name)} ${this.typeName(field.type)}${notNull}`;
  }

  createSchema(schema: string): string {
    return `CREATE SCHEMA IF NOT EXISTS ${this.quoteIdent(schema)}`;
  }

  createTable(table: TableRef, schema: Schema, options: CreateTableOptions = {}): string {
    if (schema.fields.length === 0) {
      throw new ConfigError(`${this.name}: table ${this.quoteTable(table)} needs at least one column`);
    }
    const parts = schema.fields.map((f) => this.columnDefinition(f));
    if (options.primaryKey && options.primaryKey.length > 0) {
      parts.push(`PRIMARY KEY (${this.columnList(options.primaryKey)})`);
    }
    const temp = options.temporary ? "TEMPORARY " : "";
    const ifNot = options.ifNotExists ? "IF NOT EXISTS " : "";
    // Temporary tables live in the engine's own temp schema; a schema prefix would be rejected.
    const name = options.temporary ? this.quoteIdent(table.name) : this.quoteTable(table);
    return `CREATE ${temp}TABLE ${ifNot}${name} (${parts.join(", ")})`;
  }

  dropTable(table: TableRef): string {
    return `DROP TABLE IF EXISTS ${this.quoteTable(table)}`;
  }

  insertSelect(target: TableRef, columns: readonly string[], selectSql: string): string {
    return `INSERT INTO ${this.quoteTable(target)} (${this.columnList(columns)}) ${selectSql}`;
  }

  upsert(target: TableRef, source: TableRef, columns: readonly string[], key: readonly string[]): string[] {
    if (key.length === 0)
      throw new ConfigError(`${this.name}: upsert into ${this.quoteTable(target)} needs a key`);
    const keys = this.columnList(key);
    const valueColumns = columns.filter((c) => !key.includes(c));
    // ONE statement, so the engine decides insert-or-update per row atomically against
    // concurrent writers (an UPDATE then an INSERT … WHERE NOT EXISTS let two transactions
    // both insert a key). Columns the source does not carry keep their values.
    const action =
      valueColumns.length === 0
        ? "DO NOTHING"
        : `DO UPDATE SET ${valueColumns.map((c) => `${this.quoteIdent(c)} = EXCLUDED.${this.quoteIdent(c)}`).join(", ")}`;
    const order = this.features.writersWait ? ` ORDER BY ${keys}` : "";
    return [
      `INSERT INTO ${this.quoteTable(target)} (${this.columnList(columns)}) SELECT ${this.columnList(columns)} FROM ${this.quoteTable(source)}${order} ON CONFLICT (${keys}) ${action}`,
    ];
  }

  uniqueKeyIndexName(table: TableRef, key: readonly string[]): string {
    // A fixed name per (table, key), so two writers adding it at once collide on the name
    // and the second finds it there; hashed, so it fits every engine's identifier limit.
    const digest = createHash("sha256")
      .update(JSON.stringify([table.name, ...key]))
      .digest("hex");
    return `weir_key_${digest.slice(0, 16)}`;
  }

  createUniqueKey(table: TableRef, key: readonly string[]): string {
    const name = this.quoteIdent(this.uniqueKeyIndexName(table, key));
    return `CREATE UNIQUE INDEX IF NOT EXISTS ${name} ON ${this.quoteTable(table)} (${this.columnList(key)})`;
  }

  overwritePartitions(
    target: TableRef,
    source: TableRef,
    columns: readonly string[],
    partitionColumns: readonly string[],
  ): string[] {
    if (partitionColumns.length === 0) {
      throw new ConfigError(
        `${this.name}: overwriting partitions of ${this.quoteTable(target)} needs partition columns`,
      );
    }
    const t = this.quoteTable(target);
    const s = this.quoteTable(source);
    const match = partitionColumns
      .map((p) => `${SRC}.${this.quoteIdent(p)} IS NOT DISTINCT FROM ${TGT}.${this.quoteIdent(p)}`)
      .join(" AND ");
    return [
      `DELETE FROM ${t} AS ${TGT} WHERE EXISTS (SELECT 1 FROM ${s} AS ${SRC} WHERE ${match})`,
      `INSERT INTO ${t} (${this.columnList(columns)}) SELECT ${this.columnList(columns)} FROM ${s}`,
    ];
  }

  /** `"a", "b"` — a quoted, comma-separated column list. */
  columnList(columns: readonly string[]): string {
    return columns.map((c) => this.quoteIdent(c)).join(", ");
  }
}
