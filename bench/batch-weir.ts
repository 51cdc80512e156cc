/**
 * The weir side of `bench/batch.ts`: the real customer pipeline (its tasks, via
 * `runPipeline`) with a CSV source, over a data interval covering all of 2024 so every
 * generated row is in scope, in a fresh weir home.
 *
 * Run (normally spawned by bench/batch.ts):
 *   node --import tsx bench/batch-weir.ts --csv F --home DIR [--memory-limit 1GB] [--threads 2]
 * Prints one JSON line: wall seconds, per-task milliseconds, row counts, peak RSS.
 */
import { rmSync } from "node:fs";
import { customersPipeline } from "../examples/customers/customers-pipeline.js";
import { CsvSource } from "../src/connectors/csv-source.js";
import { openRuntime } from "../src/orchestrator/open-runtime.js";
import { runPipeline } from "../src/orchestrator/run-pipeline.js";
import { argValue, requiredArg } from "./bench-args.js";

export interface WeirReport {
  side: "weir";
  wallSeconds: number;
  /** Milliseconds per task, from the run summary. */
  steps: Record<string, number>;
  dimRows: number;
  quarantineRows: number;
  reconciled: boolean;
  maxRssKiB: number;
}

const INTERVAL = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2025-01-01T00:00:00Z") };

async function main(argv: readonly string[]): Promise<WeirReport> {
  const csv = requiredArg(argv, "csv");
  const home = requiredArg(argv, "home");
  const memoryLimit = argValue(argv, "memory-limit");
  const threads = argValue(argv, "threads");
  rmSync(home, { recursive: true, force: true });
  const pipeline = customersPipeline({
    sourceKey: "bench.customers",
    source: () => new CsvSource({ path: csv, incremental: { cursorColumn: "updated_at" } }),
  });

  const started = performance.now();
  const runtime = await openRuntime({
    home,
    ...(memoryLimit ? { memoryLimit } : {}),
    ...(threads ? { threads: Number(threads) } : {}),
  });
  try {
    const { summary, error } = await runPipeline(pipeline, {
      logicalDate: "2024-01-01",
      interval: INTERVAL,
      ...runtime,
    });
    if (error) throw error;
    const count = async (table: string) =>
      Number((await runtime.engine.query<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
    const dimRows = await count("dim_customers");
    const quarantineRows = await count("quarantine.customers");
    await runtime.close();
    return {
      side: "weir",
      wallSeconds: (performance.now() - started) / 1000,
      steps: Object.fromEntries(summary.tasks.map((t) => [t.id, t.durationMs])),
      dimRows,
      quarantineRows,
      reconciled: summary.reconciled === true,
      maxRssKiB: process.resourceUsage().maxRSS,
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

const report = await main(process.argv.slice(2));
console.log(JSON.stringify(report));
