/**
 * Governance benchmark, three parts, each against a baseline measured in the same run:
 *
 *   pii-scan:  `scanTable` over N datagen customers in an in-memory DuckDB table, every row
 *              (`sampleRows: "all"`) and the default 10k sample, vs a plain `engine.stream`
 *              read of the same columns (governance-pii.ts); rows/s of each;
 *   policy:    the customers pipeline landing the same N-row CSV with customers.policy.yaml
 *              vs `policy: false`, lineage off on both, child processes in fresh homes,
 *              alternating, medians (governance-policy.ts); target <= 1.3. Optionally a
 *              third variant with lineage on, reported as lineage overhead;
 *   lineage:   `statementLineage` with a catalog callback over S statements of weir's shapes
 *              vs `json_serialize_sql` alone on the same statements (governance-lineage.ts);
 *              statements/s.
 *
 *   node --import tsx bench/governance.ts [--rows 1M] [--runs 3] [--rounds 3] [--statements 1000]
 *        [--parts pii-scan,policy,lineage] [--no-lineage-variant] [--no-breakdown]
 *        [--memory-limit 1GB] [--threads N]
 *   npm run bench -- governance
 *
 * Sizes also from the environment (flags win): WEIR_BENCH_GOVERNANCE_ROWS (1M),
 * _RUNS (3 pipeline runs per variant), _ROUNDS (3, scan and lineage), _STATEMENTS (1000),
 * _PARTS (all three). The CSV is the shared datagen's (`../shared/datagen/`), or the
 * builtin generator's when that folder is missing (governance-customers.ts).
 *
 * Prints one RATIO line per part (and one for the lineage overhead).
 */
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { argValue, parseRowCounts } from "./bench-args.js";
import { governanceCustomersCsv } from "./governance-customers.js";
import { benchColumnLineage } from "./governance-lineage.js";
import { benchPiiScan, label } from "./governance-pii.js";
import { benchPolicy } from "./governance-policy.js";

export const GOVERNANCE_PARTS = ["pii-scan", "policy", "lineage"] as const;
export type GovernancePart = (typeof GOVERNANCE_PARTS)[number];

export interface GovernanceBenchOptions {
  /** Customer rows for the scan and the pipeline. Default 1M. */
  rows?: number;
  /** Pipeline runs per variant (medians). Default 3. */
  runs?: number;
  /** Rounds of the scan and lineage parts (best of). Default 3. */
  rounds?: number;
  /** Statements of the lineage part. Default 1000. */
  statements?: number;
  parts?: GovernancePart[];
  /** Run the policy + lineage-on variant too. Default true. */
  lineageVariant?: boolean;
  /** Time each column's classification alone (one more full read). Default true. */
  breakdown?: boolean;
  memoryLimit?: string;
  threads?: number;
  /** Progress and detail lines; default stderr. */
  log?: (line: string) => void;
}

export interface GovernanceBenchResult {
  name: string;
  ratio: number;
  /** The RATIO line printed. */
  line: string;
}

const env = (name: string): string | undefined => {
  const v = process.env[`WEIR_BENCH_GOVERNANCE_${name}`];
  return v === undefined || v === "" ? undefined : v;
};
const envNumber = (name: string, fallback: number) => {
  const v = env(name);
  return v === undefined ? fallback : parseRowCounts(v)[0]!;
};

function parseParts(text: string): GovernancePart[] {
  const parts = text.split(",").map((p) => p.trim());
  for (const p of parts) {
    if (!(GOVERNANCE_PARTS as readonly string[]).includes(p)) {
      throw new Error(`unknown governance part "${p}": expected ${GOVERNANCE_PARTS.join(", ")}`);
    }
  }
  return parts as GovernancePart[];
}

/** Runs the chosen parts and returns their RATIO lines (also logged as each part ends). */
export async function run(options: GovernanceBenchOptions = {}): Promise<GovernanceBenchResult[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const rows = options.rows ?? envNumber("ROWS", 1_000_000);
  const rounds = options.rounds ?? envNumber("ROUNDS", 3);
  const parts = options.parts ?? parseParts(env("PARTS") ?? GOVERNANCE_PARTS.join(","));
  const threads = options.threads ?? availableParallelism();
  const memoryLimit = options.memoryLimit ?? "1GB";
  const results: GovernanceBenchResult[] = [];
  const emit = (r: GovernanceBenchResult) => {
    // Shown as soon as the part ends (the parts take minutes); returned for the caller to print.
    log(r.line);
    results.push(r);
  };

  const csv = parts.some((p) => p !== "lineage") ? governanceCustomersCsv(rows) : undefined;
  if (csv) log(`governance: ${label(rows)} customers from ${csv.generator} (${csv.path})`);

  if (parts.includes("pii-scan")) {
    emit(
      await benchPiiScan({
        csv: csv!.path,
        rows,
        rounds,
        threads,
        memoryLimit,
        breakdown: options.breakdown ?? true,
        log,
      }),
    );
  }
  if (parts.includes("policy")) {
    const r = await benchPolicy({
      csv: csv!.path,
      rows,
      runs: options.runs ?? envNumber("RUNS", 3),
      lineage: options.lineageVariant ?? true,
      memoryLimit,
      threads,
      log,
    });
    emit(r);
    if (r.lineageLine !== undefined) {
      emit({
        name: `governance-lineage-overhead-${label(rows)}`,
        ratio: r.lineageRatio!,
        line: r.lineageLine,
      });
    }
  }
  if (parts.includes("lineage")) {
    emit(
      await benchColumnLineage({
        statements: options.statements ?? envNumber("STATEMENTS", 1000),
        rounds,
        log,
      }),
    );
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const rows = argValue(argv, "rows");
  const runs = argValue(argv, "runs");
  const rounds = argValue(argv, "rounds");
  const statements = argValue(argv, "statements");
  const parts = argValue(argv, "parts");
  const memoryLimit = argValue(argv, "memory-limit");
  const threads = argValue(argv, "threads");
  const results = await run({
    ...(rows ? { rows: parseRowCounts(rows)[0]! } : {}),
    ...(runs ? { runs: Number(runs) } : {}),
    ...(rounds ? { rounds: Number(rounds) } : {}),
    ...(statements ? { statements: parseRowCounts(statements)[0]! } : {}),
    ...(parts ? { parts: parseParts(parts) } : {}),
    ...(memoryLimit ? { memoryLimit } : {}),
    ...(threads ? { threads: Number(threads) } : {}),
    lineageVariant: !argv.includes("--no-lineage-variant"),
    breakdown: !argv.includes("--no-breakdown"),
  });
  for (const r of results) console.log(r.line);
}
