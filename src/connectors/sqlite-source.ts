import type BetterSqlite3 from "better-sqlite3";
import { z } from "zod";
import type { RecordBatch } from "../core/batch.js";
import { ConfigError, ConnectorError, messageOf } from "../core/errors.js";
import type { Schema, TableRef, WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { coerceColumns, valueText } from "./coerce.js";
import { columnTypesConfig, defineSource, parseSourceConfig } from "./define-source.js";
import { extractBatches } from "./extract-batches.js";
import { boundText, incrementalConfig } from "./incremental.js";
import type { ExtractResult, ReadContext, Source } from "./source.js";

export const sqliteSourceConfig = z
  .object({
    path: z.string().min(1).describe("path of the SQLite database file"),
    table: z.string().min(1).optional().describe("table to read (or give `query`)"),
    query: z.string().min(1).optional().describe("SELECT to read instead of a table"),
    columns: columnTypesConfig.optional(),
    incremental: incrementalConfig
      .extend({
        format: z
          .enum(["sql", "iso"])
          .default("sql")
          .describe(
            'how the cursor column stores time as text: "sql" = "YYYY-MM-DD HH:MM:SS" (SQLite\'s datetime()), "iso" = "YYYY-MM-DDTHH:MM:SSZ"',
          ),
      })
      .optional(),
    batchSize: z.number().int().positive().default(10_000).describe("rows per batch"),
  })
  .refine((c) => (c.table === undefined) !== (c.query === undefined), {
    message: "give exactly one of `table` or `query`",
  });

export type SqliteSourceConfig = z.input<typeof sqliteSourceConfig>;

/**
 * Maps a declared SQLite column type to a logical type by SQLite's affinity rules, with
 * the common date/time/boolean/json names recognised. SQLite's INTEGER is 64-bit.
 */
export function sqliteLogicalType(declared: string | null | undefined): WeirType {
  const t = (declared ?? "").trim().toUpperCase();
  if (t === "") return "varchar";
  if (/^(INT|INT2|INT4|SMALLINT|TINYINT|MEDIUMINT)\b/.test(t)) return "integer";
  if (t.includes("INT")) return "bigint";
  if (t.includes("BOOL")) return "boolean";
  if (t === "DATE") return "date";
  if (t.includes("TIMESTAMPTZ") || t.includes("WITH TIME ZONE")) return "timestamptz";
  if (t.includes("DATETIME") || t.includes("TIMESTAMP")) return "timestamp";
  if (t.includes("JSON")) return "json";
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "varchar";
  if (t.includes("BLOB")) return "blob";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "double";
  if (t.includes("DEC") || t.includes("NUMERIC")) return "decimal";
  return "varchar";
}

function quoteSqlite(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Reads a SQLite table or query with better-sqlite3 into columnar batches, coercing each
 * column to its declared type. Values that do not fit (`'abc'` in an INTEGER column,
 * `'not-a-date'` in a DATETIME column — SQLite stores whatever it is given) become
 * rejections naming `path#table`, the row number in the scan, the column and the type.
 *
 * Incremental reads push `WHERE "cursor" >= ? AND "cursor" < ?` into SQLite. SQLite keeps
 * timestamps as text, so the bounds are compared as text in the column's format
 * (`incremental.format`): "sql" ("2024-01-02 03:04:05", the default) or "iso".
 */
export class SqliteSource implements Source {
  readonly type = "sqlite";
  readonly location: string;
  private readonly config: z.output<typeof sqliteSourceConfig>;
  private db: BetterSqlite3.Database | undefined;
  private cachedSchema: Schema | undefined;

  constructor(config: SqliteSourceConfig) {
    this.config = parseSourceConfig("sqlite", sqliteSourceConfig, config);
    this.location = `${this.config.path}#${this.config.table ?? "query"}`;
  }

  private async open(): Promise<BetterSqlite3.Database> {
    if (this.db) return this.db;
    // Imported lazily so loading weir does not load the native module until a SQLite source is used.
    const { default: Database } = await import("better-sqlite3");
    try {
      this.db = new Database(this.config.path, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw new ConnectorError(
        "CONNECTOR_READ_FAILED",
        `cannot open SQLite database ${this.config.path}: ${messageOf(error)}`,
        {
          cause: error,
          details: { path: this.config.path },
        },
      );
    }
    return this.db;
  }

  private baseSql(): string {
    return this.config.table !== undefined
      ? `SELECT * FROM ${quoteSqlite(this.config.table)}`
      : `SELECT * FROM (${this.config.query}) AS weir_q`;
  }

  private prepare(db: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
    try {
      return db.prepare(sql);
    } catch (error) {
      throw new ConnectorError(
        "CONNECTOR_READ_FAILED",
        `${this.location}: SQLite refused the read: ${messageOf(error)}`,
        {
          cause: error,
          details: { location: this.location, sql },
        },
      );
    }
  }

  async schema(): Promise<Schema> {
    if (this.cachedSchema) return this.cachedSchema;
    const db = await this.open();
    const columns = this.prepare(db, this.baseSql()).columns();
    const overrides = this.config.columns ?? {};
    for (const name of Object.keys(overrides)) {
      if (!columns.some((c) => c.name === name)) {
        throw new ConfigError(`${this.location}: column override "${name}" matches no column`, {
          details: { location: this.location, column: name },
        });
      }
    }
    this.cachedSchema = {
      fields: columns.map((c) => ({ name: c.name, type: overrides[c.name] ?? sqliteLogicalType(c.type) })),
    };
    return this.cachedSchema;
  }

  /** The incremental predicate for this read: the interval, else rows after `since`. */
  private filter(schema: Schema, context: ReadContext): { where: string; params: string[] } {
    const inc = this.config.incremental;
    if (!inc) return { where: "", params: [] };
    const field = schema.fields.find((f) => f.name === inc.cursorColumn);
    if (!field) {
      throw new ConfigError(
        `${this.location}: incremental cursor column "${inc.cursorColumn}" does not exist`,
      );
    }
    const col = quoteSqlite(inc.cursorColumn);
    if (context.interval) {
      return {
        where: ` WHERE ${col} >= ? AND ${col} < ?`,
        params: [
          boundText(context.interval.start, field.type, inc.format),
          boundText(context.interval.end, field.type, inc.format),
        ],
      };
    }
    if (context.since !== undefined) return { where: ` WHERE ${col} > ?`, params: [context.since] };
    return { where: "", params: [] };
  }

  async *read(context: ReadContext): AsyncGenerator<RecordBatch> {
    const schema = await this.schema();
    const db = await this.open();
    const { where, params } = this.filter(schema, context);
    const sql = this.baseSql() + where;
    // Counting first costs one indexed or scanning pass in SQLite; only done when someone shows progress.
    const total = context.progress
      ? Number(
          (this.prepare(db, `SELECT count(*) FROM (${sql})`)
            .pluck()
            .get(...params) as number) ?? 0,
        )
      : undefined;
    const stmt = this.prepare(db, sql).raw(true).safeIntegers(true);
    const width = schema.fields.length;
    const size = this.config.batchSize;
    const iterator = stmt.iterate(...params) as IterableIterator<unknown[]>;
    let rowNumber = 0;
    try {
      let done = false;
      while (!done) {
        context.signal?.throwIfAborted();
        const raw: unknown[][] = schema.fields.map(() => new Array(size));
        let n = 0;
        for (; n < size; n++) {
          const next = iterator.next();
          if (next.done) {
            done = true;
            break;
          }
          const row = next.value;
          for (let c = 0; c < width; c++) raw[c]![n] = row[c];
        }
        if (n === 0) break;
        for (const col of raw) col.length = n;
        const firstRow = rowNumber + 1;
        rowNumber += n;
        const { batch, failures } = coerceColumns(schema, raw, n);
        for (const f of failures) {
          context.reject?.({
            location: this.location,
            line: firstRow + f.row,
            column: f.field.name,
            expected: f.field.type,
            value: valueText(f.value),
            reason: `${this.location} row ${firstRow + f.row}, column "${f.field.name}": ${f.reason}`,
            raw: rowJson(schema, raw, f.row),
          });
        }
        context.progress?.(rowNumber, total);
        if (batch.numRows > 0) yield batch;
      }
    } finally {
      // Ends the SQLite statement when the caller stops early, so the connection is free again.
      iterator.return?.();
    }
  }

  extract(engine: Engine, target: TableRef, context: ReadContext): Promise<ExtractResult> {
    const cursorColumn = this.config.incremental?.cursorColumn;
    return extractBatches(this, engine, target, context, cursorColumn ? { cursorColumn } : {});
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }
}

export const sqliteSourceDefinition = defineSource({
  type: "sqlite",
  description: "a table or query of a SQLite database file, read with better-sqlite3",
  config: sqliteSourceConfig,
  create: (config) => new SqliteSource(config),
});

/** One raw row as JSON, for the quarantine record of a row that did not coerce. */
function rowJson(schema: Schema, columns: readonly unknown[][], row: number): string {
  const record: Record<string, unknown> = {};
  schema.fields.forEach((field, c) => {
    const value = columns[c]![row];
    record[field.name] = typeof value === "bigint" ? value.toString() : value;
  });
  return JSON.stringify(record);
}
