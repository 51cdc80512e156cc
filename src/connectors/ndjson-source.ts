import { z } from "zod";
import { ConfigError, ConnectorError } from "../core/errors.js";
import type { Field, Schema, TableRef, WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { csvRejections } from "./csv-rejections.js";
import { columnTypesConfig, defineSource, parseSourceConfig } from "./define-source.js";
import { describeRelation, extractFileScan, type FileScan } from "./file-extract.js";
import { FileSource } from "./file-source.js";
import { incrementalConfig } from "./incremental.js";
import { ndjsonLineSql } from "./ndjson-lines.js";
import { peekFiles } from "./peek-files.js";
import type { ExtractResult, ReadContext, Rejection } from "./source.js";

export const ndjsonSourceConfig = z.object({
  path: z.string().min(1).describe("an NDJSON file or a glob such as `events/*.ndjson`"),
  columns: columnTypesConfig
    .optional()
    .describe(
      "column name → weir type; overrides the inferred type of those columns. Input without a JSON object (an empty file) has nothing to infer from: it reads as these columns, and without `columns` it is an error",
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

/**
 * Newline-delimited JSON files. DuckDB's JSON reader cannot say which line was bad, so the
 * files are read as lines of text (with their line numbers) and parsed in SQL:
 * `json_valid` finds broken lines, a strict cast per column finds values of the wrong type,
 * and invalid UTF-8 is caught by the line reader. Each bad line becomes one rejection with
 * file, line, column and expected type; blank lines are not records and are not counted.
 * The schema is inferred by `read_json` (nested values become `json`), with `columns` on top;
 * input with no JSON object to infer from (an empty file) is read as the declared `columns`,
 * or is an error naming the files.
 */
export class NdjsonSource extends FileSource<z.output<typeof ndjsonSourceConfig>> {
  readonly type = "ndjson";
  private cachedSchema: Promise<Schema> | undefined;

  constructor(config: NdjsonSourceConfig) {
    super(parseSourceConfig("ndjson", ndjsonSourceConfig, config));
  }

  private inferSchema(engine: Engine): Promise<Schema> {
    this.cachedSchema ??= this.describe(engine);
    const schema = this.cachedSchema;
    // A failure is not remembered: the files may have rows by the next read.
    schema.catch(() => {
      if (this.cachedSchema === schema) this.cachedSchema = undefined;
    });
    return schema;
  }

  private async describe(engine: Engine): Promise<Schema> {
    const q = (v: string) => engine.dialect.quoteLiteral(v);
    const overrides = this.config.columns ?? {};
    const probe = `read_json(${q(this.config.path)}, format = 'newline_delimited', ignore_errors = true, maximum_object_size = ${this.config.maxLineBytes})`;
    const sniffed = await describeRelation(engine, probe, {}, this.location).catch(() => undefined);
    // read_json turns a file with any non-object line into one "json" column; then the
    // columns come from the structure of the lines that are objects.
    const usable = sniffed && !(sniffed.fields.length === 1 && sniffed.fields[0]!.name === "json");
    const fields = usable ? sniffed.fields : await this.structureFields(engine);
    if (fields.length === 0) return this.declaredSchema(engine);
    for (const name of Object.keys(overrides)) {
      if (!fields.some((f) => f.name === name)) {
        const names = fields.map((f) => f.name).join(", ");
        throw new ConfigError(`${this.location}: column override "${name}" matches no field (${names})`, {
          details: { location: this.location, column: name },
        });
      }
    }
    return { fields: fields.map((f) => ({ name: f.name, type: overrides[f.name] ?? f.type })) };
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

  private async structureFields(engine: Engine): Promise<Field[]> {
    const q = (v: string) => engine.dialect.quoteLiteral(v);
    const rows = await engine.query<{ s: string | null }>(
      `SELECT json_group_structure(CAST(line AS JSON))::VARCHAR AS s FROM (SELECT line
         FROM read_csv(${q(this.config.path)}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false,
                       delim = ${q("\u0001")}, quote = '', escape = '', ignore_errors = true, max_line_size = ${this.config.maxLineBytes})
        WHERE CASE WHEN json_valid(line) THEN json_type(line) = 'OBJECT' ELSE false END)`,
    );
    const parsed: unknown = JSON.parse(rows[0]?.s ?? "{}");
    const structure =
      parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
    return Object.entries(structure).map(([name, t]) => ({ name, type: structureType(t) }));
  }

  async schema(): Promise<Schema> {
    return this.inferSchema(await this.local.get());
  }

  protected async extractInEngine(
    engine: Engine,
    target: TableRef,
    context: ReadContext,
  ): Promise<ExtractResult> {
    const cursorColumn = this.config.incremental?.cursorColumn;
    const schema = await this.inferSchema(engine);
    let names: { lines: string; parsed: string; rejectsTable: string; rejectsScan: string } | undefined;
    const scan: FileScan = {
      location: this.location,
      schema,
      cursorColumn,
      cheapCount: false,
      relation: async (tx, tmp) => {
        names = {
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
        )) {
          await tx.run(sql);
        }
        return `(SELECT * FROM ${tx.dialect.quoteIdent(names.parsed)} WHERE weir_failed_column IS NULL)`;
      },
      rejections: async (tx) => {
        if (!names) return [];
        // The line reader's own column ("line") means nothing to the user; the line number does.
        const unreadable = (await csvRejections(tx, names.rejectsTable, names.rejectsScan, schema)).map(
          ({ column: _column, ...rest }) => ({ ...rest, reason: rest.reason.replace(', column "line"', "") }),
        );
        const parsed = await this.parseRejections(tx, names.parsed, schema);
        return [...unreadable, ...parsed].sort(
          (a, b) => a.location.localeCompare(b.location) || (a.line ?? 0) - (b.line ?? 0),
        );
      },
    };
    return extractFileScan(engine, target, context, scan);
  }

  private async parseRejections(tx: Engine, parsed: string, schema: Schema): Promise<Rejection[]> {
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
      const at = `${r.weir_file}:${line}`;
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
}

/** A logical type for a `json_group_structure` entry: nested structures are json. */
function structureType(t: unknown): WeirType {
  if (typeof t !== "string") return "json";
  if (/^U?(BIGINT|INTEGER)$/.test(t)) return "bigint";
  if (t === "DOUBLE") return "double";
  if (t === "BOOLEAN") return "boolean";
  return t === "JSON" ? "json" : "varchar";
}

export const ndjsonSourceDefinition = defineSource({
  type: "ndjson",
  description: "newline-delimited JSON files (a path or a glob), parsed by DuckDB",
  config: ndjsonSourceConfig,
  create: (config) => new NdjsonSource(config),
});
