import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBEngine } from "../../src/engines/duckdb/duckdb-engine.js";
import { Lake } from "../../src/lake/lake.js";
import { LineageStore } from "../../src/lineage/store/lineage-store.js";
import { insertRun } from "../../src/metadata/run-row.js";
import { sqlDatabaseOf } from "../../src/metadata/sql-database-of.js";
import { SqliteMetadataStore } from "../../src/metadata/sqlite-metadata-store.js";
import {
  definePipeline,
  defineTask,
  type PipelineDefinition,
} from "../../src/orchestrator/define-pipeline.js";
import { executeRun } from "../../src/orchestrator/executor/execute-run.js";
import type { PipelineEntry } from "../../src/orchestrator/pipeline-registry.js";
import { Scheduler } from "../../src/orchestrator/scheduler/scheduler.js";
import { RunEventHub } from "../../src/server/events/run-event-hub.js";
import { type RunningServer, startServer } from "../../src/server/start-server.js";
import { emptyCounts } from "../../src/streaming/contracts.js";
import { chainEvents } from "./lineage-chain.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const UI_DIST = join(ROOT, "ui", "dist");
export const ARTIFACTS = join(ROOT, "test-artifacts", "ui");

/** The task the UI triggers: slow enough (per task) that "running" is seen between queued and succeeded. */
const STEP_MS = 900;

/**
 * A three-task manual pipeline: extract → transform → load, each logging; params make it
 * fast or fail a task once. Manual, so a trigger's logical date (yesterday) is free.
 */
export function demoPipeline(): PipelineDefinition {
  const step = (id: string, upstream: string[]) =>
    defineTask({
      id,
      dependsOn: upstream,
      retries: 1,
      retryDelay: 0,
      run: async (ctx) => {
        ctx.logger.info(`${id} started for ${ctx.logicalDate.toISOString().slice(0, 10)}`);
        if (ctx.params.failFirst === id && ctx.attempt === 1) throw new Error(`${id} failed on purpose`);
        await new Promise((done) => setTimeout(done, Number(ctx.params.stepMs ?? STEP_MS)));
        ctx.logger.info(`${id} done`, { rows: 42 });
        ctx.recordRows({ in: 42, out: 42 });
      },
    });
  return definePipeline({
    id: "ui_demo",
    description: "The UI test pipeline: extract, transform, load.",
    tasks: [step("extract", []), step("transform", ["extract"]), step("load", ["transform"])],
  });
}

/** A scheduled pipeline the test pauses at once: the list shows its schedule and pause. */
function nightlyPipeline(): PipelineDefinition {
  return definePipeline({
    id: "ui_nightly",
    schedule: "0 3 * * *",
    timezone: "Europe/Berlin",
    startDate: "2024-01-01",
    catchup: false,
    tasks: [defineTask({ id: "refresh", run: async () => {} })],
  });
}

export interface UiServer {
  url: string;
  store: SqliteMetadataStore;
  /** The id of the seeded run with a failed-then-retried attempt. */
  seededRunId: string;
  close(): Promise<void>;
}

/**
 * A real `weir serve` in this process: SQLite metadata in a temp home, seeded with a run
 * (attempts and logs), 10k finished runs of a second pipeline, lineage, quality checks and
 * a stream job; the embedded scheduler executes what the UI triggers.
 */
export async function startUiServer(options: { bulkRuns?: number } = {}): Promise<UiServer> {
  const home = mkdtempSync(join(tmpdir(), "weir-ui-"));
  const engine = await DuckDBEngine.create();
  const lake = await Lake.open({ root: join(home, "lake"), engine });
  const store = await SqliteMetadataStore.open({ path: join(home, "weir.db") });
  const pipeline = demoPipeline();
  const nightly = nightlyPipeline();
  const pipelines: PipelineEntry[] = [
    { id: pipeline.id, file: join(home, "ui_demo.pipeline.ts"), pipeline },
    { id: nightly.id, file: join(home, "ui_nightly.pipeline.ts"), pipeline: nightly },
  ];

  const hub = new RunEventHub();
  const scheduler = new Scheduler({
    pipelines,
    store,
    runtime: { engine, lake },
    tickMs: 150,
    listeners: [hub.listener],
  });
  await scheduler.register();
  await store.pipelines.setPaused(nightly.id, true, new Date().toISOString());

  const seeded = await executeRun({
    pipeline,
    store,
    runtime: { engine, lake },
    logicalDate: new Date("2024-02-01T00:00:00Z"),
    params: { stepMs: "20", failFirst: "transform" },
    heartbeatMs: 3_600_000,
  });
  await seedBulkRuns(store, options.bulkRuns ?? 10_000);
  for (const event of chainEvents()) await LineageStore.of(store).record(event);
  await seedQuality(store);
  await seedStream(store);

  const stop = new AbortController();
  const schedulerDone = scheduler.run(stop.signal);
  const server: RunningServer = await startServer({
    store,
    pipelines,
    port: 0,
    uiDir: UI_DIST,
    runEvents: hub,
    pollMs: 200,
    version: "test",
  });
  return {
    url: server.url,
    store,
    seededRunId: seeded.runId,
    close: async () => {
      await server.close();
      stop.abort();
      await schedulerDone;
      await store.close();
      await engine.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Finished runs of a pipeline the scheduler does not own, in one transaction (a store with history). */
async function seedBulkRuns(store: SqliteMetadataStore, count: number): Promise<void> {
  const db = sqlDatabaseOf(store);
  if (!db) throw new Error("the SQLite store has a database");
  const day = 86_400_000;
  const base = Date.parse("1995-01-01T00:00:00Z");
  await db.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      const start = new Date(base + i * day);
      const end = new Date(base + (i + 1) * day);
      await insertRun(
        tx,
        {
          id: `bulk-${String(i).padStart(6, "0")}`,
          pipeline: "history",
          logicalDate: start.toISOString().slice(0, 10),
          logicalTime: start.toISOString(),
          intervalStart: start.toISOString(),
          intervalEnd: end.toISOString(),
          state: i % 17 === 0 ? "failed" : "succeeded",
          runType: "scheduled",
          queuedAt: end.toISOString(),
          startedAt: end.toISOString(),
          endedAt: new Date(end.getTime() + 60_000 + (i % 50) * 1000).toISOString(),
          params: {},
        },
        false,
      );
    }
  });
}

async function seedQuality(store: SqliteMetadataStore): Promise<void> {
  const scores = [1, 0.95, 0.9, 1, 0.8];
  for (const [index, score] of scores.entries()) {
    const success = score === 1;
    await store.quality.record({
      id: `check-${index}`,
      dataset: "fct_sales",
      suite: "fct_sales",
      checkedAt: new Date(Date.parse("2024-03-01T00:00:00Z") + index * 86_400_000).toISOString(),
      success,
      rowCount: 1000,
      score: { checks: score, rows: score },
      columns: [
        { name: "country", type: "VARCHAR" },
        { name: "total", type: "DECIMAL(18,2)" },
        { name: "n_orders", type: "BIGINT" },
      ],
      results: [
        {
          name: "country_not_null",
          type: "expect_column_values_to_not_be_null",
          severity: "error",
          success: true,
        },
        {
          name: "total_positive",
          type: "expect_column_values_to_be_between",
          severity: "warning",
          success,
          elementCount: 1000,
          unexpectedCount: success ? 0 : Math.round((1 - score) * 1000),
          unexpectedPercent: success ? 0 : (1 - score) * 100,
        },
      ],
      metrics: { row_count: 1000 + index },
    });
  }
}

async function seedStream(store: SqliteMetadataStore): Promise<void> {
  const now = Date.now();
  for (const partition of ["0", "1"]) {
    await store.streams.acquire("clicks", partition, "seed", 60_000);
    await store.streams.commit("clicks", partition, "seed", {
      epoch: 3,
      position: partition === "0" ? 1200 : 900,
      watermark: now - 5000,
      maxEventTime: now - 2000,
      state: "",
      counts: { ...emptyCounts(), in: 1200, parsed: 1200, kept: 1190, late: 4, deadLettered: 1 },
      stateBytes: 0,
      openWindows: 0,
      committedAt: new Date(now - 1000).toISOString(),
    });
  }
}

/** True when `ui/dist` is older than a file under `ui/` (or missing). */
export function uiBuildOutdated(): boolean {
  const index = join(UI_DIST, "index.html");
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.name !== "dist" && entry.name !== "node_modules")
        .map((entry) =>
          entry.isDirectory() ? newest(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs,
        ),
    );
  return newest(join(ROOT, "ui")) > built;
}

/** Builds the UI with Vite (programmatically) when `ui/dist` is missing or older than its sources. */
export async function ensureUiBuilt(): Promise<void> {
  if (!uiBuildOutdated()) return;
  const { build } = await import("vite");
  await build({ configFile: join(ROOT, "ui", "vite.config.ts"), logLevel: "warn" });
}

export function ensureArtifactsDir(): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}
