/**
 * Policy part of `bench/governance.ts`: the customers pipeline landing the same CSV with its
 * policy and without it, each run a child process (`governance-pipeline.ts`) in a fresh
 * home, the variants alternating so neither always runs on a warmer page cache; medians of
 * `runs`. Both lineage off, so the ratio is the policy's cost alone; the optional lineage
 * variant (policy + lineage on) is reported against the policy runs as lineage overhead.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { BENCH_DIR, REPO_ROOT } from "./customers-csv.js";
import { label } from "./governance-pii.js";
import { ensurePolicyKeys, type PipelineReport, type PipelineVariant } from "./governance-pipeline.js";
import { type ChildMeasurement, measureChild } from "./measure-child.js";

export interface PolicyBenchOptions {
  csv: string;
  rows: number;
  runs: number;
  /** Also run policy + lineage on, for the lineage overhead line. */
  lineage: boolean;
  memoryLimit: string;
  threads: number;
  log: (line: string) => void;
}

export interface PolicyBenchResult {
  name: string;
  /** Median wall with the policy / median wall without it. */
  ratio: number;
  line: string;
  /** Median wall with lineage on / with it off (both with the policy), when measured. */
  lineageRatio?: number;
  lineageLine?: string;
  medians: Partial<Record<PipelineVariant, Summary>>;
}

interface Summary {
  wallSeconds: number;
  peakRssMiB: number;
  /** Per-task milliseconds of the median run. */
  steps: Record<string, number>;
}

/** The policy pipeline's target: at most 30% slower than landing the rows as they are. */
const TARGET = 1.3;

export async function benchPolicy(o: PolicyBenchOptions): Promise<PolicyBenchResult> {
  // The children inherit the environment: the policy's hash key must be there.
  ensurePolicyKeys();
  const variants: PipelineVariant[] = o.lineage ? ["plain", "policy", "lineage"] : ["plain", "policy"];
  const measured: Record<PipelineVariant, ChildMeasurement<PipelineReport>[]> = {
    plain: [],
    policy: [],
    lineage: [],
  };
  const script = path.join(REPO_ROOT, "bench/governance-pipeline.ts");
  const settings = ["--csv", o.csv, "--memory-limit", o.memoryLimit, "--threads", String(o.threads)];
  const homes: string[] = [];
  try {
    for (let i = 0; i < o.runs; i++) {
      // Rotate which variant goes first, so page-cache and thermal effects even out.
      const order = variants.map((_, k) => variants[(k + i) % variants.length]!);
      for (const variant of order) {
        const home = path.join(BENCH_DIR, "homes", `governance-${variant}-${o.rows}`);
        homes.push(home);
        const m = await measureChild<PipelineReport>(script, [
          ...settings,
          "--variant",
          variant,
          "--home",
          home,
        ]);
        measured[variant].push(m);
        o.log(
          `policy-${label(o.rows)} run ${i + 1}/${o.runs} ${variant.padEnd(7)}: ` +
            `${m.report.wallSeconds.toFixed(2)} s, peak RSS ${Math.round(m.peakRssMiB)} MiB; ` +
            `ms per task ${JSON.stringify(m.report.steps)}`,
        );
      }
    }
  } finally {
    for (const home of new Set(homes)) rmSync(home, { recursive: true, force: true });
  }
  checkAgreement(measured, variants);

  const medians: Partial<Record<PipelineVariant, Summary>> = {};
  for (const v of variants) medians[v] = summarize(measured[v]);
  const plain = medians.plain!;
  const policy = medians.policy!;
  const ratio = policy.wallSeconds / plain.wallSeconds;
  const name = `governance-policy-${label(o.rows)}`;
  const load = (s: Summary) => s.steps.load ?? Number.NaN;
  const line =
    `RATIO ${name}: with/without policy wall = ${ratio.toFixed(2)} (target <= ${TARGET.toFixed(2)}; ` +
    `median of ${o.runs}: ${policy.wallSeconds.toFixed(2)} s vs ${plain.wallSeconds.toFixed(2)} s; ` +
    `load task ${load(policy)} ms vs ${load(plain)} ms; ` +
    `peak RSS ${Math.round(policy.peakRssMiB)} vs ${Math.round(plain.peakRssMiB)} MiB)`;
  const result: PolicyBenchResult = { name, ratio, line, medians };
  const lineage = medians.lineage;
  if (lineage) {
    result.lineageRatio = lineage.wallSeconds / policy.wallSeconds;
    result.lineageLine =
      `RATIO governance-lineage-overhead-${label(o.rows)}: lineage on/off wall = ${result.lineageRatio.toFixed(2)} ` +
      `(no target; policy applied on both, median of ${o.runs}: ${lineage.wallSeconds.toFixed(2)} s vs ` +
      `${policy.wallSeconds.toFixed(2)} s)`;
  }
  o.log(
    `policy-${label(o.rows)}: median ms per task ${variants
      .map((v) => `${v} ${JSON.stringify(medians[v]!.steps)}`)
      .join("; ")}`,
  );
  return result;
}

/** The variants must land the same rows, and the policy ones must not land the raw email. */
function checkAgreement(
  measured: Record<PipelineVariant, ChildMeasurement<PipelineReport>[]>,
  variants: readonly PipelineVariant[],
): void {
  const counts = new Set<string>();
  for (const v of variants) {
    for (const { report } of measured[v]) {
      counts.add(`dim_customers ${report.dimRows}, quarantine ${report.quarantineRows}`);
      if (!report.reconciled) throw new Error(`the ${v} run did not reconcile`);
      const hashed = report.dimColumns.includes("email_hash") && !report.dimColumns.includes("email");
      if (hashed !== (v !== "plain")) {
        throw new Error(`the ${v} run's dim_customers has columns ${report.dimColumns.join(", ")}`);
      }
    }
  }
  if (counts.size !== 1) throw new Error(`the variants disagree: ${[...counts].join(" / ")}`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function summarize(runs: readonly ChildMeasurement<PipelineReport>[]): Summary {
  const byWall = [...runs].sort((a, b) => a.report.wallSeconds - b.report.wallSeconds);
  return {
    wallSeconds: median(runs.map((r) => r.report.wallSeconds)),
    peakRssMiB: median(runs.map((r) => r.peakRssMiB)),
    steps: byWall[Math.floor((byWall.length - 1) / 2)]!.report.steps,
  };
}
