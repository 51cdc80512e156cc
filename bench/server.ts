/**
 * Server benchmark (issue 15), each part against a baseline measured in the same run, on
 * SQLite and on PostgreSQL (skipped, and said so, when PostgreSQL is not reachable):
 *
 *   runs:     `GET /api/runs?limit=50` through the real server (`startServer`, port 0,
 *             local mode) over a store seeded with 100k runs of 50 pipelines: first page,
 *             page 1,000 by nextCursor, the busiest pipeline's first and 20th page,
 *             ?state=failed, =succeeded and =running, 2,000 requests 8 at a time → p50/p99
 *             (and each kind alone, one call at a time)
 *             (server-runs.ts). Baselines: the same over 1k runs (keyset pages must not grow
 *             with the table; target p99 well under 100 ms) and the same `runs.list` calls
 *             on the store alone (the API's overhead);
 *   metrics:  full `GET /metrics` scrapes (one at a time, 20 → median, p99) of a store with
 *             1,000 pipelines, 100k runs and quality checks of 200 datasets, vs 10 pipelines
 *             and 1k runs (server-metrics.ts); `promtool check metrics` on one scrape.
 *
 * Stores are seeded straight into their tables by server-seed.ts (seconds for 100k runs):
 * SQLite in a temp home, PostgreSQL in a fresh schema of WEIR_TEST_POSTGRES_URL that is
 * dropped afterwards.
 *
 *   node --import tsx bench/server.ts [--runs 100k] [--baseline-runs 1k] [--requests 2000]
 *        [--concurrency 8] [--deep-page 1000] [--scrapes 20] [--metrics-pipelines 1000]
 *        [--backends sqlite,postgres] [--parts runs,metrics]
 *   npm run bench -- server
 *
 * Sizes also from the environment (flags win): WEIR_BENCH_SERVER_RUNS, _BASELINE_RUNS,
 * _REQUESTS, _CONCURRENCY, _DEEP_PAGE, _SCRAPES, _METRICS_PIPELINES, _BACKENDS, _PARTS.
 *
 * Prints RATIO lines:
 *   RATIO server-runs-<backend>:     API p99 @100k runs / @1k runs
 *   RATIO server-runs-api-<backend>: API p99 / store p99 (@100k runs)
 *   RATIO server-metrics-<backend>:  scrape median @1,000 pipelines / @10 pipelines
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createMetricsEndpoint } from "../src/monitoring/metrics-endpoint.js";
import { argValue, parseRowCounts } from "./bench-args.js";
import { type RunningServer, startBenchServer } from "./server-app.js";
import {
  emptySamples,
  type LatencyStats,
  measureCalls,
  ms,
  resets,
  statsOf,
  type TimedCall,
} from "./server-latency.js";
import { promtoolCheck, scrapeOnce } from "./server-metrics.js";
import { prepareRunsList, type RunsListTarget, summarize } from "./server-runs.js";
import type { SeedShape } from "./server-seed.js";
import { type Backend, type BenchStore, openSeededStore } from "./server-stores.js";

export const SERVER_PARTS = ["runs", "metrics"] as const;
export type ServerPart = (typeof SERVER_PARTS)[number];
const BACKENDS: readonly Backend[] = ["sqlite", "postgres"];

export interface ServerBenchOptions {
  /** Runs in the measured store (both parts). Default 100k. */
  runs?: number;
  /** Runs in the baseline store (both parts). Default 1k. */
  baselineRuns?: number;
  /** Pipelines of the runs part. Default 50. */
  pipelines?: number;
  /** Pipelines of the metrics part, measured and baseline. Default 1,000 and 10. */
  metricsPipelines?: number;
  metricsBaselinePipelines?: number;
  /** Requests per store, measured after 100 warm-up requests. Default 2,000. */
  requests?: number;
  concurrency?: number;
  /** The deep page followed by nextCursor. Default 1,000. */
  deepPage?: number;
  /** Timed scrapes per store. Default 20. */
  scrapes?: number;
  backends?: Backend[];
  parts?: ServerPart[];
  /** Progress and detail lines; default stderr. */
  log?: (line: string) => void;
}

export interface ServerBenchResult {
  name: string;
  ratio: number;
  line: string;
}

const env = (name: string): string | undefined => {
  const v = process.env[`WEIR_BENCH_SERVER_${name}`];
  return v === undefined || v === "" ? undefined : v;
};
const envNumber = (name: string, fallback: number) => {
  const v = env(name);
  return v === undefined ? fallback : parseRowCounts(v)[0]!;
};

function parseList<T extends string>(text: string, allowed: readonly T[], what: string): T[] {
  const items = text.split(",").map((p) => p.trim());
  for (const p of items) {
    if (!(allowed as readonly string[]).includes(p)) {
      throw new Error(`unknown ${what} "${p}": expected ${allowed.join(", ")}`);
    }
  }
  return items as T[];
}

const label = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));
const statsText = (s: LatencyStats) => `p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms, max ${ms(s.max)} ms`;

interface Served {
  store: BenchStore;
  server: RunningServer;
  /** Closes the server and drops the store. */
  close(): Promise<void>;
}

/** Seeds a store and serves it (with `/metrics` when asked). */
async function serveSeeded(
  backend: Backend,
  shape: SeedShape,
  postgresUrl: string,
  metrics: boolean,
  log: (line: string) => void,
): Promise<Served> {
  const store = await openSeededStore(backend, shape, postgresUrl);
  const s = store.seed;
  log(
    `  seeded ${backend}: ${s.runs} runs of ${s.pipelines.length} pipelines, ${s.taskInstances} task instances, ` +
      `${s.attempts} attempts, ${s.datasetEvents} dataset events, ${s.qualityChecks} quality checks in ${(s.ms / 1000).toFixed(1)} s`,
  );
  try {
    const server = await startBenchServer(
      store.store,
      metrics ? createMetricsEndpoint(store.store) : undefined,
    );
    return {
      store,
      server,
      close: async () => {
        await server.close();
        await store.drop();
      },
    };
  } catch (error) {
    await store.drop();
    throw error;
  }
}

/**
 * The measured store and its baseline, both seeded and served at once, so `fn` can
 * alternate between them (a noisy machine then slows both alike); always closed after.
 */
async function withBoth<T>(
  open: (which: "measured" | "baseline") => Promise<Served>,
  fn: (measured: Served, baseline: Served) => Promise<T>,
): Promise<T> {
  const measured = await open("measured");
  try {
    const baseline = await open("baseline");
    try {
      return await fn(measured, baseline);
    } finally {
      await baseline.close();
    }
  } finally {
    await measured.close();
  }
}

type Stats = ReturnType<typeof summarize>;

function logRunsDetail(
  log: (line: string) => void,
  title: string,
  target: RunsListTarget,
  r: { api: Stats; alone: Stats; health: Stats; apiSerial: Stats; aloneSerial: Stats },
): void {
  log(
    `  ${title}: API ${statsText(r.api.all)}, ${r.api.perSecond.toFixed(0)} req/s; store alone ${statsText(r.alone.all)}`,
  );
  log("    by kind: API and store 8 at a time (mixed) | API and store one at a time (each kind's own cost)");
  for (const [kind, a] of r.api.byKind) {
    log(
      `    ${kind.padEnd(17)} ${pair(a, r.alone.byKind.get(kind)!)} | ${pair(r.apiSerial.byKind.get(kind)!, r.aloneSerial.byKind.get(kind)!)}`,
    );
  }
  log(`    GET /api/health (HTTP floor) ${statsText(r.health.all)}`);
  if (resets.count > 0)
    log(`    kept-alive connections reset and requests sent again so far: ${resets.count}`);
  log(`    walk to page ${target.walk.pages} by nextCursor, 1 at a time: ${statsText(target.walk.stats)}`);
}

/** `api p50/p99, store p50/p99` in ms. */
const pair = (api: LatencyStats, store: LatencyStats) =>
  `${ms(api.p50)}/${ms(api.p99)} vs ${ms(store.p50)}/${ms(store.p99)} ms`;

/** Calls of each kind one at a time, per kind: what a kind costs without waiting behind others. */
const SERIAL_CALLS = 40;

/** Rounds the requests are split into, alternating measured and baseline. */
const ROUNDS = 4;

async function benchRunsPart(
  backend: Backend,
  o: Required<Omit<ServerBenchOptions, "backends" | "parts" | "log">>,
  postgresUrl: string,
  log: (line: string) => void,
): Promise<ServerBenchResult[]> {
  const listOptions = { deepPage: o.deepPage, pageSize: 50 };
  log(
    `server runs (${backend}): ${label(o.runs)} runs vs ${label(o.baselineRuns)} runs, ${o.pipelines} pipelines`,
  );
  return withBoth(
    (which) =>
      serveSeeded(
        backend,
        { runs: which === "measured" ? o.runs : o.baselineRuns, pipelines: o.pipelines },
        postgresUrl,
        false,
        log,
      ),
    async (measured, baseline) => {
      const targets = [measured, baseline];
      const prepared = await Promise.all(
        targets.map((t) =>
          prepareRunsList(t.store.store, t.server.url, t.store.seed.busiestPipeline, listOptions),
        ),
      );
      const api = prepared.map(() => emptySamples());
      const alone = prepared.map(() => emptySamples());
      const health = prepared.map(() => emptySamples());
      const per = { total: Math.ceil(o.requests / ROUNDS), concurrency: o.concurrency };
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, target] of prepared.entries()) {
          const warmup = round === 0 ? 100 : 0;
          await measureCalls(target.api, { ...per, warmup }, api[i]);
          await measureCalls(target.store, { ...per, warmup }, alone[i]);
          await measureCalls(target.health, { ...per, total: Math.ceil(per.total / 4), warmup }, health[i]);
        }
      }
      // SQLite answers one query at a time, so 8 concurrent calls queue behind each other
      // whatever their kind: each kind alone, one call at a time, shows which query costs what.
      const serial = async (calls: readonly TimedCall[]) => {
        const samples = emptySamples();
        for (const c of calls) await measureCalls([c], { total: SERIAL_CALLS, concurrency: 1 }, samples);
        return summarize(samples);
      };
      const detail = [];
      for (const [i, target] of prepared.entries()) {
        detail.push({
          api: summarize(api[i]!),
          alone: summarize(alone[i]!),
          health: summarize(health[i]!),
          apiSerial: await serial(target.api),
          aloneSerial: await serial(target.store),
        });
      }
      logRunsDetail(log, `${label(o.runs)} runs`, prepared[0]!, detail[0]!);
      logRunsDetail(log, `${label(o.baselineRuns)} runs`, prepared[1]!, detail[1]!);
      const { api: big, alone: bigAlone, health: bigHealth } = detail[0]!;
      const small = detail[1]!.api;

      const growth = big.all.p99 / small.all.p99;
      const overhead = big.all.p99 / bigAlone.all.p99;
      const verdict = big.all.p99 < 100 ? "met" : "MISSED";
      return [
        {
          name: `server-runs-${backend}`,
          ratio: growth,
          line:
            `RATIO server-runs-${backend}: GET /api/runs p99 @${label(o.runs)} / @${label(o.baselineRuns)} runs = ${growth.toFixed(2)} ` +
            `(${ms(big.all.p99)} ms vs ${ms(small.all.p99)} ms; p50 ${ms(big.all.p50)} vs ${ms(small.all.p50)} ms; ` +
            `slowest kind alone ${worstKind(detail[0]!.apiSerial)}; ${o.requests} requests, ${o.concurrency} at a time; target p99 < 100 ms: ${verdict})`,
        },
        {
          name: `server-runs-api-${backend}`,
          ratio: overhead,
          line:
            `RATIO server-runs-api-${backend}: GET /api/runs p99 / runs.list p99 @${label(o.runs)} = ${overhead.toFixed(2)} ` +
            `(${ms(big.all.p99)} ms vs ${ms(bigAlone.all.p99)} ms; p50 ${ms(big.all.p50)} vs ${ms(bigAlone.all.p50)} ms; ` +
            `GET /api/health p50 ${ms(bigHealth.all.p50)} ms, p99 ${ms(bigHealth.all.p99)} ms)`,
        },
      ];
    },
  );
}

function worstKind(r: Stats): string {
  let worst = "";
  let p99 = -1;
  for (const [kind, s] of r.byKind) {
    if (s.p99 > p99) {
      p99 = s.p99;
      worst = kind;
    }
  }
  return `${worst} p99 ${ms(p99)} ms`;
}

async function benchMetricsPart(
  backend: Backend,
  o: Required<Omit<ServerBenchOptions, "backends" | "parts" | "log">>,
  postgresUrl: string,
  log: (line: string) => void,
): Promise<ServerBenchResult[]> {
  log(
    `server metrics (${backend}): ${o.metricsPipelines} pipelines, ${label(o.runs)} runs vs ` +
      `${o.metricsBaselinePipelines} pipelines, ${label(o.baselineRuns)} runs`,
  );
  return withBoth(
    (which) => {
      const [runs, pipelines] =
        which === "measured" ? [o.runs, o.metricsPipelines] : [o.baselineRuns, o.metricsBaselinePipelines];
      // Quality checks of one dataset per five pipelines, 10 checks each.
      const shape = {
        runs,
        pipelines,
        qualityDatasets: Math.max(1, Math.round(pipelines / 5)),
        checksPerDataset: 10,
      };
      return serveSeeded(backend, shape, postgresUrl, true, log);
    },
    async (measured, baseline) => {
      const urls = [measured.server.url, baseline.server.url];
      const samples = urls.map(() => [] as number[]);
      const last = urls.map(() => ({ bytes: 0, samples: 0 }));
      for (const url of urls) await scrapeOnce(url); // untimed: first-query planning, caches
      // Alternating scrapes, one at a time (Prometheus scrapes a target serially).
      for (let i = 0; i < o.scrapes; i++) {
        for (const [j, url] of urls.entries()) {
          const s = await scrapeOnce(url);
          samples[j]!.push(s.ms);
          last[j] = s;
        }
      }
      const promtool = promtoolCheck((await scrapeOnce(urls[0]!)).body);
      const [big, small] = samples.map(statsOf) as [LatencyStats, LatencyStats];
      const sizes = last.map((l) => `${l.samples} samples, ${(l.bytes / 1024).toFixed(0)} KiB`);
      log(`  ${o.metricsPipelines} pipelines: ${statsText(big)}; ${sizes[0]}`);
      log(`  ${o.metricsBaselinePipelines} pipelines: ${statsText(small)}; ${sizes[1]}`);
      log(`  promtool check metrics: ${promtool.status}${promtool.output ? `\n${promtool.output}` : ""}`);
      const ratio = big.p50 / small.p50;
      return [
        {
          name: `server-metrics-${backend}`,
          ratio,
          line:
            `RATIO server-metrics-${backend}: /metrics scrape median @${o.metricsPipelines} pipelines,${label(o.runs)} runs / ` +
            `@${o.metricsBaselinePipelines} pipelines,${label(o.baselineRuns)} runs = ${ratio.toFixed(2)} ` +
            `(median ${ms(big.p50)} ms vs ${ms(small.p50)} ms; p99 ${ms(big.p99)} vs ${ms(small.p99)} ms; ` +
            `${sizes[0]}; promtool check metrics: ${promtool.status})`,
        },
      ];
    },
  );
}

/** Runs the chosen parts on the chosen backends and returns their RATIO lines (also logged as each ends). */
export async function run(options: ServerBenchOptions = {}): Promise<ServerBenchResult[]> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const o = {
    runs: options.runs ?? envNumber("RUNS", 100_000),
    baselineRuns: options.baselineRuns ?? envNumber("BASELINE_RUNS", 1000),
    pipelines: options.pipelines ?? 50,
    metricsPipelines: options.metricsPipelines ?? envNumber("METRICS_PIPELINES", 1000),
    metricsBaselinePipelines: options.metricsBaselinePipelines ?? 10,
    requests: options.requests ?? envNumber("REQUESTS", 2000),
    concurrency: options.concurrency ?? envNumber("CONCURRENCY", 8),
    deepPage: options.deepPage ?? envNumber("DEEP_PAGE", 1000),
    scrapes: options.scrapes ?? envNumber("SCRAPES", 20),
  };
  const backends = options.backends ?? parseList(env("BACKENDS") ?? BACKENDS.join(","), BACKENDS, "backend");
  const parts = options.parts ?? parseList(env("PARTS") ?? SERVER_PARTS.join(","), SERVER_PARTS, "part");
  // Imported lazily: its module checks the test servers when it loads.
  const { POSTGRES_URL, postgresAvailable } = await import("../test/support/servers.js");
  const results: ServerBenchResult[] = [];
  const emit = (rs: ServerBenchResult[]) => {
    for (const r of rs) {
      log(r.line);
      results.push(r);
    }
  };
  for (const backend of backends) {
    if (backend === "postgres" && !postgresAvailable) {
      const line = `SKIPPED server-*-postgres: PostgreSQL is not reachable at ${new URL(POSTGRES_URL).host} (WEIR_TEST_POSTGRES_URL)`;
      emit([{ name: "server-postgres", ratio: Number.NaN, line }]);
      continue;
    }
    if (parts.includes("runs")) emit(await benchRunsPart(backend, o, POSTGRES_URL, log));
    if (parts.includes("metrics")) emit(await benchMetricsPart(backend, o, POSTGRES_URL, log));
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const count = (name: string) => {
    const v = argValue(argv, name);
    return v === undefined ? undefined : parseRowCounts(v)[0]!;
  };
  const runs = count("runs");
  const baselineRuns = count("baseline-runs");
  const requests = count("requests");
  const concurrency = count("concurrency");
  const deepPage = count("deep-page");
  const scrapes = count("scrapes");
  const metricsPipelines = count("metrics-pipelines");
  const backends = argValue(argv, "backends");
  const parts = argValue(argv, "parts");
  const results = await run({
    ...(runs ? { runs } : {}),
    ...(baselineRuns ? { baselineRuns } : {}),
    ...(requests ? { requests } : {}),
    ...(concurrency ? { concurrency } : {}),
    ...(deepPage ? { deepPage } : {}),
    ...(scrapes ? { scrapes } : {}),
    ...(metricsPipelines ? { metricsPipelines } : {}),
    ...(backends ? { backends: parseList(backends, BACKENDS, "backend") } : {}),
    ...(parts ? { parts: parseList(parts, SERVER_PARTS, "part") } : {}),
  });
  for (const r of results) console.log(r.line);
}
