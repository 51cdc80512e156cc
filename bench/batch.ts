/**
 * Batch benchmark: the customer pipeline run through weir against the same work written
 * by hand as DuckDB SQL, measured in the same run on the same generated CSV with the same
 * DuckDB settings (memory_limit, threads). Each side runs in its own child process, so
 * its wall time and peak RSS are its own; sides alternate so neither always runs on a
 * warmer page cache.
 *
 *   node --import tsx bench/batch.ts [--rows 1000000,10000000] [--runs 3]
 *        [--memory-limit 1GB] [--threads N]
 *
 * `--runs` applies to sizes up to 1M; larger sizes run once per side (they take minutes).
 * Prints per size:
 *   RATIO batch-<N>: weir/duckdb wall = X.XX (target <= 1.20), peak RSS weir = A MiB, …
 */
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BaselineReport } from "./batch-baseline.js";
import type { WeirReport } from "./batch-weir.js";
import { argValue, parseRowCounts } from "./bench-args.js";
import { BENCH_DIR, customersCsv, REPO_ROOT } from "./customers-csv.js";
import { type ChildMeasurement, measureChild } from "./measure-child.js";

export interface BatchOptions {
  rows?: number[];
  /** Runs per side for sizes up to 1M rows (median taken); larger sizes run once. */
  runs?: number;
  /** DuckDB memory_limit for both sides. */
  memoryLimit?: string;
  /** DuckDB threads for both sides. */
  threads?: number;
  /** The weir side's script; default `bench/batch-weir.ts`. Lets a variant be measured the same way. */
  weirScript?: string;
  /** Progress lines (one per child run); default stderr. */
  log?: (line: string) => void;
}

export interface BatchSizeResult {
  rows: number;
  runs: number;
  wallRatio: number;
  rssRatio: number;
  weir: SideSummary;
  duckdb: SideSummary;
  /** The RATIO line printed for this size. */
  line: string;
}

interface SideSummary {
  /** Median in-process wall seconds (open → close of the database). */
  wallSeconds: number;
  /** Median seconds from spawn to exit (Node start-up and imports included). */
  processSeconds: number;
  /** Median peak RSS in MiB. */
  peakRssMiB: number;
  /** Per-step milliseconds of the median run. */
  steps: Record<string, number>;
  dimRows: number;
  quarantineRows: number;
  all: { wallSeconds: number; peakRssMiB: number }[];
}

const DEFAULT_ROWS = [1_000_000, 10_000_000];
const DEFAULT_MEMORY_LIMIT = "1GB";
const RSS_CAP_MIB = 2048;

/**
 * Runs the batch benchmark and returns one result per size; throws when the two sides
 * disagree on the row counts of dim_customers or quarantine (then the ratio means nothing).
 */
export async function run(options: BatchOptions = {}): Promise<BatchSizeResult[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const memoryLimit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
  const threads = options.threads ?? availableParallelism();
  const weirScript = options.weirScript ?? path.join(REPO_ROOT, "bench/batch-weir.ts");
  const results: BatchSizeResult[] = [];
  for (const rows of options.rows ?? DEFAULT_ROWS) {
    const csv = customersCsv(rows);
    const runs = rows <= 1_000_000 ? (options.runs ?? 3) : 1;
    const weir: ChildMeasurement<WeirReport>[] = [];
    const duckdb: ChildMeasurement<BaselineReport>[] = [];
    const settings = ["--csv", csv, "--memory-limit", memoryLimit, "--threads", String(threads)];
    for (let i = 0; i < runs; i++) {
      // Alternate which side goes first, so page-cache and thermal effects even out.
      const order = i % 2 === 0 ? (["weir", "duckdb"] as const) : (["duckdb", "weir"] as const);
      for (const side of order) {
        const home = path.join(BENCH_DIR, "homes", `${side}-${rows}`);
        const args = [...settings, "--home", home];
        if (side === "weir") {
          const m = await measureChild<WeirReport>(weirScript, args);
          weir.push(m);
          log(`batch-${rows} run ${i + 1}/${runs} weir:   ${describe(m)}`);
        } else {
          const m = await measureChild<BaselineReport>(path.join(REPO_ROOT, "bench/batch-baseline.ts"), args);
          duckdb.push(m);
          log(`batch-${rows} run ${i + 1}/${runs} duckdb: ${describe(m)}`);
        }
      }
    }
    const w = summarize(weir);
    const d = summarize(duckdb);
    if (w.dimRows !== d.dimRows || w.quarantineRows !== d.quarantineRows) {
      throw new Error(
        `batch-${rows}: the sides disagree: dim_customers weir ${w.dimRows} vs duckdb ${d.dimRows}, ` +
          `quarantine weir ${w.quarantineRows} vs duckdb ${d.quarantineRows}`,
      );
    }
    const wallRatio = w.wallSeconds / d.wallSeconds;
    const rssRatio = w.peakRssMiB / d.peakRssMiB;
    const cap = rows >= 10_000_000 ? ` and < ${RSS_CAP_MIB} MiB at 10M` : "";
    const line =
      `RATIO batch-${rows}: weir/duckdb wall = ${wallRatio.toFixed(2)} (target <= 1.20), ` +
      `peak RSS weir = ${Math.round(w.peakRssMiB)} MiB, duckdb = ${Math.round(d.peakRssMiB)} MiB, ` +
      `ratio = ${rssRatio.toFixed(2)} (target <= 1.20${cap})`;
    log(
      `batch-${rows}: ${runs} run(s)/side, memory_limit=${memoryLimit}, threads=${threads}; ` +
        `median wall weir ${w.wallSeconds.toFixed(2)} s (process ${w.processSeconds.toFixed(2)} s), ` +
        `duckdb ${d.wallSeconds.toFixed(2)} s (process ${d.processSeconds.toFixed(2)} s); ` +
        `dim_customers ${w.dimRows}, quarantine ${w.quarantineRows} on both sides`,
    );
    log(
      `batch-${rows}: weir ms per task ${JSON.stringify(w.steps)}; duckdb ms per step ${JSON.stringify(d.steps)}`,
    );
    results.push({ rows, runs, wallRatio, rssRatio, weir: w, duckdb: d, line });
  }
  return results;
}

function describe(m: ChildMeasurement<{ wallSeconds: number }>): string {
  return `${m.report.wallSeconds.toFixed(2)} s, peak RSS ${Math.round(m.peakRssMiB)} MiB (${m.rssSource})`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summarize(runs: readonly ChildMeasurement<WeirReport | BaselineReport>[]): SideSummary {
  const byWall = [...runs].sort((a, b) => a.report.wallSeconds - b.report.wallSeconds);
  const middle = byWall[Math.floor((byWall.length - 1) / 2)]!;
  const counts = new Set(runs.map((r) => `${r.report.dimRows}/${r.report.quarantineRows}`));
  if (counts.size > 1)
    throw new Error(`one side gave different row counts across runs: ${[...counts].join(", ")}`);
  return {
    wallSeconds: median(runs.map((r) => r.report.wallSeconds)),
    processSeconds: median(runs.map((r) => r.processSeconds)),
    peakRssMiB: median(runs.map((r) => r.peakRssMiB)),
    steps: middle.report.steps,
    dimRows: middle.report.dimRows,
    quarantineRows: middle.report.quarantineRows,
    all: runs.map((r) => ({ wallSeconds: r.report.wallSeconds, peakRssMiB: r.peakRssMiB })),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const rows = argValue(argv, "rows");
  const runs = argValue(argv, "runs");
  const memoryLimit = argValue(argv, "memory-limit");
  const threads = argValue(argv, "threads");
  const results = await run({
    ...(rows ? { rows: parseRowCounts(rows) } : {}),
    ...(runs ? { runs: Number(runs) } : {}),
    ...(memoryLimit ? { memoryLimit } : {}),
    ...(threads ? { threads: Number(threads) } : {}),
  });
  for (const r of results) console.log(r.line);
}
