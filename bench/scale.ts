/**
 * Scale benchmark: the same weir customer pipeline as `bench/batch.ts`, over 100M rows
 * (~12 GB of CSV under /tmp/weir-bench), reporting wall time and peak RSS against a fixed
 * target (peak RSS < 4 GiB): the point is that the run is bounded by DuckDB's memory limit
 * and spills to disk, never holding the data in Node. Not for CI: it takes many minutes
 * and needs ~12 GB for the CSV plus room for the warehouse and spill files.
 *
 *   node --import tsx bench/scale.ts [--rows 100000000] [--memory-limit 2GB] [--threads N]
 */
import { statfsSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defaultMemoryLimit } from "../src/orchestrator/open-runtime.js";
import type { WeirReport } from "./batch-weir.js";
import { argValue, parseRowCounts } from "./bench-args.js";
import { BENCH_DIR, customersCsv, REPO_ROOT } from "./customers-csv.js";
import { measureChild } from "./measure-child.js";

export interface ScaleOptions {
  rows?: number;
  memoryLimit?: string;
  threads?: number;
  log?: (line: string) => void;
}

export interface ScaleResult {
  rows: number;
  wallSeconds: number;
  peakRssMiB: number;
  steps: Record<string, number>;
  dimRows: number;
  quarantineRows: number;
  line: string;
}

const RSS_TARGET_MIB = 4096;
/** Free space wanted before starting, per row: the CSV (~120 B) plus warehouse and spill files. */
const BYTES_PER_ROW_NEEDED = 400;

export async function run(options: ScaleOptions = {}): Promise<ScaleResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const rows = options.rows ?? 100_000_000;
  // The runtime's default (a quarter of RAM, at most 2GB), not batch's 1GB: the load builds
  // dim_customers' primary-key index (an ART over 100M keys), which DuckDB keeps in its
  // buffer pool and cannot spill; at 1GB the load runs out of memory.
  const memoryLimit = options.memoryLimit ?? defaultMemoryLimit();
  const threads = options.threads ?? availableParallelism();
  const fs = statfsSync(path.dirname(BENCH_DIR));
  const freeGiB = (fs.bavail * fs.bsize) / 2 ** 30;
  const neededGiB = (rows * BYTES_PER_ROW_NEEDED) / 2 ** 30;
  if (freeGiB < neededGiB) {
    throw new Error(
      `scale-${rows}: ${freeGiB.toFixed(0)} GiB free under ${BENCH_DIR}, want ~${neededGiB.toFixed(0)} GiB`,
    );
  }
  log(`scale-${rows}: ${freeGiB.toFixed(0)} GiB free; preparing the CSV (generated once, then reused)`);
  const csv = customersCsv(rows);
  const home = path.join(BENCH_DIR, "homes", `scale-${rows}`);
  const m = await measureChild<WeirReport>(path.join(REPO_ROOT, "bench/batch-weir.ts"), [
    "--csv",
    csv,
    "--home",
    home,
    "--memory-limit",
    memoryLimit,
    "--threads",
    String(threads),
  ]);
  const r = m.report;
  log(
    `scale-${rows}: memory_limit=${memoryLimit}, threads=${threads}; ms per task ${JSON.stringify(r.steps)}`,
  );
  const line =
    `SCALE weir-${rows}: wall = ${r.wallSeconds.toFixed(1)} s (${Math.round(rows / r.wallSeconds)} rows/s), ` +
    `peak RSS = ${Math.round(m.peakRssMiB)} MiB (target < ${RSS_TARGET_MIB} MiB), ` +
    `dim_customers = ${r.dimRows}, quarantine = ${r.quarantineRows}, reconciled = ${r.reconciled}`;
  return {
    rows,
    wallSeconds: r.wallSeconds,
    peakRssMiB: m.peakRssMiB,
    steps: r.steps,
    dimRows: r.dimRows,
    quarantineRows: r.quarantineRows,
    line,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const rows = argValue(argv, "rows");
  const memoryLimit = argValue(argv, "memory-limit");
  const threads = argValue(argv, "threads");
  const result = await run({
    ...(rows ? { rows: parseRowCounts(rows)[0]! } : {}),
    ...(memoryLimit ? { memoryLimit } : {}),
    ...(threads ? { threads: Number(threads) } : {}),
  });
  console.log(result.line);
}
