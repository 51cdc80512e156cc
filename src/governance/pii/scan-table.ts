import { ConfigError } from "../../core/errors.js";
import type { WeirType } from "../../core/types.js";
import type { Engine } from "../../engines/engine.js";
import { type CheckTarget, fromSql, targetLabel, targetSchema } from "../../quality/suite-target.js";
import { ColumnTally, DEFAULT_PII_THRESHOLD, type PiiClassFinding } from "./classify-column.js";

/** Rows a scan reads unless told otherwise: enough for shares to settle, cheap on any table. */
export const DEFAULT_PII_SAMPLE_ROWS = 10_000;

export interface PiiScanOptions {
  /** The first n rows (`LIMIT n`: the same rows each time on an unchanged table), or "all". Default 10,000. */
  sampleRows?: number | "all";
  /** Classes below this confidence are left out. Default 0.5. */
  threshold?: number;
}

export interface PiiColumnReport {
  column: string;
  type: WeirType;
  /** Non-null, non-blank values checked; 0 for types no detector reads (booleans, doubles, blobs). */
  valuesChecked: number;
  classes: PiiClassFinding[];
}

export interface PiiScanReport {
  target: string;
  rowsScanned: number;
  sampleRows: number | "all";
  columns: PiiColumnReport[];
}

/**
 * Classifies every column of a table or query by sampling its values and reading its name
 * (see `ColumnTally`). Reads in a read-only session, through the engine's columnar stream,
 * only the columns a detector can read (text, integer and date types, dates and timestamps
 * as their date: `readAs`); one batch at a time.
 *
 * @example
 * const report = await scanTable(engine, { name: "customers" });
 * report.columns.find((c) => c.column === "email")?.classes[0]; // { class: "email", confidence: 1, … }
 */
export async function scanTable(
  engine: Engine,
  target: CheckTarget,
  options: PiiScanOptions = {},
): Promise<PiiScanReport> {
  const sampleRows = options.sampleRows ?? DEFAULT_PII_SAMPLE_ROWS;
  if (sampleRows !== "all" && !(Number.isInteger(sampleRows) && sampleRows > 0)) {
    throw new ConfigError(`sampleRows must be a positive integer or "all", not ${String(sampleRows)}`);
  }
  return engine.readOnly((ro) => scanReadOnly(ro, target, sampleRows, options.threshold));
}

/**
 * How a column is read: dates and timestamps as their date's text, cast by the engine
 * (`2024-10-23`), since the date is all a detector reads of them (birth dates) — the
 * engine renders it in C++, and text of up to 12 bytes crosses DuckDB's Node client
 * without a native call per value, where a timestamp's 19 do not. Text and numbers are
 * read as they are: they already arrive as strings and numbers, and a cast to text would
 * cost more than it saves (a BIGINT crosses as 8 bytes, its text as a string).
 */
function readAs(engine: Engine, tally: ColumnTally): string {
  const column = engine.dialect.quoteIdent(tally.column);
  if (tally.kind !== "date") return column;
  const date = tally.type === "date" ? column : `CAST(${column} AS DATE)`;
  return `CAST(${date} AS VARCHAR) AS ${column}`;
}

async function scanReadOnly(
  engine: Engine,
  target: CheckTarget,
  sampleRows: number | "all",
  threshold = DEFAULT_PII_THRESHOLD,
): Promise<PiiScanReport> {
  const schema = await targetSchema(engine, target);
  const tallies = schema.fields.map((f) => new ColumnTally(f.name, f.type));
  const read = tallies.filter((t) => t.checksValues);
  const from = fromSql(engine, target);
  const limit = sampleRows === "all" ? "" : `\nLIMIT ${sampleRows}`;
  let rowsScanned = 0;
  if (read.length === 0) {
    const [row] = await engine.query<{ n: unknown }>(
      `SELECT count(*) AS n FROM (SELECT 1 AS x FROM ${from}${limit}) AS weir_rows`,
    );
    rowsScanned = Number(row?.n ?? 0);
  } else {
    const columns = read.map((t) => readAs(engine, t)).join(", ");
    for await (const batch of engine.stream(`SELECT ${columns} FROM ${from}${limit}`)) {
      rowsScanned += batch.numRows;
      for (let c = 0; c < read.length; c++) read[c]!.add(batch.columns[c]!, batch.numRows);
    }
  }
  return {
    target: targetLabel(target),
    rowsScanned,
    sampleRows,
    columns: tallies.map((t) => ({
      column: t.column,
      type: t.type,
      valuesChecked: t.values,
      classes: t.findings(threshold),
    })),
  };
}
