import type { Field, Schema, TableRef, WeirType } from "../core/types.js";
import type { CreateTableOptions } from "./engine.js";

/**
 * Generates engine-specific SQL. Every identifier goes through `quoteIdent`/`quoteTable`
 * and every value through bound parameters or `quoteLiteral`; nothing here pastes an
 * unquoted user-supplied name into SQL.
 */
export interface Dialect {
  quoteIdent(name: string): string;
  quoteTable(table: TableRef): string;
  /** A SQL literal for a value that cannot be bound (DDL defaults, COPY options). */
  quoteLiteral(value: string | number | bigint | boolean | null): string;
  /** The engine's type name for a logical type. */
  typeName(type: WeirType): string;
  /** The logical type for an engine type name, e.g. from `information_schema`. */
  logicalType(engineType: string): WeirType;

  createSchema(schema: string): string;
  createTable(table: TableRef, schema: Schema, options?: CreateTableOptions): string;
  dropTable(table: TableRef): string;
  /** `INSERT INTO target (cols) <selectSql>`. */
  insertSelect(target: TableRef, columns: readonly string[], selectSql: string): string;
  /**
   * Statements that upsert the rows of `source` into `target` by `key`: matching keys are
   * updated, new keys inserted. `source` must hold at most one row per key.
   */
  upsert(target: TableRef, source: TableRef, columns: readonly string[], key: readonly string[]): string[];
  /**
   * Statements that replace, in `target`, every partition (distinct combination of
   * `partitionColumns`, NULL matching NULL) present in `source` with the rows of `source`.
   */
  overwritePartitions(
    target: TableRef,
    source: TableRef,
    columns: readonly string[],
    partitionColumns: readonly string[],
  ): string[];
  /** The column definition used in CREATE TABLE. */
  columnDefinition(field: Field): string;
}
