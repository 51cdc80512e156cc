import { z } from "zod";
import { ConfigError, ConnectorError, messageOf } from "../core/errors.js";
import type { Schema, TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { columnTypesConfig, defineSource, parseSourceConfig } from "./define-source.js";
import { FileSource } from "./file-source.js";
import { incrementalConfig } from "./incremental.js";
import { extractJsonRecords, JsonTypesCache } from "./json-extract.js";
import { describeJsonFields, structureFields, withDeclaredTypes } from "./json-fields.js";
import { type JsonFormat, jsonFormats } from "./json-format.js";
import { parseRecordsSql } from "./json-records-sql.js";
import { JSON_TYPES_NOTE, NdjsonSource } from "./ndjson-source.js";
import type { ExtractResult, ReadContext } from "./source.js";

export const jsonSourceConfig = z.object({
  path: z
    .string()
    .min(1)
    .describe(
      "a JSON file or a glob such as `exports/*.json`; each file a top-level array of objects, or newline-delimited objects",
    ),
  format: z
    .enum(["auto", "array", "newline_delimited"])
    .default("auto")
    .describe(
      "how records are laid out: `array` (one top-level array of objects), `newline_delimited` (one object per line), or `auto` (per file: `[` as the first character opens an array)",
    ),
  columns: columnTypesConfig
    .optional()
    .describe(
      "field name → weir type; overrides the inferred type of those fields, and values that do not fit are rejected (to quarantine)",
    ),
  incremental: incrementalConfig.optional(),
  maxObjectBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024)
    .describe("largest accepted record (an array element, or an NDJSON line)"),
  batchSize: z.number().int().positive().optional().describe("rows per batch of `read()`"),
});

export type JsonSourceConfig = z.input<typeof jsonSourceConfig>;

/**
 * JSON files: a top-level array of objects, or newline-delimited objects (read exactly as
 * `NdjsonSource` reads them, line numbers and all). An array is streamed by DuckDB's
 * `read_json(format = 'array')` one element at a time, so a file of gigabytes is read in
 * bounded memory; each element is parsed in SQL like an NDJSON line, and an element that is
 * not an object, or does not fit a declared column, is a rejection naming the file and the
 * record's number (its position in the array, from 1). A syntax error cannot be stepped
 * over in an array: it fails the read, naming the file, byte and record.
 *
 * Types are inferred and widened as `NdjsonSource` does: a field whose values mix kinds is
 * text, integers with fractions are double, declared `columns` reject what does not fit.
 *
 * @example
 * const orders = new JsonSource({ path: "exports/orders-*.json", columns: { id: "bigint" } });
 */
export class JsonSource extends FileSource<z.output<typeof jsonSourceConfig>> {
  readonly type = "json";
  private readonly lines: NdjsonSource;
  private readonly types = new JsonTypesCache();

  constructor(config: JsonSourceConfig) {
    super(parseSourceConfig("json", jsonSourceConfig, config));
    const c = this.config;
    this.lines = new NdjsonSource({
      path: c.path,
      ...(c.columns ? { columns: c.columns } : {}),
      ...(c.incremental ? { incremental: c.incremental } : {}),
      maxLineBytes: c.maxObjectBytes,
      ...(c.batchSize ? { batchSize: c.batchSize } : {}),
    });
  }

  /** The files and their one format; files that mix arrays and NDJSON are refused. */
  private async layout(engine: Engine): Promise<{ format: JsonFormat; files: string[] }> {
    const detected = await jsonFormats(engine, this.config.path);
    const wanted = this.config.format;
    const formats = new Set(detected.map((f) => f.format));
    if (wanted === "auto" && formats.size > 1) {
      const list = (format: JsonFormat) =>
        detected
          .filter((f) => f.format === format)
          .map((f) => f.path)
          .join(", ");
      throw new ConfigError(
        `${this.location}: the files mix JSON arrays (${list("array")}) and newline-delimited JSON (${list("newline_delimited")}); read them with two sources, or set \`format\``,
        { details: { location: this.location } },
      );
    }
    // Blank files hold no record; with nothing else, the NDJSON reader says what that means.
    if (detected.length === 0) return { format: "newline_delimited", files: [] };
    const format = wanted === "auto" ? detected[0]!.format : wanted;
    const wrong = detected.find((f) => f.format !== format);
    if (wanted !== "auto" && wrong) {
      const is = wrong.format === "array" ? "a JSON array" : "newline-delimited JSON";
      throw new ConnectorError(
        "CONNECTOR_READ_FAILED",
        `${wrong.path} is ${is}, but the source's format is ${wanted}; set format to auto or ${wrong.format}`,
        { details: { location: this.location, file: wrong.path } },
      );
    }
    return { format, files: detected.map((f) => f.path) };
  }

  /** The files as a DuckDB list literal. */
  private fileList(engine: Engine, files: readonly string[]): string {
    return `[${files.map((f) => engine.dialect.quoteLiteral(f)).join(", ")}]`;
  }

  private arrayRead(engine: Engine, files: readonly string[]): string {
    return `read_json(${this.fileList(engine, files)}, format = 'array', records = false, columns = {'json': 'JSON'}, maximum_object_size = ${this.config.maxObjectBytes})`;
  }

  private async describe(engine: Engine, files: readonly string[]): Promise<Schema> {
    const probe = `read_json(${this.fileList(engine, files)}, format = 'array', maximum_object_size = ${this.config.maxObjectBytes})`;
    const objects = `(SELECT CAST(json AS VARCHAR) AS line FROM ${this.arrayRead(engine, files)} WHERE json_type(json) = 'OBJECT')`;
    const fields = await this.readingArrays(files, async () => {
      return (await describeJsonFields(engine, probe)) ?? (await structureFields(engine, objects));
    });
    const declared = this.config.columns ?? {};
    if (fields.length > 0) return { fields: withDeclaredTypes(fields, declared, this.location) };
    if (Object.keys(declared).length > 0)
      return { fields: Object.entries(declared).map(([name, type]) => ({ name, type })) };
    throw new ConnectorError(
      "CONNECTOR_READ_FAILED",
      `${this.location}: no element of the array is a JSON object, so there are no columns to infer; declare \`columns\` to read it (its elements are then rejected)`,
      { details: { location: this.location, files } },
    );
  }

  /** A syntax error ends an array read; say which file, and that nothing of it was loaded. */
  private async readingArrays<T>(files: readonly string[], read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      const malformed =
        /Malformed JSON in file "([^"]*)", at byte (\d+) in record\/value (\d+): ([^\n.]*)/.exec(
          messageOf(error),
        );
      if (!malformed) throw error;
      const [, file, byte, value, what] = malformed;
      // DuckDB counts the array itself as value 1: its element k is value k + 1.
      const record = Math.max(1, Number(value) - 1);
      throw new ConnectorError(
        "CONNECTOR_READ_FAILED",
        `${file}: not valid JSON in record ${record}, at its byte ${byte} (${what}); a JSON array cannot be read past a syntax error, so none of its records were loaded`,
        { cause: error, details: { location: this.location, file, files } },
      );
    }
  }

  async schema(): Promise<Schema> {
    const engine = await this.local.get();
    const { format, files } = await this.layout(engine);
    if (format === "newline_delimited") return this.lines.schema();
    return (await this.types.get(() => this.describe(engine, files))).schema;
  }

  protected async extractInEngine(
    engine: Engine,
    target: TableRef,
    context: ReadContext,
  ): Promise<ExtractResult> {
    const { format, files } = await this.layout(engine);
    if (format === "newline_delimited") return this.lines.extract(engine, target, context);
    const { dialect } = engine;
    return this.types.extract(
      () => this.describe(engine, files),
      (start) =>
        this.readingArrays(files, () =>
          extractJsonRecords(
            engine,
            target,
            context,
            {
              location: this.location,
              cursorColumn: this.config.incremental?.cursorColumn,
              declared: this.config.columns ?? {},
              unit: "record",
              parse: async (tx, tmp, schema, inferred) => {
                const parsed = tmp("parsed");
                // One read per file, so each element's ordinal is its record number in its file.
                const perFile = files.map(
                  (f) =>
                    `SELECT ${dialect.quoteLiteral(f)} AS weir_file, coalesce(CAST(json AS VARCHAR), 'null') AS weir_text, ordinality AS weir_line FROM ${this.arrayRead(tx, [f])} WITH ORDINALITY`,
                );
                const located = `located AS (${perFile.join(" UNION ALL ")})`;
                await tx.run(parseRecordsSql(dialect, schema, parsed, located, inferred));
                return { parsed };
              },
            },
            start,
          ),
        ),
    );
  }

  override async close(): Promise<void> {
    await Promise.all([super.close(), this.lines.close()]);
  }
}

export const jsonSourceDefinition = defineSource({
  type: "json",
  description:
    "JSON files (a path or a glob): top-level arrays of objects, streamed, or newline-delimited objects; parsed by DuckDB",
  config: jsonSourceConfig,
  notes: `**Layout.** With \`format: auto\` each file's first non-blank character decides: \`[\` opens a top-level
array (unless its first line is a whole JSON value and more lines follow: newline-delimited JSON whose
records are arrays); anything else is newline-delimited and read exactly as the \`ndjson\` source reads it.
A glob whose files mix the two is refused. Arrays are streamed by DuckDB (\`read_json(format = 'array')\`)
one element at a time, so a file of gigabytes is read in bounded memory.

${JSON_TYPES_NOTE}

**Rejections.** An element of an array that is not an object, or has a value that does not fit a declared
column (or an inferred date field), is rejected with its file and record number (its position in the
array, from 1). A syntax error cannot be stepped over inside an array: the read fails naming the file, the
record and the byte, and none of that file is loaded.`,
  create: (config) => new JsonSource(config),
});
