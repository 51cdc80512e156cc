/**
 * PII scan part of `bench/governance.ts`: the customers CSV loaded into an in-memory
 * DuckDB table, then `scanTable` over every row (`sampleRows: "all"`) and over its default
 * 10k-row sample, against the same read without classification (the columns the scan
 * reads, streamed through `engine.stream` in a read-only session, as `scanTable` reads
 * them) — so the ratio says what classifying costs on top of reading. Best of `rounds`,
 * the three interleaved after a warm-up.
 */
import type { TableRef } from "../src/core/types.js";
import { DuckDBEngine } from "../src/engines/duckdb/duckdb-engine.js";
import type { Engine } from "../src/engines/engine.js";
import { ColumnTally } from "../src/governance/pii/classify-column.js";
import { DEFAULT_PII_SAMPLE_ROWS, type PiiScanReport, scanTable } from "../src/governance/pii/scan-table.js";

export interface PiiScanBenchOptions {
  csv: string;
  /** Rows in the CSV, for the label. */
  rows: number;
  rounds: number;
  threads?: number;
  memoryLimit?: string;
  /** Also time each column's classification alone over the first {@link BREAKDOWN_ROWS} rows (one more read). */
  breakdown: boolean;
  log: (line: string) => void;
}

export interface PiiScanBenchResult {
  name: string;
  /** Full scan time / plain read time. */
  ratio: number;
  line: string;
  readMs: number;
  fullMs: number;
  sampleMs: number;
  fullRowsPerSecond: number;
  sampleRowsPerSecond: number;
  /** Milliseconds of classification per column over the breakdown's rows (with `breakdown`). */
  columnMs?: Record<string, number>;
}

/** Rows the per-column breakdown reads: enough to rank the columns, a fraction of a full scan's time. */
const BREAKDOWN_ROWS = 100_000;

const TABLE: TableRef = { name: "customers" };

async function time<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** The columns `scanTable` reads: those some detector can judge (text, integer, date types). */
async function scannedColumns(engine: Engine): Promise<string[]> {
  const schema = await engine.describe(TABLE);
  if (!schema) throw new Error("bench table customers is missing");
  return schema.fields.filter((f) => new ColumnTally(f.name, f.type).checksValues).map((f) => f.name);
}

/** The baseline: the same columns streamed to JS in a read-only session, nothing done with the values. */
async function plainRead(engine: Engine, select: string): Promise<number> {
  return engine.readOnly(async (ro) => {
    let rows = 0;
    for await (const batch of ro.stream(select)) rows += batch.numRows;
    return rows;
  });
}

/** One read with each column's tally timed on its own: where the classification time goes. */
async function perColumn(engine: Engine, select: string): Promise<Record<string, number>> {
  const schema = (await engine.describe(TABLE))!;
  return engine.readOnly(async (ro) => {
    let tallies: ColumnTally[] | undefined;
    let ms: number[] = [];
    for await (const batch of ro.stream(select)) {
      tallies ??= batch.schema.fields.map(
        (f) => new ColumnTally(f.name, schema.fields.find((s) => s.name === f.name)!.type),
      );
      if (ms.length === 0) ms = tallies.map(() => 0);
      for (let c = 0; c < tallies.length; c++) {
        const start = performance.now();
        tallies[c]!.add(batch.columns[c]!, batch.numRows);
        ms[c]! += performance.now() - start;
      }
    }
    return Object.fromEntries((tallies ?? []).map((t, c) => [t.column, Math.round(ms[c]!)]));
  });
}

function classesOf(report: PiiScanReport): string {
  return report.columns
    .filter((c) => c.classes.length > 0)
    .map((c) => `${c.column}=${c.classes.map((k) => k.class).join("+")}`)
    .join(", ");
}

export async function benchPiiScan(o: PiiScanBenchOptions): Promise<PiiScanBenchResult> {
  const engine = await DuckDBEngine.create({
    ...(o.threads ? { threads: o.threads } : {}),
    ...(o.memoryLimit ? { memoryLimit: o.memoryLimit } : {}),
  });
  try {
    const load = await time(() =>
      engine.run(
        `CREATE TABLE customers AS SELECT * FROM read_csv(${engine.dialect.quoteLiteral(o.csv)}, header = true)`,
      ),
    );
    const [{ n } = { n: 0 }] = await engine.query<{ n: unknown }>("SELECT count(*) AS n FROM customers");
    const rows = Number(n);
    const columns = await scannedColumns(engine);
    const select = `SELECT ${columns.map((c) => engine.dialect.quoteIdent(c)).join(", ")} FROM customers`;
    o.log(
      `pii-scan: ${rows.toLocaleString("en-US")} rows loaded in ${(load.ms / 1000).toFixed(1)} s; ` +
        `the scan reads ${columns.length} columns (${columns.join(", ")})`,
    );

    // Warm-up: lazy loading of the detectors, DuckDB's first stream.
    await plainRead(engine, select);
    await scanTable(engine, TABLE);
    const best = { read: Infinity, full: Infinity, sample: Infinity };
    let full: PiiScanReport | undefined;
    let sample: PiiScanReport | undefined;
    for (let i = 0; i < o.rounds; i++) {
      const read = await time(() => plainRead(engine, select));
      if (read.value !== rows) throw new Error(`plain read saw ${read.value} rows of ${rows}`);
      best.read = Math.min(best.read, read.ms);
      const f = await time(() => scanTable(engine, TABLE, { sampleRows: "all" }));
      best.full = Math.min(best.full, f.ms);
      full = f.value;
      // The sample is milliseconds: several tries per round, so one hiccup is not the number.
      for (let k = 0; k < 5; k++) {
        const s = await time(() => scanTable(engine, TABLE));
        best.sample = Math.min(best.sample, s.ms);
        sample = s.value;
      }
      o.log(
        `pii-scan round ${i + 1}/${o.rounds}: read ${read.ms.toFixed(0)} ms, full scan ${f.ms.toFixed(0)} ms, ` +
          `sample best ${best.sample.toFixed(1)} ms`,
      );
    }
    if (full!.rowsScanned !== rows) throw new Error(`full scan read ${full!.rowsScanned} rows of ${rows}`);
    const sampled = sample!.rowsScanned;
    if (sampled !== Math.min(rows, DEFAULT_PII_SAMPLE_ROWS))
      throw new Error(`sample scan read ${sampled} rows`);
    const breakdownRows = Math.min(rows, BREAKDOWN_ROWS);
    const columnMs = o.breakdown ? await perColumn(engine, `${select} LIMIT ${breakdownRows}`) : undefined;

    const fullRowsPerSecond = rows / (best.full / 1000);
    const sampleRowsPerSecond = sampled / (best.sample / 1000);
    const readRowsPerSecond = rows / (best.read / 1000);
    const ratio = best.full / best.read;
    const name = `governance-pii-scan-${label(rows)}`;
    o.log(`pii-scan: full scan finds ${classesOf(full!)}`);
    o.log(`pii-scan: 10k sample finds ${classesOf(sample!)}`);
    if (columnMs) {
      o.log(
        `pii-scan: classification ms per column over ${label(breakdownRows)} rows: ${Object.entries(columnMs)
          .map(([c, ms]) => `${c} ${ms}`)
          .join(", ")}`,
      );
    }
    const line =
      `RATIO ${name}: full scan/plain read = ${ratio.toFixed(2)} (no target; ` +
      `full ${rate(fullRowsPerSecond)} rows/s, 10k sample ${rate(sampleRowsPerSecond)} rows/s, ` +
      `plain read ${rate(readRowsPerSecond)} rows/s; full/sample time = ${(best.full / best.sample).toFixed(1)}, ` +
      `${(best.full / 1000).toFixed(2)} s vs ${best.sample.toFixed(1)} ms)`;
    return {
      name,
      ratio,
      line,
      readMs: best.read,
      fullMs: best.full,
      sampleMs: best.sample,
      fullRowsPerSecond,
      sampleRowsPerSecond,
      ...(columnMs ? { columnMs } : {}),
    };
  } finally {
    await engine.close();
  }
}

export const label = (n: number) =>
  n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}m` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n);

export const rate = (perSecond: number) =>
  perSecond >= 1e6
    ? `${(perSecond / 1e6).toFixed(2)}M`
    : perSecond >= 1e3
      ? `${(perSecond / 1e3).toFixed(1)}k`
      : perSecond.toFixed(0);
