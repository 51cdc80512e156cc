import { z } from "zod";
import type { Schema, TableRef, WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { csvRejections } from "./csv-rejections.js";
import { columnTypesConfig, defineSource, parseSourceConfig } from "./define-source.js";
import { emptyCsvSchema } from "./empty-csv-schema.js";
import { describeRelation, emptyRelationSql, extractFileScan, type FileScan } from "./file-extract.js";
import { FileSource } from "./file-source.js";
import { incrementalConfig } from "./incremental.js";
import { type PeekedFile, peekFiles } from "./peek-files.js";
import type { ExtractResult, ReadContext } from "./source.js";

export const csvSourceConfig = z.object({
  path: z.string().min(1).describe("a CSV file or a glob such as `data/*.csv`"),
  header: z.boolean().default(true).describe("the first line names the columns"),
  delimiter: z.string().min(1).max(4).default(",").describe("column separator"),
  quote: z.string().max(1).default('"').describe('quote character; "" for none'),
  escape: z.string().max(1).optional().describe("escape character inside quotes; defaults to the quote"),
  encoding: z.enum(["utf-8", "utf-16", "latin-1"]).default("utf-8").describe("text encoding of the files"),
  columns: columnTypesConfig
    .optional()
    .describe(
      "column name → weir type; overrides the sniffed type of those columns. An input without data rows (an empty file, a header only) has no types to sniff: it reads as zero rows of these columns, and every header column must be among them; without `columns` it is an error",
    ),
  incremental: incrementalConfig.optional(),
  batchSize: z.number().int().positive().optional().describe("rows per batch of `read()`"),
});

export type CsvSourceConfig = z.input<typeof csvSourceConfig>;

/** How the files are scanned: DuckDB's sniffer, or (when it cannot cope) explicit columns. */
interface CsvPlan {
  schema: Schema;
  /** read_csv options besides the path and the rejects tables. */
  options: string[];
  /** The files to read when some named by the glob must be left out (blank ones); else the path. */
  files?: string[] | undefined;
  /** No file has a data row: the scan is an empty relation of `schema`, no file is read. */
  empty?: boolean;
}

/**
 * CSV files read by DuckDB's `read_csv`. On a DuckDB engine `extract` pushes the whole
 * read down (`CREATE TABLE … AS SELECT … FROM read_csv(…) WHERE cursor in interval`);
 * elsewhere (and for `read()`) a private in-memory DuckDB does the parsing.
 *
 * Bad lines — wrong column count, a value that does not cast to its column's type, an
 * unterminated quote, invalid UTF-8 — become rejections (one per line, naming file, line,
 * column, expected type and value) via DuckDB's `store_rejects`; an unterminated quote
 * swallows the lines after it, and each swallowed line is reported too, so every input
 * line is either loaded, rejected, or counted in `rowsSkipped` (outside the interval).
 *
 * Empty input is looked at before DuckDB sniffs it (its sniffer makes an empty file one
 * text column `column0`): a blank file in a glob with other files is left out, and input
 * with no data row at all is zero rows of the declared `columns`, or an error naming the
 * files (`emptyCsvSchema`).
 */
export class CsvSource extends FileSource<z.output<typeof csvSourceConfig>> {
  readonly type = "csv";
  private plan: Promise<CsvPlan> | undefined;

  constructor(config: CsvSourceConfig) {
    super(parseSourceConfig("csv", csvSourceConfig, config));
  }

  private baseOptions(engine: Engine): string[] {
    const q = (v: string) => engine.dialect.quoteLiteral(v);
    const c = this.config;
    return [
      `header = ${c.header}`,
      `delim = ${q(c.delimiter)}`,
      `quote = ${q(c.quote)}`,
      `escape = ${q(c.escape ?? c.quote)}`,
      `encoding = ${q(c.encoding)}`,
    ];
  }

  private typesOption(engine: Engine, types: Record<string, WeirType>, key: "types" | "columns"): string {
    const entries = Object.entries(types).map(
      ([name, type]) =>
        `${engine.dialect.quoteLiteral(name)}: ${engine.dialect.quoteLiteral(engine.dialect.typeName(type))}`,
    );
    return `${key} = {${entries.join(", ")}}`;
  }

  private scanSql(engine: Engine, options: readonly string[], files?: readonly string[]): string {
    const q = (v: string) => engine.dialect.quoteLiteral(v);
    const from = files ? `[${files.map(q).join(", ")}]` : q(this.config.path);
    return `read_csv(${from}, ${options.join(", ")})`;
  }

  /** Sniffs the files; falls back to the header line + declared types when the sniffer fails. */
  private async makePlan(engine: Engine): Promise<CsvPlan> {
    const overrides = this.config.columns ?? {};
    // One non-blank line past the header shows a file has rows.
    const maxLines = this.config.header ? 2 : 1;
    const peeked = await peekFiles(engine, this.config.path, { maxLines, encoding: this.config.encoding });
    const noRows = (f: PeekedFile) => f.blank || (f.lines !== undefined && f.lines.length < maxLines);
    if (peeked.length > 0 && peeked.every(noRows)) {
      const schema = emptyCsvSchema({
        location: this.location,
        files: peeked,
        header: this.config.header,
        headerCells: (line) => this.headerCells(line),
        declared: overrides,
      });
      return { schema, options: [], empty: true };
    }
    // A blank file in a glob is sniffed (or read) as one column `column0` and fails the glob; it holds no rows.
    const files = peeked.some((f) => f.blank) ? peeked.filter((f) => !f.blank).map((f) => f.path) : undefined;
    const sniffed = [...this.baseOptions(engine)];
    if (Object.keys(overrides).length > 0) sniffed.push(this.typesOption(engine, overrides, "types"));
    try {
      const probe = this.scanSql(engine, [...sniffed, "ignore_errors = true"], files);
      const schema = await describeRelation(engine, probe, overrides, this.location);
      return { schema, options: sniffed, files };
    } catch (error) {
      // The sniffer gives up on some broken files (an unterminated quote runs to the end);
      // the header line still names the columns, and the declared types (or text) type them.
      const names = await this.headerNames(engine);
      if (!names) throw error;
      const types = Object.fromEntries(names.map((n) => [n, overrides[n] ?? ("varchar" as WeirType)]));
      const options = [
        ...this.baseOptions(engine),
        "auto_detect = false",
        this.typesOption(engine, types, "columns"),
      ];
      return { schema: { fields: names.map((n) => ({ name: n, type: types[n]! })) }, options, files };
    }
  }

  private async headerNames(engine: Engine): Promise<string[] | undefined> {
    const q = (v: string) => engine.dialect.quoteLiteral(v);
    const rows = await engine
      .query<{ line: string }>(
        `SELECT line FROM read_csv(${q(this.config.path)}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false, delim = ${q("\u0001")}, quote = '', escape = '', encoding = ${q(this.config.encoding)}, ignore_errors = true) LIMIT 1`,
      )
      .catch(() => []);
    const first = rows[0]?.line;
    if (first === undefined || first === null) return undefined;
    const cells = this.headerCells(first);
    return this.config.header ? cells : cells.map((_c, i) => `column${i}`);
  }

  /** The column names on a header line (split on the delimiter, quotes stripped). */
  private headerCells(line: string): string[] {
    return line.split(this.config.delimiter).map((c) => {
      const t = c.trim();
      const quote = this.config.quote;
      return quote && t.startsWith(quote) && t.endsWith(quote) && t.length >= 2 ? t.slice(1, -1) : t;
    });
  }

  private getPlan(engine: Engine): Promise<CsvPlan> {
    this.plan ??= this.makePlan(engine);
    const plan = this.plan;
    // Kept only while it holds: a failure, an empty input or a list of files may change by the next read.
    const forget = () => {
      if (this.plan === plan) this.plan = undefined;
    };
    plan.then((p) => (p.empty || p.files ? forget() : undefined), forget);
    return plan;
  }

  async schema(): Promise<Schema> {
    return (await this.getPlan(await this.local.get())).schema;
  }

  protected async extractInEngine(
    engine: Engine,
    target: TableRef,
    context: ReadContext,
  ): Promise<ExtractResult> {
    const cursorColumn = this.config.incremental?.cursorColumn;
    const plan = await this.getPlan(engine);
    let rejectsTable = "";
    let rejectsScan = "";
    const scan: FileScan = {
      location: this.location,
      schema: plan.schema,
      cursorColumn,
      cheapCount: false,
      relation: async (tx, tmp) => {
        if (plan.empty) return emptyRelationSql(tx, plan.schema);
        rejectsTable = tmp("rejects");
        rejectsScan = tmp("rejects_scan");
        const q = (v: string) => engine.dialect.quoteLiteral(v);
        return this.scanSql(
          engine,
          [
            ...plan.options,
            "store_rejects = true",
            `rejects_table = ${q(rejectsTable)}`,
            `rejects_scan = ${q(rejectsScan)}`,
          ],
          plan.files,
        );
      },
      rejections: async (tx) =>
        plan.empty ? [] : csvRejections(tx, rejectsTable, rejectsScan, plan.schema, this.config.encoding),
    };
    return extractFileScan(engine, target, context, scan);
  }
}

export const csvSourceDefinition = defineSource({
  type: "csv",
  description: "CSV files (a path or a glob), parsed by DuckDB",
  config: csvSourceConfig,
  create: (config) => new CsvSource(config),
});
