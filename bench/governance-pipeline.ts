/**
 * One side of the policy part of `bench/governance.ts`: the customers pipeline
 * (`examples/customers/customers-pipeline.ts`) over a CSV source with the incremental
 * cursor on `updated_at`, in a fresh weir home, as `bench/batch-weir.ts` runs it, in one of
 * three variants:
 *
 *   plain:    `policy: false` (rows land as they are), lineage off;
 *   policy:   `customers.policy.yaml` applied (HMAC hash + email mask + phone mask, then the
 *             PII guard scan of dim_customers), lineage off;
 *   lineage:  as `policy`, with lineage on (the default file transport + metadata store).
 *
 *   node --import tsx bench/governance-pipeline.ts --variant plain|policy|lineage --csv F --home DIR
 *        [--memory-limit 1GB] [--threads N]
 *
 * Prints one JSON line: wall seconds, per-task milliseconds, row counts, peak RSS.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { customersPipeline } from "../examples/customers/customers-pipeline.js";
import { CsvSource } from "../src/connectors/csv-source.js";
import { openRuntime } from "../src/orchestrator/open-runtime.js";
import { runPipeline } from "../src/orchestrator/run-pipeline.js";
import { argValue, requiredArg } from "./bench-args.js";

export const PIPELINE_VARIANTS = ["plain", "policy", "lineage"] as const;
export type PipelineVariant = (typeof PIPELINE_VARIANTS)[number];

export interface PipelineReport {
  variant: PipelineVariant;
  wallSeconds: number;
  /** Milliseconds per task, from the run summary. */
  steps: Record<string, number>;
  dimRows: number;
  quarantineRows: number;
  /** dim_customers' columns: the policy variants have email_hash/email_masked instead of email. */
  dimColumns: string[];
  reconciled: boolean;
  maxRssKiB: number;
}

const INTERVAL = { start: new Date("2024-01-01T00:00:00Z"), end: new Date("2025-01-01T00:00:00Z") };

/** Bench-only keys (at least 16 characters), set when the environment holds none. */
export function ensurePolicyKeys(env: NodeJS.ProcessEnv = process.env): void {
  env.WEIR_PII_HASH_KEY ||= "weir-bench-governance-hash-key-0123456789";
  env.WEIR_TOKEN_KEY ||= "weir-bench-governance-token-key-0123456789";
}

async function main(argv: readonly string[]): Promise<PipelineReport> {
  const variant = requiredArg(argv, "variant") as PipelineVariant;
  if (!PIPELINE_VARIANTS.includes(variant)) throw new Error(`--variant must be one of ${PIPELINE_VARIANTS}`);
  const csv = requiredArg(argv, "csv");
  const home = requiredArg(argv, "home");
  const memoryLimit = argValue(argv, "memory-limit");
  const threads = argValue(argv, "threads");
  ensurePolicyKeys();
  rmSync(home, { recursive: true, force: true });
  const pipeline = customersPipeline({
    sourceKey: "bench.customers",
    source: () => new CsvSource({ path: csv, incremental: { cursorColumn: "updated_at" } }),
    ...(variant === "plain" ? { policy: false as const } : {}),
  });

  const started = performance.now();
  const runtime = await openRuntime({
    home,
    ...(variant === "lineage" ? {} : { lineage: false as const }),
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
    const dimColumns = (await runtime.engine.describe({ name: "dim_customers" }))!.fields.map((f) => f.name);
    await runtime.close();
    // Lineage events are flushed by close(): counted in the lineage variant's wall time.
    return {
      variant,
      wallSeconds: (performance.now() - started) / 1000,
      steps: Object.fromEntries(summary.tasks.map((t) => [t.id, t.durationMs])),
      dimRows,
      quarantineRows,
      dimColumns,
      reconciled: summary.reconciled === true,
      maxRssKiB: process.resourceUsage().maxRSS,
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

// Run as a script only: `bench/governance.ts` imports the variants and `ensurePolicyKeys` from here.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await main(process.argv.slice(2));
  console.log(JSON.stringify(report));
}
