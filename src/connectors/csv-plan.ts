import type { z } from "zod";
import type { Field, Schema, WeirType } from "../core/types.js";
import type { Engine } from "../engines/engine.js";
import type { csvSourceConfig } from "./csv-source.js";
import { emptyCsvSchema } from "./empty-csv-schema.js";
import { isCheckedNumberType, unfaithfulColumns } from "./faithful-numbers.js";
import { describeRelation } from "./file-extract.js";
import { type PeekedFile, peekFiles } from "./peek-files.js";

/** How the files are scanned: DuckDB's sniffer, or (when it cannot cope) explicit columns. */
export interface CsvPlan {
  schema: Schema;
  /** read_csv options besides the path, `types` and the rejects tables. */
  options: string[];
  /** DuckDB types of the columns whose type is not sniffed (`types = {…}`): declared, or widened to text. */
  readTypes: Record<string, string>;
  /** Undeclared columns sniffed as numbers: read as text, cast back only when no value would change. */
  checked: Field[];
  /** Undeclared columns read as text though sniffed as something else, and why. */
  notes: Map<string, string>;
  /** The files to read when some named by the glob must be left out (blank ones); else the path. */
  files?: string[] | undefined;
  /** No file has a data row: the scan is an empty relation of `schema`, no file is read. */
  empty?: boolean;
}

/**
 * How `CsvSource` scans its files: DuckDB's sniffer with the declared types on top, or
 * (when the sniffer gives up) the header line with declared types or text; numeric-sniffed
 * columns are read as text and checked (`faithful-numbers.ts`), and `widen` turns those
 * that hold a value that would change into text.
 */
export class CsvPlanner {
  constructor(
    private readonly config: z.output<typeof csvSourceConfig>,
    private readonly location: string,
  ) {}

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

  /** `types = {…}` / `columns = {…}` from DuckDB type names. */
  private typesOption(engine: Engine, types: Record<string, string>, key: "types" | "columns"): string {
    const q = (v: string) => engine.dialect.quoteLiteral(v);
    const entries = Object.entries(types).map(([name, type]) => `${q(name)}: ${q(type)}`);
    return `${key} = {${entries.join(", ")}}`;
  }

  private sqlTypes(engine: Engine, types: Record<string, WeirType>): Record<string, string> {
    return Object.fromEntries(Object.entries(types).map(([n, t]) => [n, engine.dialect.typeName(t)]));
  }

  /** The read_csv options of a plan: checked columns are read as text. */
  options(engine: Engine, plan: CsvPlan, extra: readonly string[] = []): string[] {
    const types = { ...plan.readTypes, ...Object.fromEntries(plan.checked.map((f) => [f.name, "VARCHAR"])) };
    const typed = Object.keys(types).length > 0 ? [this.typesOption(engine, types, "types")] : [];
    return [...plan.options, ...typed, ...extra];
  }

  scanSql(engine: Engine, options: readonly string[], files?: readonly string[]): string {
    const q = (v: string) => engine.dialect.quoteLiteral(v);
    const from = files ? `[${files.map(q).join(", ")}]` : q(this.config.path);
    return `read_csv(${from}, ${options.join(", ")})`;
  }

  /** Sniffs the files; falls back to the header line + declared types when the sniffer fails. */
  async make(engine: Engine): Promise<CsvPlan> {
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
      return { schema, options: [], readTypes: {}, checked: [], notes: new Map(), empty: true };
    }
    // A blank file in a glob is sniffed (or read) as one column `column0` and fails the glob; it holds no rows.
    const files = peeked.some((f) => f.blank) ? peeked.filter((f) => !f.blank).map((f) => f.path) : undefined;
    const sniffed = [...this.baseOptions(engine)];
    const readTypes = this.sqlTypes(engine, overrides);
    const typed = Object.keys(overrides).length > 0 ? [this.typesOption(engine, readTypes, "types")] : [];
    try {
      const probe = this.scanSql(engine, [...sniffed, ...typed, "ignore_errors = true"], files);
      const schema = await describeRelation(engine, probe, overrides, this.location);
      const checked = schema.fields.filter(
        (f) => !Object.hasOwn(overrides, f.name) && isCheckedNumberType(f.type),
      );
      return { schema, options: sniffed, readTypes, checked, notes: new Map(), files };
    } catch (error) {
      // The sniffer gives up on some broken files (an unterminated quote runs to the end);
      // the header line still names the columns, and the declared types (or text) type them.
      const names = await this.headerNames(engine);
      if (!names) throw error;
      const types = Object.fromEntries(names.map((n) => [n, overrides[n] ?? ("varchar" as WeirType)]));
      const options = [
        ...this.baseOptions(engine),
        "auto_detect = false",
        this.typesOption(engine, this.sqlTypes(engine, types), "columns"),
      ];
      const why = "text: DuckDB's sniffer could not read the file, so undeclared columns are text";
      const notes = new Map(names.filter((n) => !Object.hasOwn(overrides, n)).map((n) => [n, why]));
      const schema = { fields: names.map((n) => ({ name: n, type: types[n]! })) };
      return { schema, options, readTypes: {}, checked: [], notes, files };
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

  /** The plan with every checked column that holds a value that would change read as text. */
  async widen(engine: Engine, plan: CsvPlan): Promise<CsvPlan> {
    const scan = this.scanSql(engine, this.options(engine, plan, ["ignore_errors = true"]), plan.files);
    const notes = await unfaithfulColumns(engine, scan, plan.checked);
    const text = Object.fromEntries([...notes.keys()].map((n) => [n, "VARCHAR"]));
    return {
      ...plan,
      schema: { fields: plan.schema.fields.map((f) => (notes.has(f.name) ? { ...f, type: "varchar" } : f)) },
      readTypes: { ...plan.readTypes, ...text },
      checked: plan.checked.filter((f) => !notes.has(f.name)),
      notes: new Map([...plan.notes, ...notes]),
    };
  }
}
