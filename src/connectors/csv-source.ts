import { z } from "zod";
import { ConnectorError } from "../core/errors.js";
import type { Schema, TableRef } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import { type CsvPlan, CsvPlanner } from "./csv-plan.js";
import { csvRejections } from "./csv-rejections.js";
import { columnTypesConfig, defineSource, parseSourceConfig } from "./define-source.js";
import { checkedNumberSql, isWidenError } from "./faithful-numbers.js";
import { emptyRelationSql, extractFileScan, type FileScan } from "./file-extract.js";
import { FileSource } from "./file-source.js";
import { incrementalConfig } from "./incremental.js";
import { inferredSchemaOf, logInferredSchema } from "./inferred-schema.js";
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
      "column name → weir type; overrides the sniffed type of those columns, and values that do not fit are rejected (to quarantine). Undeclared columns are sniffed from the first 20,480 rows; a column sniffed as a number stays one only when every value reads back unchanged (no leading zeros, `+`, spaces or separators), else it is text. An input without data rows (an empty file, a header only) has no types to sniff: it reads as zero rows of these columns, and every header column must be among them; without `columns` it is an error",
    ),
  incremental: incrementalConfig.optional(),
  batchSize: z.number().int().positive().optional().describe("rows per batch of `read()`"),
});

export type CsvSourceConfig = z.input<typeof csvSourceConfig>;

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
 * Types: declared `columns` are strict (a value that does not cast is a rejection).
 * Undeclared columns are sniffed from a sample; an inferred type never changes a value: a
 * column sniffed as a number is read as text and cast back only when every value prints
 * the same as its number (`faithful-numbers.ts`), else it stays text — a zip code column
 * whose `00501` lies past the sample keeps its zeros. Other sniffed types (dates,
 * timestamps, booleans) keep them, and a value that does not parse is a rejection. The
 * result's `inferredSchema` (and an info log line) says what each column became and why.
 *
 * Empty input is looked at before DuckDB sniffs it (its sniffer makes an empty file one
 * text column `column0`): a blank file in a glob with other files is left out, and input
 * with no data row at all is zero rows of the declared `columns`, or an error naming the
 * files (`emptyCsvSchema`).
 */
export class CsvSource extends FileSource<z.output<typeof csvSourceConfig>> {
  readonly type = "csv";
  private plan: Promise<CsvPlan> | undefined;
  private readonly planner: CsvPlanner;

  constructor(config: CsvSourceConfig) {
    super(parseSourceConfig("csv", csvSourceConfig, config));
    this.planner = new CsvPlanner(this.config, this.location);
  }

  private getPlan(engine: Engine): Promise<CsvPlan> {
    this.plan ??= this.planner.make(engine);
    const plan = this.plan;
    // Kept only while it holds: a failure, an empty input or a list of files may change by the next read.
    const forget = () => {
      if (this.plan === plan) this.plan = undefined;
    };
    plan.then((p) => (p.empty || p.files ? forget() : undefined), forget);
    return plan;
  }

  /** The sniffed schema; a number column that turned out to need text is text once an extract found it. */
  async schema(): Promise<Schema> {
    return (await this.getPlan(await this.local.get())).schema;
  }

  /**
   * Lands the files in `target`. Numeric-sniffed columns are checked value by value while
   * loading; when one would change a value, it is found with the others like it in one
   * aggregate pass, read as text, and the extract runs again (the plan remembers it).
   */
  protected async extractInEngine(
    engine: Engine,
    target: TableRef,
    context: ReadContext,
  ): Promise<ExtractResult> {
    const planned = this.getPlan(engine);
    let plan = await planned;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.extractPlan(engine, target, context, plan);
        const overrides = this.config.columns ?? {};
        result.inferredSchema = inferredSchemaOf(plan.schema, overrides, plan.notes);
        logInferredSchema(context.logger, this.location, result.inferredSchema);
        return result;
      } catch (error) {
        if (attempt > 0 || plan.checked.length === 0 || !isWidenError(error)) throw error;
        const widened = await this.planner.widen(engine, plan);
        if (widened.checked.length === plan.checked.length) throw error;
        this.assertCursorKept(widened);
        if (this.plan === planned) this.plan = Promise.resolve(widened);
        plan = widened;
      }
    }
  }

  /** A cursor column read as text would compare as text: the user must say what it is. */
  private assertCursorKept(plan: CsvPlan): void {
    const cursor = this.config.incremental?.cursorColumn;
    const note = cursor === undefined ? undefined : plan.notes.get(cursor);
    if (cursor === undefined || note === undefined) return;
    throw new ConnectorError(
      "SCHEMA_MISMATCH",
      `${this.location}: incremental cursor column "${cursor}" was sniffed as a number, but ${note.replace(/^text: /, "")}; declare its type in \`columns\` (varchar to compare it as text, or a number type to read it as one)`,
      { details: { location: this.location, column: cursor } },
    );
  }

  private extractPlan(
    engine: Engine,
    target: TableRef,
    context: ReadContext,
    plan: CsvPlan,
  ): Promise<ExtractResult> {
    const cursorColumn = this.config.incremental?.cursorColumn;
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
        const read = this.planner.scanSql(
          engine,
          this.planner.options(engine, plan, [
            "store_rejects = true",
            `rejects_table = ${q(rejectsTable)}`,
            `rejects_scan = ${q(rejectsScan)}`,
          ]),
          plan.files,
        );
        if (plan.checked.length === 0) return read;
        const checks = plan.checked.map((f) => checkedNumberSql(engine.dialect, f));
        return `(SELECT * REPLACE (${checks.join(", ")}) FROM ${read})`;
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
  notes: `**Types.** Columns in \`columns\` are read as declared: a value that does not fit is rejected (to
quarantine) with its file, line, column and value. Other columns are sniffed by DuckDB from the first 20,480
rows, and an inferred type never changes a value: a column sniffed as a number (bigint, double) stays a
number only if every value in the input prints back exactly as its number — no leading zeros (\`00501\`),
\`+\` sign, surrounding spaces, thousands separators, or more digits than the type holds (over 15
significant digits for a double). Otherwise the whole column is text, as pandas would read it, and nothing
is rejected. Columns sniffed as dates, timestamps or booleans keep that type, and a later value that is not
one is rejected. An incremental cursor column is never quietly read as text: the extract fails and asks for
its type. What each column became, and why, is in \`ExtractResult.inferredSchema\`, an info log line and
\`weir profile <file>\`.

**Rejections.** One per bad line, with file, line, column, expected type and value: a wrong number of
columns, a value that does not cast, an unterminated quote (each line it swallowed is reported too), text
that is not valid in the encoding. Every line is loaded, rejected, or counted as outside the interval.`,
  create: (config) => new CsvSource(config),
});
