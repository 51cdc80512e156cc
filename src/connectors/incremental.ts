import { z } from "zod";
import type { RecordBatch } from "../core/batch.js";
import { ConfigError } from "../core/errors.js";
import type { Schema, TableRef, WeirType } from "../core/types.js";
import type { Dialect } from "../engines/dialect.js";
import type { Engine } from "../engines/engine.js";
import type { ReadContext } from "./source.js";

/** The zod schema for a source's `incremental` option. */
export const incrementalConfig = z
  .object({
    cursorColumn: z
      .string()
      .min(1)
      .describe(
        "column holding the row's change time; rows with start <= cursor < end belong to an interval",
      ),
  })
  .describe("incremental extraction by a cursor column over the run's data interval");

const TIME_TYPES: ReadonlySet<WeirType> = new Set(["date", "timestamp", "timestamptz", "varchar"]);

/** The bounds a SQL filter binds: `[start, end]` for an interval, `[since]` for a high-water mark. */
export interface CursorBounds {
  kind: "interval" | "since";
  values: string[];
}

/**
 * Text forms of the interval bounds for a cursor column of `type`. Timestamps use
 * "YYYY-MM-DD HH:MM:SS[.mmm]" (a literal DuckDB, PostgreSQL and SQLite's `datetime()`
 * all produce and compare correctly), `timestamptz` an ISO instant with `Z`, dates
 * "YYYY-MM-DD". Milliseconds are only written when non-zero so text comparison with
 * second-precision values stays right.
 */
export function boundText(date: Date, type: WeirType, style: "sql" | "iso" = "sql"): string {
  const iso = date.toISOString();
  const trimmed = iso.endsWith(".000Z") ? `${iso.slice(0, 19)}Z` : iso;
  if (type === "date" && iso.slice(10) === "T00:00:00.000Z") return iso.slice(0, 10);
  if (type === "timestamptz" || style === "iso") return trimmed;
  return trimmed.replace("T", " ").replace("Z", "");
}

/** Bounds for the context: the interval when set, else `since`, else none. */
export function cursorBounds(
  context: Pick<ReadContext, "interval" | "since">,
  type: WeirType,
  style: "sql" | "iso" = "sql",
): CursorBounds | undefined {
  if (context.interval) {
    if (!TIME_TYPES.has(type)) {
      throw new ConfigError(
        `the incremental cursor column is of type ${type}; an interval needs a date, timestamp or ISO text column`,
      );
    }
    const { start, end } = context.interval;
    return { kind: "interval", values: [boundText(start, type, style), boundText(end, type, style)] };
  }
  if (context.since !== undefined) return { kind: "since", values: [context.since] };
  return undefined;
}

/**
 * A SQL predicate on the cursor column with positional parameters `$n`, `$n+1` (bound, never
 * pasted), cast to the column's engine type so text bounds compare as instants.
 *
 * @example
 * cursorPredicate(dialect, "updated_at", "timestamp", bounds, 1)
 * // "updated_at" >= CAST($1 AS TIMESTAMP) AND "updated_at" < CAST($2 AS TIMESTAMP)
 */
export function cursorPredicate(
  dialect: Dialect,
  column: string,
  type: WeirType,
  bounds: CursorBounds,
  firstParam = 1,
): string {
  const col = dialect.quoteIdent(column);
  // Dates compare against timestamps so an interval that does not start at midnight stays exact.
  const castType = type === "date" ? dialect.typeName("timestamp") : dialect.typeName(type);
  const param = (n: number) => `CAST($${n} AS ${castType})`;
  if (bounds.kind === "since") return `${col} > ${param(firstParam)}`;
  return `${col} >= ${param(firstParam)} AND ${col} < ${param(firstParam + 1)}`;
}

/** The type of the cursor column in a schema, or a ConfigError naming what exists. */
export function cursorType(schema: Schema, column: string, where: string): WeirType {
  const field = schema.fields.find((f) => f.name === column);
  if (!field) {
    const names = schema.fields.map((f) => f.name).join(", ");
    throw new ConfigError(
      `${where}: incremental cursor column "${column}" is not among the columns (${names})`,
      {
        details: { column, location: where },
      },
    );
  }
  return field.type;
}

/**
 * The high-water mark after a load: the largest cursor value in `table`, as text, or
 * undefined when the table is empty.
 */
export async function highWaterMark(
  engine: Engine,
  table: TableRef,
  column: string,
): Promise<string | undefined> {
  const { dialect } = engine;
  const rows = await engine.query<{ hwm: string | null }>(
    `SELECT CAST(max(${dialect.quoteIdent(column)}) AS ${dialect.typeName("varchar")}) AS hwm FROM ${dialect.quoteTable(table)}`,
  );
  return rows[0]?.hwm ?? undefined;
}

/** Milliseconds since the epoch of a coerced cursor value (date, timestamp or ISO text), or NaN. */
export function cursorMillis(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== "string") return Number.NaN;
  const text = value.length === 10 ? `${value}T00:00:00Z` : value.replace(" ", "T");
  return Date.parse(/Z|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}Z`);
}

/** Tracks the largest cursor value seen in loaded batches, for JS-side extracts. */
export class CursorTracker {
  private best: unknown = undefined;
  private readonly index: number;

  constructor(schema: Schema, column: string) {
    this.index = schema.fields.findIndex((f) => f.name === column);
  }

  observe(batch: RecordBatch): void {
    const col = batch.columns[this.index];
    if (!col) return;
    for (let i = 0; i < batch.numRows; i++) {
      const v = col[i];
      if (v === null || v === undefined) continue;
      if (this.best === undefined || compareCursor(v, this.best) > 0) this.best = v;
    }
  }

  get value(): string | undefined {
    if (this.best === undefined) return undefined;
    return this.best instanceof Date ? this.best.toISOString() : String(this.best);
  }
}

function compareCursor(a: unknown, b: unknown): number {
  if (typeof a === "number" || typeof a === "bigint") return Number(a) - Number(b);
  const ma = cursorMillis(a);
  const mb = cursorMillis(b);
  if (!Number.isNaN(ma) && !Number.isNaN(mb) && ma !== mb) return ma - mb;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/**
 * Keeps the rows of a batch whose cursor lies in the interval (or after `since`), for
 * sources that cannot push the filter down. Returns the kept batch and how many were left out.
 */
export function filterByCursor(
  batch: RecordBatch,
  column: string,
  context: Pick<ReadContext, "interval" | "since">,
): { batch: RecordBatch; skipped: number } {
  const idx = batch.schema.fields.findIndex((f) => f.name === column);
  if (idx < 0 || (!context.interval && context.since === undefined)) return { batch, skipped: 0 };
  const col = batch.columns[idx]!;
  const keep: number[] = [];
  const { interval, since } = context;
  const sinceMs = since === undefined ? Number.NaN : cursorMillis(since);
  for (let i = 0; i < batch.numRows; i++) {
    const v = col[i];
    if (interval) {
      const ms = cursorMillis(v);
      if (ms >= interval.start.getTime() && ms < interval.end.getTime()) keep.push(i);
    } else if (v !== null && v !== undefined) {
      const ms = cursorMillis(v);
      const after = Number.isNaN(sinceMs) || Number.isNaN(ms) ? String(v) > String(since) : ms > sinceMs;
      if (after) keep.push(i);
    }
  }
  if (keep.length === batch.numRows) return { batch, skipped: 0 };
  const columns = batch.columns.map((c) => keep.map((i) => c[i]));
  return {
    batch: { schema: batch.schema, columns, numRows: keep.length },
    skipped: batch.numRows - keep.length,
  };
}
