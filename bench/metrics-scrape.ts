/**
 * Scrape time of `/metrics` on a large history: 1,000 pipelines, 100,000 finished runs
 * (each with one task attempt and a summary with one dataset), 200 datasets with quality
 * checks and dataset events. SQLite by default; `--postgres <url>` for PostgreSQL (a
 * throw-away schema).
 *
 *   node --import tsx bench/metrics-scrape.ts [--runs 100000] [--pipelines 1000] [--postgres URL]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { MetadataStore } from "../src/metadata/metadata-store.js";
import { openMetadataStore } from "../src/metadata/open-metadata-store.js";
import { PostgresMetadataStore } from "../src/metadata/postgres-metadata-store.js";
import { sqlDatabaseOf } from "../src/metadata/sql-database-of.js";
import { createMetricsEndpoint } from "../src/monitoring/metrics-endpoint.js";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const RUNS = Number(arg("runs") ?? 100_000);
const PIPELINES = Number(arg("pipelines") ?? 1_000);
const pgUrl = arg("postgres");
const schema = `weir_bench_metrics_${process.pid}`;

const dir = mkdtempSync(join(tmpdir(), "weir-bench-metrics-"));
const store: MetadataStore = pgUrl
  ? await PostgresMetadataStore.open({ url: pgUrl, schema })
  : await openMetadataStore(join(dir, "weir.db"));
const db = sqlDatabaseOf(store)!;

const t0 = performance.now();
const base = Date.parse("2020-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
const CHUNK = 500;
for (let start = 0; start < RUNS; start += CHUNK) {
  await db.transaction(async (tx) => {
    const runValues: string[] = [];
    const runParams: (string | number)[] = [];
    const attemptValues: string[] = [];
    const attemptParams: (string | number)[] = [];
    for (let i = start; i < Math.min(RUNS, start + CHUNK); i++) {
      const pipeline = `pipeline_${i % PIPELINES}`;
      const began = base + i * 60_000;
      const ended = began + 1000 * (1 + (i % 600));
      const state = i % 10 === 0 ? "failed" : "succeeded";
      const summary = JSON.stringify({
        runId: `r${i}`,
        pipeline,
        state,
        rows: { extracted: 100, loaded: 98, quarantined: 2 },
        datasets: [
          {
            dataset: `source_${i % 200}`,
            extracted: 100,
            loaded: 98,
            quarantined: 2,
            quarantinedByCheck: {},
            into: [],
          },
        ],
        tasks: [{ id: "load", state, rows: { in: 100, out: 98 } }],
      });
      runValues.push("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      runParams.push(
        `r${i}`,
        pipeline,
        iso(began).slice(0, 10),
        iso(began),
        iso(began),
        iso(began + 86_400_000),
        state,
        iso(began),
        iso(ended),
        "{}",
        summary,
        "scheduled",
        iso(began),
        `${pipeline}|${iso(began)}`,
      );
      attemptValues.push("(?, ?, ?, ?, ?, ?, ?, ?)");
      attemptParams.push(
        `r${i}`,
        "load",
        -1,
        1,
        state === "failed" ? "failed" : "success",
        1,
        iso(began),
        iso(ended),
      );
    }
    await tx.run(
      `INSERT INTO runs (id, pipeline, logical_date, logical_time, interval_start, interval_end, state, started_at, ended_at, params, summary, run_type, queued_at, run_key) VALUES ${runValues.join(", ")}`,
      runParams,
    );
    await tx.run(
      `INSERT INTO task_attempts (run_id, task_id, map_index, attempt, state, pool_slots, started_at, ended_at) VALUES ${attemptValues.join(", ")}`,
      attemptParams,
    );
  });
}
for (let d = 0; d < 200; d++) {
  await store.quality.record({
    id: `c${d}`,
    dataset: `source_${d}`,
    suite: "s",
    checkedAt: iso(base + d * 1000),
    success: true,
    score: { checks: 0.99, rows: 1 },
    results: [],
    metrics: {},
  });
  await store.datasets.record([{ id: `e${d}`, dataset: `source_${d}`, at: iso(base + d * 1000) }]);
}
console.log(
  `seeded ${RUNS} runs of ${PIPELINES} pipelines in ${((performance.now() - t0) / 1000).toFixed(1)} s (${store.kind})`,
);

const scrape = createMetricsEndpoint(store);
const times: number[] = [];
let bytes = 0;
for (let i = 0; i < 5; i++) {
  const s = performance.now();
  const { body } = await scrape();
  times.push(performance.now() - s);
  bytes = body.length;
}
console.log(
  `first scrape (cold cache, all history): ${times[0]!.toFixed(0)} ms; ${(bytes / 1024 / 1024).toFixed(1)} MiB of text`,
);
const warm = times.slice(1).sort((a, b) => a - b);
console.log(
  `unchanged store: median ${warm[1]!.toFixed(0)} ms of ${warm.map((t) => t.toFixed(0)).join(", ")}`,
);
// Ten pipelines finish a run between scrapes: only they are re-read.
const changed: number[] = [];
for (let round = 0; round < 3; round++) {
  for (let p = 0; p < 10; p++) {
    const id = `extra_${round}_${p}`;
    const at = Date.parse("2030-01-01T00:00:00Z") + round * 1000;
    await store.runs.create(
      {
        id,
        pipeline: `pipeline_${p * 37}`,
        logicalDate: "2030-01-01",
        logicalTime: new Date(at + p).toISOString(),
        intervalStart: iso(at),
        intervalEnd: iso(at),
        state: "running",
        startedAt: iso(at),
        params: {},
      },
      [],
    );
    await store.runs.finish(id, { state: "succeeded", endedAt: iso(at + 5000) });
  }
  const s = performance.now();
  await scrape();
  changed.push(performance.now() - s);
}
console.log(`10 pipelines changed between scrapes: ${changed.map((t) => t.toFixed(0)).join(", ")} ms`);
await store.close();
if (pgUrl) {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(dir);
