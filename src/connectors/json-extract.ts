import { ConnectorError } from "../core/errors.js";
import type { Schema, TableRef, WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { extractFileScan, type FileScan } from "./file-extract.js";
import { inferredSchemaOf, logInferredSchema } from "./inferred-schema.js";
import { neededWidenings, WidenColumns, widenColumnsOf, widenSchema } from "./json-widening.js";
import type { ExtractResult, ReadContext, Rejection } from "./source.js";

/** What a JSON-records source (NDJSON lines, a JSON array's elements) hands the shared extract. */
export interface JsonRecordsSpec {
  location: string;
  cursorColumn?: string | undefined;
  /** The declared `columns` (read leniently, rejected when they do not fit); the rest are inferred. */
  declared: Record<string, WeirType>;
  /** What a record's position counts: NDJSON lines, or elements of an array. */
  unit: "line" | "record";
  /**
   * Runs the statements that build the parsed table (`parseRecordsSql`) on `tx` and returns
   * its name, with the rejections of input the reader itself could not read (bad lines).
   */
  parse(
    tx: Engine,
    tmp: (prefix: string) => string,
    schema: Schema,
    inferred: ReadonlySet<string>,
  ): Promise<{ parsed: string; unreadable?: () => Promise<Rejection[]> }>;
}

/** The schema a source settled on, with why inferred columns were widened; kept for the next extract. */
export interface JsonRecordsTypes {
  schema: Schema;
  notes: Map<string, string>;
}

/**
 * The types a JSON-records source settled on, kept across extracts: inferred once, and
 * replaced by the widened ones an extract settled on. A failed inference is not kept: the
 * files may have rows by the next read.
 */
export class JsonTypesCache {
  private cached: Promise<JsonRecordsTypes> | undefined;

  /** The kept types, else those of `infer`'s schema. */
  get(infer: () => Promise<Schema>): Promise<JsonRecordsTypes> {
    this.cached ??= infer().then((schema) => ({ schema, notes: new Map() }));
    const types = this.cached;
    types.catch(() => {
      if (this.cached === types) this.cached = undefined;
    });
    return types;
  }

  /** Runs `extract` from the kept types and keeps the types it settled on (unless forgotten meanwhile). */
  async extract(
    infer: () => Promise<Schema>,
    extract: (start: JsonRecordsTypes) => Promise<{ result: ExtractResult; types: JsonRecordsTypes }>,
  ): Promise<ExtractResult> {
    const cached = this.get(infer);
    const start = await cached;
    const { result, types } = await extract(start);
    if (types !== start && this.cached === cached) this.cached = Promise.resolve(types);
    return result;
  }
}

/**
 * Lands JSON records in `target`: parses them in SQL, widens inferred columns that some
 * record does not fit (and extracts again; each round widens at least one column), and
 * turns records that are not objects, or do not fit a declared column, into rejections
 * naming file, line or record, field, expected type and value. Returns the result and the
 * types it settled on.
 */
export async function extractJsonRecords(
  engine: Engine,
  target: TableRef,
  context: ReadContext,
  spec: JsonRecordsSpec,
  start: JsonRecordsTypes,
): Promise<{ result: ExtractResult; types: JsonRecordsTypes }> {
  let types = start;
  for (let round = 0; ; round++) {
    const { schema } = types;
    const inferred = new Set(
      schema.fields.filter((f) => !Object.hasOwn(spec.declared, f.name)).map((f) => f.name),
    );
    let parsed: string | undefined;
    let unreadable: (() => Promise<Rejection[]>) | undefined;
    const scan: FileScan = {
      location: spec.location,
      schema,
      cursorColumn: spec.cursorColumn,
      cheapCount: false,
      relation: async (tx, tmp) => {
        const built = await spec.parse(tx, tmp, schema, inferred);
        parsed = built.parsed;
        unreadable = built.unreadable;
        const widened = await neededWidenings(tx, parsed, schema, inferred);
        if (widened.size > 0) throw new WidenColumns(spec.location, widened);
        return `(SELECT * FROM ${tx.dialect.quoteIdent(parsed)} WHERE weir_failed_column IS NULL)`;
      },
      rejections: async (tx) => {
        if (parsed === undefined) return [];
        const all = [
          ...((await unreadable?.()) ?? []),
          ...(await parseRejections(tx, parsed, schema, spec.unit)),
        ];
        return all.sort((a, b) => a.location.localeCompare(b.location) || (a.line ?? 0) - (b.line ?? 0));
      },
    };
    try {
      const result = await extractFileScan(engine, target, context, scan);
      result.inferredSchema = inferredSchemaOf(schema, spec.declared, types.notes);
      logInferredSchema(context.logger, spec.location, result.inferredSchema);
      return { result, types };
    } catch (error) {
      const widen = widenColumnsOf(error);
      if (!widen || round >= schema.fields.length) throw error;
      const cursor = spec.cursorColumn === undefined ? undefined : widen.widened.get(spec.cursorColumn);
      if (cursor) {
        throw new ConnectorError(
          "SCHEMA_MISMATCH",
          `${spec.location}: incremental cursor field "${spec.cursorColumn}" was inferred as ${schema.fields.find((f) => f.name === spec.cursorColumn)?.type}, but ${cursor.note.replace(/^\w+: /, "")}; declare its type in \`columns\``,
          { details: { location: spec.location, column: spec.cursorColumn } },
        );
      }
      const notes = new Map(types.notes);
      for (const [name, w] of widen.widened) notes.set(name, w.note);
      types = { schema: widenSchema(schema, widen.widened), notes };
    }
  }
}

async function parseRejections(
  tx: Engine,
  parsed: string,
  schema: Schema,
  unit: "line" | "record",
): Promise<Rejection[]> {
  const rows = await tx.query<{
    weir_file: string;
    weir_line: number | bigint;
    weir_text: string;
    weir_failed_column: string;
    weir_failed_value: string | null;
  }>(
    `SELECT weir_file, weir_line, weir_text, weir_failed_column, weir_failed_value FROM ${tx.dialect.quoteIdent(parsed)}
      WHERE weir_failed_column IS NOT NULL ORDER BY weir_file, weir_line`,
  );
  return rows.map((r) => {
    const line = Number(r.weir_line);
    const at = unit === "line" ? `${r.weir_file}:${line}` : `${r.weir_file}, record ${line}`;
    if (r.weir_failed_column === "") {
      return {
        location: r.weir_file,
        line,
        expected: "a JSON object",
        value: r.weir_text,
        raw: r.weir_text,
        reason: `${at}: not a valid JSON object`,
      };
    }
    const field = schema.fields.find((f) => f.name === r.weir_failed_column);
    const expected = field?.type ?? "the column's type";
    return {
      location: r.weir_file,
      line,
      column: r.weir_failed_column,
      expected,
      value: r.weir_failed_value ?? "",
      raw: r.weir_text,
      reason: `${at}, field "${r.weir_failed_column}": ${JSON.stringify(r.weir_failed_value)} is not of type ${expected}`,
    };
  });
}
