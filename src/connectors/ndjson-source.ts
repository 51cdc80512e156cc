import { z } from "zod";
import { ConnectorError } from "../core/errors.js";
import type { Schema, TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { csvRejections } from "./csv-rejections.js";
import { columnTypesConfig, defineSource, parseSourceConfig } from "./define-source.js";
import { FileSource } from "./file-source.js";
import { incrementalConfig } from "./incremental.js";
import { extractJsonRecords, JsonTypesCache } from "./json-extract.js";
import { describeJsonFields, structureFields, withDeclaredTypes } from "./json-fields.js";
import { assertNotJsonArray } from "./json-format.js";
import { ndjsonLineSql } from "./ndjson-lines.js";
import { peekFiles } from "./peek-files.js";
import type { ExtractResult, ReadContext } from "./source.js";

export const ndjsonSourceConfig = z.object({
  path: z.string().min(1).describe("an NDJSON file or a glob such as `events/*.ndjson`"),
  columns: columnTypesConfig
    .optional()
    .describe(
      "field name → weir type; overrides the inferred type of those fields, and values that do not fit are rejected (to quarantine). Input without a JSON object (an empty file) has nothing to infer from: it reads as these columns, and without `columns` it is an error",
    ),
  incremental: incrementalConfig.optional(),
  maxLineBytes: z
    .number()
    .int()
    .positive()
    .default(16 * 1024 * 1024)
    .describe("longest accepted line; longer lines are rejected"),
  batchSize: z.number().int().positive().optional().describe("rows per batch of `read()`"),
});

export type NdjsonSourceConfig = z.input<typeof ndjsonSourceConfig>;

/** How JSON records are typed; shared by the ndjson and json sources' reference notes. */
export const JSON_TYPES_NOTE = `**Types.** DuckDB infers each field's type from the first 20,480 records; nested objects and arrays
are \`json\`. Fields in \`columns\` are read as declared (\`"12"\` is a fine integer) and a value that does
not fit is rejected. Inferred fields never change or lose a value, the way Spark and pandas infer JSON: a
field whose values mix kinds — a string in most records, a number in some — is text, each value as its JSON
text, so a plain \`WHERE title = '…'\` works; integers with fractions make a double; a later value of
another kind widens the field the same way (a string \`"00501"\` in a field inferred as a number makes it
text, never \`501\`), and nothing is rejected for it. Fields inferred as dates or timestamps (from strings)
keep that type, and a value that is not one is rejected. Fields that first appear after the first 20,480
records are not read: declare them in \`columns\`. What each field became, and why, is in
\`ExtractResult.inferredSchema\`.`;

/**
 * Newline-delimited JSON files. DuckDB's JSON reader cannot say which line was bad, so the
 * files are read as lines of text (with their line numbers) and parsed in SQL:
 * `json_valid` finds broken lines, a cast per column finds values that do not fit, and
 * invalid UTF-8 is caught by the line reader. Each bad line becomes one rejection with
 * file, line, column and expected type; blank lines are not records and are not counted.
 *
 * Types: `read_json` infers them from a sample (nested values become `json`; a field whose
 * values mix kinds is text), `columns` on top. A declared column rejects values that do not
 * fit; an inferred one is widened instead — integers to double when fractions appear, any
 * other mix to text — so no value is changed or lost (`json-widening.ts`). Input with no
 * JSON object to infer from (an empty file) is read as the declared `columns`, or is an
 * error naming the files. A file that is a JSON array is refused with a pointer to
 * `JsonSource`.
 */
export class NdjsonSource extends FileSource<z.output<typeof ndjsonSourceConfig>> {
  readonly type = "ndjson";
  private readonly types = new JsonTypesCache();

  constructor(config: NdjsonSourceConfig) {
    super(parseSourceConfig("ndjson", ndjsonSourceConfig, config));
  }

  /** The inferred schema; the caller has refused JSON arrays (`assertNotJsonArray`). */
  private async describe(engine: Engine): Promise<Schema> {
    const q = (v: string) => engine.dialect.quoteLiteral(v);
    const probe = `read_json(${q(this.config.path)}, format = 'newline_delimited', ignore_errors = true, maximum_object_size = ${this.config.maxLineBytes})`;
    // read_json turns a file with any non-object line into one "json" column; then the
    // columns come from the structure of the lines that are objects.
    const fields =
      (await describeJsonFields(engine, probe)) ?? (await structureFields(engine, this.objectLines(engine)));
    if (fields.length === 0) return this.declaredSchema(engine);
    return { fields: withDeclaredTypes(fields, this.config.columns ?? {}, this.location) };
  }

  /** The lines that are JSON objects, as a relation with one column `line`. */
  private objectLines(engine: Engine): string {
    const q = (v: string) => engine.dialect.quoteLiteral(v);
    return `(SELECT line
         FROM read_csv(${q(this.config.path)}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false,
                       delim = ${q("\u0001")}, quote = '', escape = '', ignore_errors = true, max_line_size = ${this.config.maxLineBytes})
        WHERE CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END)`;
  }

  /**
   * The schema when no line is a JSON object (an empty file, or only arrays and garbage):
   * there is nothing to infer from, so it is the declared `columns` — every line is then
   * rejected, none lost — or an error that says which case it is.
   */
  private async declaredSchema(engine: Engine): Promise<Schema> {
    const declared = Object.entries(this.config.columns ?? {});
    if (declared.length > 0) return { fields: declared.map(([name, type]) => ({ name, type })) };
    const files = await peekFiles(engine, this.config.path, {
      maxLines: 1,
      maxLineBytes: this.config.maxLineBytes,
    });
    const empty = files.every((f) => f.blank);
    const single = files.length === 1 && files[0]!.path === this.location;
    const listed = single ? "" : `: ${files.map((f) => f.path).join(", ")}`;
    const problem = empty
      ? `${single ? "file is" : "every file is"} empty (no JSON object to infer the columns from)${listed}; declare \`columns\` to read an empty file as zero rows`
      : `no line is a JSON object, so there are no columns to infer; declare \`columns\` to read the file (its lines are then rejected)`;
    throw new ConnectorError("CONNECTOR_READ_FAILED", `${this.location}: ${problem}`, {
      details: { location: this.location, files: files.map((f) => f.path) },
    });
  }

  /** The inferred schema; an inferred field widened by an extract is reported widened after it. */
  async schema(): Promise<Schema> {
    const engine = await this.local.get();
    const infer = async () => {
      await assertNotJsonArray(engine, this.config.path, this.location);
      return this.describe(engine);
    };
    return (await this.types.get(infer)).schema;
  }

  protected async extractInEngine(
    engine: Engine,
    target: TableRef,
    context: ReadContext,
  ): Promise<ExtractResult> {
    // Checked on every extract, not only when the schema is inferred: the file may have been
    // replaced. Once, before the inference, which then need not look again.
    await assertNotJsonArray(engine, this.config.path, this.location);
    return this.types.extract(
      () => this.describe(engine),
      (start) =>
        extractJsonRecords(
          engine,
          target,
          context,
          {
            location: this.location,
            cursorColumn: this.config.incremental?.cursorColumn,
            declared: this.config.columns ?? {},
            unit: "line",
            parse: async (tx, tmp, schema, inferred) => {
              const names = {
                lines: tmp("lines"),
                parsed: tmp("parsed"),
                rejectsTable: tmp("rejects"),
                rejectsScan: tmp("rejects_scan"),
              };
              for (const sql of ndjsonLineSql(
                tx.dialect,
                this.config.path,
                schema,
                names,
                this.config.maxLineBytes,
                inferred,
              ))
                await tx.run(sql);
              // The line reader's own column ("line") means nothing to the user; the line number does.
              const unreadable = async () =>
                (await csvRejections(tx, names.rejectsTable, names.rejectsScan, schema)).map(
                  ({ column: _column, ...rest }) => ({
                    ...rest,
                    reason: rest.reason.replace(', column "line"', ""),
                  }),
                );
              return { parsed: names.parsed, unreadable };
            },
          },
          start,
        ),
    );
  }
}

export const ndjsonSourceDefinition = defineSource({
  type: "ndjson",
  description: "newline-delimited JSON files (a path or a glob), parsed by DuckDB",
  config: ndjsonSourceConfig,
  notes: `${JSON_TYPES_NOTE}

**Rejections.** One per bad line, with file and line: not valid JSON, not an object, a value that does not
fit a declared column or an inferred date field, invalid UTF-8, a line over \`maxLineBytes\`. Blank lines are
not records. A file that is a JSON array is refused with \`<file> is a JSON array, not newline-delimited
JSON; use JsonSource (type: json)\`.`,
  create: (config) => new NdjsonSource(config),
});
