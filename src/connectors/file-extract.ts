import type { RecordBatch } from "../core/batch.js";
import { ConnectorError, messageOf, WeirError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import type { Schema, TableRef, WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { cursorBounds, cursorPredicate, cursorType, highWaterMark } from "./incremental.js";
import type { ExtractResult, ReadContext, Rejection } from "./source.js";

/**
 * What a file source hands the shared pushdown: how to scan its files on a DuckDB
 * connection, and how to collect the rows the scan rejected.
 */
export interface FileScan {
  location: string;
  schema: Schema;
  cursorColumn?: string | undefined;
  /**
   * Prepares the scan on `tx` and returns a relation (a table function call or a temp
   * table) whose columns carry the schema's names. `tmp(prefix)` names temp objects
   * unique to this extract; they are dropped afterwards.
   */
  relation(tx: Engine, tmp: (prefix: string) => string): Promise<string>;
  /** The rows the scan could not read, after it ran; one rejection per bad input line. */
  rejections(tx: Engine): Promise<Rejection[]>;
  /**
   * True when counting the relation is cheap (Parquet metadata), so the interval filter is
   * pushed into the scan and skipped rows are counted separately; otherwise every parsed
   * row lands in the target and the rows outside the interval are deleted (and counted).
   */
  cheapCount: boolean;
}

/** Maps a DuckDB type as DESCRIBE prints it to a logical type; nested types become json. */
export function logicalFromDuckDB(engine: Engine, duckType: string): WeirType {
  const t = duckType.toUpperCase();
  if (/^(STRUCT|MAP|UNION)\(|\[\]$|\[\d+\]$|^JSON$/.test(t)) return "json";
  return engine.dialect.logicalType(duckType);
}

/** The schema of `SELECT * FROM <relation>`, from DESCRIBE, with overrides applied on top. */
export async function describeRelation(
  engine: Engine,
  relationSql: string,
  overrides: Record<string, WeirType> = {},
  location = relationSql,
): Promise<Schema> {
  let rows: { column_name: string; column_type: string }[];
  try {
    rows = await engine.query(`DESCRIBE SELECT * FROM ${relationSql}`);
  } catch (error) {
    throw new ConnectorError(
      "CONNECTOR_READ_FAILED",
      `${location}: cannot read the schema: ${messageOf(error)}`,
      {
        cause: error,
        details: { location },
      },
    );
  }
  for (const name of Object.keys(overrides)) {
    if (!rows.some((r) => r.column_name === name)) {
      const names = rows.map((r) => r.column_name).join(", ");
      throw new ConnectorError(
        "SCHEMA_MISMATCH",
        `${location}: column override "${name}" matches no column (${names})`,
        {
          details: { location, column: name },
        },
      );
    }
  }
  return {
    fields: rows.map((r) => ({
      name: r.column_name,
      type: overrides[r.column_name] ?? logicalFromDuckDB(engine, r.column_type),
    })),
  };
}

/** A FROM-able relation with the schema's columns and no rows, for input that has none (nothing is read). */
export function emptyRelationSql(engine: Engine, schema: Schema): string {
  const { dialect } = engine;
  const columns = schema.fields.map(
    (f) => `CAST(NULL AS ${dialect.typeName(f.type)}) AS ${dialect.quoteIdent(f.name)}`,
  );
  return `(SELECT ${columns.join(", ")} WHERE false)`;
}

/**
 * Lands a file scan in `target` on a DuckDB engine, in one transaction: the target is
 * replaced by the rows in the interval (cast to the schema's types), rejected lines are
 * collected with file, line, column and expected type, and rows outside the interval are
 * counted as `rowsSkipped`, so parsed + rejected = every input line.
 */
export async function extractFileScan(
  engine: Engine,
  target: TableRef,
  context: ReadContext,
  scan: FileScan,
): Promise<ExtractResult> {
  const { dialect } = engine;
  const id = newId();
  const temps: string[] = [];
  const tmp = (prefix: string) => {
    const name = `weir_${prefix}_${id}`;
    temps.push(name);
    return name;
  };
  const fields = scan.schema.fields;
  const select = fields
    .map(
      (f) =>
        `CAST(${dialect.quoteIdent(f.name)} AS ${dialect.typeName(f.type)}) AS ${dialect.quoteIdent(f.name)}`,
    )
    .join(", ");
  const type = scan.cursorColumn ? cursorType(scan.schema, scan.cursorColumn, scan.location) : undefined;
  const bounds = type ? cursorBounds(context, type) : undefined;
  const where =
    bounds && scan.cursorColumn ? ` WHERE ${cursorPredicate(dialect, scan.cursorColumn, type!, bounds)}` : "";
  const params = bounds?.values ?? [];
  const t = dialect.quoteTable(target);

  try {
    // Before the transaction, committed on its own: two extracts creating one new schema
    // inside their transactions cannot both commit on DuckDB (see Engine.createSchema).
    if (target.schema !== undefined) await engine.createSchema(target.schema);
    return await engine.transaction(async (tx) => {
      try {
        const relation = await scan.relation(tx, tmp);
        await tx.run(dialect.dropTable(target));
        let skipped = 0;
        if (!where || scan.cheapCount) {
          await tx.run(`CREATE TABLE ${t} AS SELECT ${select} FROM ${relation}${where}`, params);
          if (where) skipped = (await count(tx, relation)) - (await count(tx, t));
        } else {
          // Every parsed row lands once; the ones outside the interval are then deleted, and
          // the delete's count is the skipped count. (Staging the scan and filtering it into
          // the target would write every row twice just to count the difference.)
          await tx.run(`CREATE TABLE ${t} AS SELECT ${select} FROM ${relation}`);
          // COALESCE: a row whose cursor is NULL is outside every interval, as the filter has it.
          const inside = where.slice(" WHERE ".length);
          skipped = await tx.run(`DELETE FROM ${t} WHERE NOT COALESCE(${inside}, FALSE)`, params);
        }
        const rowsLoaded = await count(tx, t);
        const rejections = await scan.rejections(tx);
        for (const r of rejections) context.reject?.(r);
        const rowsSkipped = skipped;
        if (rowsSkipped > 0) context.skipped?.(rowsSkipped);
        const result: ExtractResult = {
          rowsRead: rowsLoaded + rejections.length,
          rowsLoaded,
          rejections,
          rowsSkipped,
        };
        if (scan.cursorColumn) {
          const cursor = await highWaterMark(tx, target, scan.cursorColumn);
          if (cursor !== undefined) result.cursor = cursor;
        }
        return result;
      } finally {
        for (const name of temps)
          await tx.run(`DROP TABLE IF EXISTS ${dialect.quoteIdent(name)}`).catch(() => 0);
      }
    });
  } catch (error) {
    if (error instanceof WeirError && error.code !== "ENGINE_QUERY_FAILED") throw error;
    throw new ConnectorError("CONNECTOR_READ_FAILED", `${scan.location}: cannot read: ${messageOf(error)}`, {
      cause: error,
      details: { location: scan.location },
    });
  }
}

async function count(engine: Engine, relation: string): Promise<number> {
  const rows = await engine.query<{ n: number | bigint }>(`SELECT count(*) AS n FROM ${relation}`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Reads a file source in JS through a private in-memory DuckDB: the scan lands in a
 * scratch table there (with rejections and skips reported to `context`) and is streamed
 * back as batches, so `read()` and `extract()` agree row for row.
 */
export async function* readFileScan(
  engine: Engine,
  context: ReadContext,
  extract: (engine: Engine, target: TableRef, context: ReadContext) => Promise<ExtractResult>,
  batchSize?: number,
): AsyncGenerator<RecordBatch> {
  const scratch: TableRef = { name: `weir_read_${newId()}` };
  await extract(engine, scratch, context);
  try {
    const sql = `SELECT * FROM ${engine.dialect.quoteTable(scratch)}`;
    yield* engine.stream(sql, [], batchSize ? { batchSize } : {});
  } finally {
    await engine.run(engine.dialect.dropTable(scratch));
  }
}

/** A lazily created private in-memory DuckDB, for schema inference and `read()` of file sources. */
export class LocalDuckDB {
  private engine: Promise<Engine> | undefined;

  get(): Promise<Engine> {
    // Imported lazily so the native DuckDB module loads only when a file source is used.
    this.engine ??= import("../engines/duckdb/duckdb-engine.js").then((m) => m.DuckDBEngine.create());
    return this.engine;
  }

  async close(): Promise<void> {
    const pending = this.engine;
    this.engine = undefined;
    if (pending) await (await pending).close();
  }
}
