/**
 * The quick benchmarks in sequence — `batch` at 1M rows (3 runs per side), `quality` at 1M
 * rows and, when it is there, `pg-load` — with every RATIO line repeated at the end, so
 * `npm run bench` ends with a summary that is easy to read or grep. A bench that fails is reported and the
 * others still run; the exit code is 1 when any failed.
 *
 *   node --import tsx bench/run.ts [name …]   (e.g. `npm run bench -- governance`)
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "./customers-csv.js";

interface Bench {
  name: string;
  /** Runs the bench and returns its RATIO lines. */
  run(): Promise<string[]>;
  /** Runs only when named (`npm run bench -- server`), not in a plain `npm run bench`. */
  optional?: boolean;
}

const benches: Bench[] = [
  {
    name: "batch",
    run: async () => {
      const { run } = await import("./batch.js");
      return (await run({ rows: [1_000_000], runs: 3 })).map((r) => r.line);
    },
  },
  {
    name: "quality",
    run: async () => {
      // 1M rows keeps `npm run bench` quick; `bench/quality.ts` alone runs the 10M target.
      const { run } = await import("./quality.js");
      return (await run({ rows: 1_000_000, rounds: 3 })).map((r) => r.line);
    },
  },
];

const pgLoad = path.join(REPO_ROOT, "bench/pg-load.ts");
if (existsSync(pgLoad)) {
  benches.push({
    name: "pg-load",
    run: async () => {
      // Written by another module owner; its run() prints its own RATIO line and returns the ratio.
      const mod = (await import(pgLoad)) as { run(): Promise<{ ratio: number; name?: string }> };
      const result = await mod.run();
      return [
        `RATIO ${result.name ?? "pg-load"}: weir/psql throughput = ${result.ratio.toFixed(2)} (target >= 0.70)`,
      ];
    },
  });
}

benches.push({
  name: "pg-move",
  run: async () => {
    const { run } = await import("./pg-move.js");
    const r = await run();
    return [`RATIO ${r.name}: weir/psql throughput = ${r.ratio.toFixed(2)} (target >= 0.70)`];
  },
});

benches.push({
  name: "warehouse",
  run: async () => {
    // The sizes (1M users × 7 snapshots, 10M events on DuckDB and 1M on PostgreSQL,
    // 31 days × 100k facts; 3 rounds): about 9 minutes on a 2-core machine.
    const { run } = await import("./warehouse.js");
    return (await run()).map((r) => r.line);
  },
});

benches.push({
  name: "governance",
  run: async () => {
    // 1M customers (PII scan, policy vs none, 3 runs per variant) and 1,000 statements:
    // about 16 minutes on a 2-core machine, most of it the three full PII scans (phone
    // numbers checked with libphonenumber, ~200 µs a value). Sizes from
    // WEIR_BENCH_GOVERNANCE_* (see bench/governance.ts), e.g. _ROUNDS=1.
    const { run } = await import("./governance.js");
    return (await run()).map((r) => r.line);
  },
});

benches.push({
  name: "server",
  optional: true,
  run: async () => {
    // GET /api/runs p50/p99 over 100k runs vs 1k and vs runs.list alone, /metrics scrapes of
    // 1,000 pipelines vs 10, on SQLite and PostgreSQL: about 10 minutes on a 2-core machine,
    // most of it the 1,000-pipeline scrapes. Sizes from WEIR_BENCH_SERVER_* (see bench/server.ts).
    const { run } = await import("./server.js");
    return (await run()).map((r) => r.line);
  },
});

benches.push({
  name: "distributed",
  optional: true,
  run: async () => {
    // No-op tasks/s with 1, 2 and 4 `weir worker` processes and chain pickup p50/p99, each vs
    // the local executor on the same PostgreSQL metadata store. Sizes from
    // WEIR_BENCH_DISTRIBUTED_* (see bench/distributed.ts).
    const { run, distributedBenchOptions } = await import("./distributed.js");
    const result = await run(distributedBenchOptions([]));
    return result.lines.map((l) => l.line);
  },
});

// `npm run bench -- governance quality`: only the benches named.
const named = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = named.filter((n) => !benches.some((b) => b.name === n));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(", ")}: expected ${benches.map((b) => b.name).join(", ")}`);
  process.exit(2);
}

const lines: string[] = [];
let failed = false;
for (const bench of named.length > 0
  ? benches.filter((b) => named.includes(b.name))
  : benches.filter((b) => !b.optional)) {
  console.log(`== ${bench.name}`);
  try {
    const out = await bench.run();
    for (const line of out) console.log(line);
    lines.push(...out);
  } catch (error) {
    failed = true;
    const message = error instanceof Error ? error.message : String(error);
    console.error(`bench ${bench.name} failed: ${message}`);
    lines.push(`FAILED ${bench.name}: ${message.split("\n")[0]}`);
  }
}
console.log("\n== summary");
for (const line of lines) console.log(line);
if (failed) process.exitCode = 1;
