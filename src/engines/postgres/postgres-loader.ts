import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PoolClient } from "pg";
import type { RecordBatch } from "../../core/batch.js";
import { EngineError, messageOf } from "../../core/errors.js";
import type { Field, TableRef, WeirType } from "../../core/types.js";
import { tableLabel } from "../../core/types.js";
import type { Dialect } from "../dialect.js";
import { queryFailed } from "../query-error.js";
import { toDateString, toTimestampString } from "../value-text.js";

/** Flush the COPY text to the socket in pieces of about this many characters. */
const COPY_CHUNK_CHARS = 1 << 20;

type Encoder = (value: unknown) => string;

const NEEDS_ESCAPE = /[\\\t\n\r\0]/;
const ESCAPES = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/**
 * Escapes text for COPY's text format: backslash, tab, newline and carriage return are
 * written as `\\`, `\t`, `\n`, `\r`; NULL is written as `\N` elsewhere, so an empty string
 * stays an empty string. PostgreSQL text cannot hold NUL, which is refused.
 */
export function escapeCopyText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  if (s.includes("\0")) throw new TypeError("text contains a NUL character, which PostgreSQL cannot store");
  return s.replace(ESCAPES, (c) => ESCAPED[c]!);
}

function encodeText(v: unknown): string {
  return escapeCopyText(typeof v === "string" ? v : String(v));
}

function encodeNumber(v: unknown): string {
  return typeof v === "number" || typeof v === "bigint" ? String(v) : encodeText(v);
}

function encodeBoolean(v: unknown): string {
  return v === true ? "t" : v === false ? "f" : encodeText(v);
}

function encodeJson(v: unknown): string {
  return escapeCopyText(typeof v === "string" ? v : JSON.stringify(v));
}

function encodeBytes(v: unknown): string {
  const bytes =
    v instanceof Uint8Array
      ? Buffer.from(v.buffer, v.byteOffset, v.byteLength)
      : Buffer.from(String(v), "utf8");
  // bytea's hex input `\x…`, with the backslash itself escaped for COPY.
  return `\\\\x${bytes.toString("hex")}`;
}

function dateEncoder(toText: (d: Date) => string): Encoder {
  return (v) => (v instanceof Date ? toText(v) : encodeText(v));
}

/** The COPY text encoder for a column of logical type `type`; NULL is handled by the caller. */
export function copyEncoder(type: WeirType): Encoder {
  switch (type) {
    case "boolean":
      return encodeBoolean;
    case "integer":
    case "bigint":
    case "double":
    case "decimal":
      return encodeNumber;
    case "json":
      return encodeJson;
    case "blob":
      return encodeBytes;
    case "date":
      return dateEncoder(toDateString);
    case "timestamp":
      return dateEncoder(toTimestampString);
    case "timestamptz":
      return dateEncoder((d) => d.toISOString());
    default:
      return encodeText;
  }
}

/**
 * Bulk-loads columnar batches into an existing PostgreSQL table with `COPY … FROM STDIN`
 * (text format), encoding rows into ~1 MB strings so the socket, not JS, is the limit.
 * Batch columns are matched to `fields` (the table's columns) by name; table columns the
 * first batch lacks keep their defaults. Atomic on its own: COPY is one statement.
 *
 * @example
 * await copyBatches(client, dialect, { name: "t" }, fields, batches);
 */
export async function copyBatches(
  client: PoolClient,
  dialect: Dialect,
  table: TableRef,
  fields: readonly Field[],
  batches: AsyncIterable<RecordBatch> | Iterable<RecordBatch>,
): Promise<number> {
  const label = tableLabel(table);
  const { from: copyFrom } = await import("pg-copy-streams");
  const it =
    Symbol.asyncIterator in batches
      ? (batches as AsyncIterable<RecordBatch>)[Symbol.asyncIterator]()
      : (batches as Iterable<RecordBatch>)[Symbol.iterator]();
  const head = await it.next();
  if (head.done) return 0;
  const first = head.value;
  const byName = new Map(fields.map((f) => [f.name, f]));
  const unknown = first.schema.fields.filter((f) => !byName.has(f.name)).map((f) => f.name);
  if (unknown.length > 0) {
    throw new EngineError(
      "SCHEMA_MISMATCH",
      `postgres: table ${label} has no column ${unknown.map((u) => JSON.stringify(u)).join(", ")}; its columns are ${fields.map((f) => JSON.stringify(f.name)).join(", ")}`,
      { details: { table: label, unknownColumns: unknown } },
    );
  }
  const columns = first.schema.fields.map((f) => byName.get(f.name)!);
  const names = columns.map((c) => c.name);
  const encoders = columns.map((c) => copyEncoder(c.type));
  const sql = `COPY ${dialect.quoteTable(table)} (${names.map((n) => dialect.quoteIdent(n)).join(", ")}) FROM STDIN`;

  let rowsSent = 0;
  async function* text(): AsyncGenerator<string> {
    let batch: RecordBatch | undefined = first;
    while (batch) {
      yield* encodeBatch(batch, names, encoders, label, rowsSent);
      rowsSent += batch.numRows;
      const next = await it.next();
      batch = next.done ? undefined : next.value;
    }
  }

  const copy = keepErrorsHandled(client.query(copyFrom(sql)));
  try {
    await pipeline(Readable.from(text(), { objectMode: false, highWaterMark: 4 }), copy);
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw queryFailed("postgres", sql, error, { table: label });
  }
  return Number(copy.rowCount ?? rowsSent);
}

/**
 * A COPY stream reports a lost connection as an `'error'` event, and can do so after
 * `pipeline` has already settled on the first failure and stopped listening; a stray
 * second event must not become an uncaught exception. The first one still rejects the
 * pipeline, which is where the load learns of it.
 */
function keepErrorsHandled<S extends NodeJS.EventEmitter>(stream: S): S {
  stream.on("error", () => undefined);
  return stream;
}

/** Encodes one batch as COPY text, yielding ~1 MB strings. */
function* encodeBatch(
  batch: RecordBatch,
  names: readonly string[],
  encoders: readonly Encoder[],
  label: string,
  rowsBefore: number,
): Generator<string> {
  const index = new Map(batch.schema.fields.map((f, i) => [f.name, i]));
  const cols = names.map((n) => {
    const i = index.get(n);
    return i === undefined ? undefined : batch.columns[i];
  });
  const width = cols.length;
  let out = "";
  let c = 0;
  let row = 0;
  try {
    for (row = 0; row < batch.numRows; row++) {
      for (c = 0; c < width; c++) {
        const v = cols[c]?.[row];
        const cell = v === null || v === undefined ? "\\N" : encoders[c]!(v);
        out += c === 0 ? cell : `\t${cell}`;
      }
      out += "\n";
      if (out.length >= COPY_CHUNK_CHARS) {
        yield out;
        out = "";
      }
    }
  } catch (error) {
    throw new EngineError(
      "SCHEMA_MISMATCH",
      `postgres: input row ${rowsBefore + row + 1}, column ${JSON.stringify(names[c])} cannot be written to ${label}: ${messageOf(error)}`,
      { cause: error, details: { table: label, row: rowsBefore + row + 1, column: names[c] } },
    );
  }
  if (out.length > 0) yield out;
}

/**
 * Streams CSV (RFC 4180: `"` quoting, unquoted empty = NULL, quoted empty = empty string)
 * into an existing table with `COPY … FROM STDIN (FORMAT csv)`. For engines that render
 * CSV themselves (DuckDB's `COPY … TO`), so no value passes through JS.
 */
export async function copyCsv(
  client: PoolClient,
  dialect: Dialect,
  table: TableRef,
  columns: readonly string[],
  csv: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
): Promise<number> {
  const { from: copyFrom } = await import("pg-copy-streams");
  const sql = `COPY ${dialect.quoteTable(table)} (${columns.map((c) => dialect.quoteIdent(c)).join(", ")}) FROM STDIN (FORMAT csv)`;
  const copy = keepErrorsHandled(client.query(copyFrom(sql)));
  try {
    await pipeline(csv as AsyncIterable<Buffer>, copy);
  } catch (error) {
    throw queryFailed("postgres", sql, error, { table: tableLabel(table) });
  }
  return Number(copy.rowCount ?? 0);
}
