import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainEvents, FACT } from "../../test/support/lineage-chain.js";
import { FakeClock } from "../core/clock.js";
import { weirPaths } from "../core/paths.js";
import { AuditLog } from "../governance/audit/audit-log.js";
import { LineageStore } from "../lineage/store/lineage-store.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import { openMetadataStore } from "../metadata/open-metadata-store.js";
import { sqlDatabaseOf } from "../metadata/sql-database-of.js";
import { createMetricsEndpoint } from "../monitoring/metrics-endpoint.js";
import { emptyCounts } from "../streaming/contracts.js";
import { createServerApp } from "./create-server-app.js";
import { UI_NOT_BUILT } from "./routes/static-ui.js";
import { entriesOf, ordersPipeline, seedFinishedRun } from "./testing/seed-server-store.js";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are read loosely in assertions; a wrong shape fails them.
type Loose = any;

let dir: string;
let store: MetadataStore;
let app: ReturnType<typeof createServerApp>;
const clock = new FakeClock("2024-01-20T12:00:00Z");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-server-"));
  store = await openMetadataStore(join(dir, "weir.db"));
  await seedFinishedRun(store, { id: "run_ok", day: 10 });
  await seedFinishedRun(store, { id: "run_failed", day: 11, failed: true });
  await store.pipelines.upsert({
    id: "orders",
    schedule: "@daily",
    timezone: "UTC",
    tags: ["sales"],
    updatedAt: clock.now().toISOString(),
  });
  await store.quality.record({
    id: "chk_1",
    dataset: "dim_customers",
    suite: "customers",
    checkedAt: "2024-01-19T00:00:00.000Z",
    success: false,
    score: { checks: 0.5, rows: 0.9 },
    columns: [{ name: "id", type: "BIGINT" }],
    results: [
      {
        name: "not_null(id)",
        type: "expect_column_values_to_not_be_null",
        severity: "error",
        success: false,
      },
    ],
    metrics: { row_count: 100 },
  });
  await store.quality.record({
    id: "chk_2",
    dataset: "dim_customers",
    suite: "customers",
    checkedAt: "2024-01-20T00:00:00.000Z",
    success: true,
    score: { checks: 1, rows: 1 },
    results: [],
    metrics: { row_count: 120 },
  });
  const lineage = new LineageStore(sqlDatabaseOf(store)!);
  for (const event of chainEvents()) await lineage.record(event);
  const counts = { ...emptyCounts(), late: 3, deadLettered: 2 };
  await store.streams.acquire("clicks", "0", "owner-a", 60_000);
  await store.streams.commit("clicks", "0", "owner-a", {
    epoch: 1,
    position: 42,
    watermark: Date.parse("2024-01-20T11:59:00Z"),
    maxEventTime: Date.parse("2024-01-20T11:59:30Z"),
    state: "{}",
    counts,
    stateBytes: 2,
    openWindows: 0,
    committedAt: "2024-01-20T11:59:31.000Z",
  });
  await store.streams.release("clicks", "0", "owner-a");
  // A lake dataset: its manifest is all the server reads.
  const lakeDir = join(dir, "lake", "raw", "customers");
  mkdirSync(lakeDir, { recursive: true });
  writeFileSync(
    join(lakeDir, "_manifest.json"),
    JSON.stringify({
      formatVersion: 1,
      dataset: "lake.raw.customers",
      version: 1,
      updatedAt: "2024-01-19T10:00:00.000Z",
      schema: [
        { name: "id", type: "BIGINT" },
        { name: "country", type: "VARCHAR" },
      ],
      partitionBy: ["country"],
      partitionColumns: ["country"],
      files: [
        { path: "country=DE/a.parquet", partition: { country: "DE" }, rows: 5, bytes: 500, commitId: "c1" },
        { path: "country=DE/b.parquet", partition: { country: "DE" }, rows: 2, bytes: 200, commitId: "c1" },
        { path: "country=FR/a.parquet", partition: { country: "FR" }, rows: 3, bytes: 300, commitId: "c1" },
      ],
      commits: [],
    }),
  );
  app = createServerApp({
    store,
    pipelines: entriesOf(ordersPipeline()),
    paths: weirPaths(dir),
    clock,
    version: "9.9.9",
    uiDir: join(dir, "no-ui"),
  });
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(path: string): Promise<{ status: number; body: Loose }> {
  const res = await app.request(path);
  return { status: res.status, body: await res.json() };
}

async function post(path: string, body: unknown = {}): Promise<{ status: number; body: Loose }> {
  const res = await app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function auditActions(): Promise<{ actor: string; action: string; details: Loose }[]> {
  return (await new AuditLog(sqlDatabaseOf(store)!).list()).map((e: Loose) => ({
    actor: e.actor,
    action: e.action,
    details: e.details,
  }));
}

describe("reads", () => {
  it("health says the version and the store's kind and schema version", async () => {
    const { status, body } = await get("/api/health");
    expect(status).toBe(200);
    expect(body).toEqual({
      ok: true,
      version: "9.9.9",
      metadata: { kind: "sqlite", schemaVersion: expect.any(Number) },
    });
    expect(body.metadata.schemaVersion).toBeGreaterThanOrEqual(7);
  });

  it("lists pipelines with tasks, the last run and the next scheduled run", async () => {
    const { body } = await get("/api/pipelines");
    expect(body.items).toHaveLength(1);
    const orders = body.items[0];
    expect(orders).toMatchObject({
      id: "orders",
      description: "orders from the shop",
      owner: "data-team",
      tags: ["sales"],
      schedule: "@daily",
      paused: false,
      file: "/virtual/orders.ts",
      tasks: [
        { id: "extract", upstream: [] },
        { id: "load", upstream: ["extract"] },
      ],
    });
    expect(orders.lastRun).toMatchObject({ id: "run_failed", state: "failed", durationMs: 90_000 });
    // No scheduled run yet, catchup off: the latest ended interval (01-19) is due now.
    expect(orders.nextRunAt).toBe("2024-01-20T00:00:00.000Z");
    const one = await get("/api/pipelines/orders");
    expect(one.body.recentRuns.map((r: Loose) => r.id)).toEqual(["run_failed", "run_ok"]);
    expect((await get("/api/pipelines/nope")).status).toBe(404);
  });

  it("shows a run with its tasks, attempts, rows and edges, and an attempt's logs", async () => {
    const { body } = await get("/api/runs/run_failed");
    expect(body).toMatchObject({ id: "run_failed", state: "failed", error: "task load failed", params: {} });
    expect(body.edges).toEqual([{ from: "extract", to: "load" }]);
    const load = body.tasks.find((t: Loose) => t.taskId === "load");
    expect(load).toMatchObject({ mapIndex: -1, state: "failed", tryNumber: 1 });
    expect(load.attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        state: "failed",
        error: "boom",
        durationMs: 90_000,
        rows: { in: 10, out: 9, rejected: 1 },
      }),
    ]);
    const logs = await get("/api/runs/run_failed/tasks/load/attempts/1/logs?mapIndex=-1");
    expect(logs.body.lines.map((l: Loose) => [l.level, l.message])).toEqual([
      ["info", "load started"],
      ["error", "boom"],
    ]);
    expect((await get("/api/runs/run_failed/tasks/load/attempts/7/logs")).status).toBe(404);
    const missing = await get("/api/runs/nope");
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("SERVER_NOT_FOUND");
  });

  it("filters runs by state and refuses a malformed cursor or limit", async () => {
    const failed = await get("/api/runs?state=failed");
    expect(failed.body.items.map((r: Loose) => r.id)).toEqual(["run_failed"]);
    expect((await get("/api/runs?cursor=%%%")).status).toBe(400);
    expect((await get("/api/runs?limit=501")).status).toBe(400);
    expect((await get("/api/runs?state=bogus")).body.error.code).toBe("CONFIG_INVALID");
  });

  it("pages quality checks newest first and gives a dataset's score history", async () => {
    const first = await get("/api/quality/checks?dataset=dim_customers&limit=1");
    expect(first.body.items.map((c: Loose) => c.id)).toEqual(["chk_2"]);
    const second = await get(
      `/api/quality/checks?dataset=dim_customers&limit=1&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((c: Loose) => c.id)).toEqual(["chk_1"]);
    expect(second.body.nextCursor).toBeNull();
    const history = await get("/api/quality/datasets/dim_customers/history?metric=score");
    expect(history.body.points).toEqual([
      { at: "2024-01-19T00:00:00.000Z", value: 0.5 },
      { at: "2024-01-20T00:00:00.000Z", value: 1 },
    ]);
    const rows = await get("/api/quality/datasets/dim_customers/history?metric=row_count");
    expect(rows.body.points.map((p: Loose) => p.value)).toEqual([100, 120]);
  });

  it("lists datasets from the lake, lineage and quality, and details a lake dataset's partitions", async () => {
    const { body } = await get("/api/datasets");
    const byName = new Map(body.items.map((d: Loose) => [d.name, d]));
    expect(byName.get("lake.raw.customers")).toMatchObject({
      kind: "lake",
      lastUpdatedAt: "2024-01-19T10:00:00.000Z",
    });
    expect(byName.get("dim_customers")).toMatchObject({ kind: "warehouse", qualityScore: 1 });
    expect(byName.get(FACT.weir!)).toMatchObject({ kind: "warehouse", namespace: FACT.namespace });
    const lake = await get("/api/datasets/lake.raw.customers");
    expect(lake.body.columns).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "country", type: "VARCHAR" },
    ]);
    expect(lake.body.partitions).toEqual([
      { key: "country=DE", path: "country=DE", files: 2, rows: 7, bytes: 700 },
      { key: "country=FR", path: "country=FR", files: 1, rows: 3, bytes: 300 },
    ]);
    expect((await get("/api/datasets/nope.nothing")).status).toBe(404);
  });

  it("walks lineage upstream, downstream or both", async () => {
    const up = await get(`/api/lineage/${FACT.weir}?direction=upstream&depth=1`);
    expect(up.status).toBe(200);
    expect(up.body.nodes[0]).toMatchObject({ kind: "dataset", label: FACT.weir, name: FACT.name });
    expect(up.body.nodes.some((n: Loose) => n.kind === "job")).toBe(true);
    expect(up.body.edges.length).toBeGreaterThan(0);
    const both = await get(`/api/lineage/${FACT.weir}`);
    expect(both.body.nodes.length).toBeGreaterThanOrEqual(up.body.nodes.length);
    const unknown = await get("/api/lineage/no.such.dataset");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("LINEAGE_DATASET_UNKNOWN");
  });

  it("shows stream jobs and their partitions", async () => {
    const { body } = await get("/api/streams");
    expect(body.items).toEqual([
      {
        job: "clicks",
        partitions: 1,
        state: "idle",
        watermark: "2024-01-20T11:59:00.000Z",
        lagMs: 30_000,
        lastCheckpointAt: "2024-01-20T11:59:31.000Z",
      },
    ]);
    const one = await get("/api/streams/clicks");
    expect(one.body.partitions).toEqual([
      {
        partition: "0",
        watermark: "2024-01-20T11:59:00.000Z",
        offset: 42,
        checkpointAt: "2024-01-20T11:59:31.000Z",
        lateEvents: 3,
        deadLetters: 2,
      },
    ]);
    expect((await get("/api/streams/nope")).status).toBe(404);
  });

  it("answers 503 naming the build command when the UI is not built, and JSON 404 for unknown API paths", async () => {
    const ui = await app.request("/runs/run_ok");
    expect(ui.status).toBe(503);
    expect(await ui.text()).toBe(UI_NOT_BUILT);
    const api = await app.request("/api/nothing-here");
    expect(api.status).toBe(404);
    expect(((await api.json()) as Loose).error.code).toBe("SERVER_NOT_FOUND");
  });
});

describe("/metrics", () => {
  it("answers the monitoring endpoint's Prometheus text from the store", async () => {
    const withMetrics = createServerApp({
      store,
      metrics: createMetricsEndpoint(store, { processMetrics: false }),
    });
    const res = await withMetrics.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    expect(await res.text()).toContain("weir_quality_last_check_timestamp_seconds");
  });
});

describe("the built UI", () => {
  it("serves its files and falls back to index.html for the SPA's paths", async () => {
    const ui = join(dir, "ui-dist");
    mkdirSync(join(ui, "assets"), { recursive: true });
    writeFileSync(join(ui, "index.html"), "<!doctype html><title>weir</title>");
    writeFileSync(join(ui, "assets", "app.js"), "console.log('weir')");
    const withUi = createServerApp({ store, uiDir: ui });
    const asset = await withUi.request("/assets/app.js");
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toContain("javascript");
    expect(await asset.text()).toBe("console.log('weir')");
    for (const path of ["/", "/runs/run_ok", "/pipelines/orders"]) {
      const page = await withUi.request(path);
      expect(page.status, path).toBe(200);
      expect(await page.text()).toContain("<title>weir</title>");
    }
    expect((await withUi.request("/api/nothing")).status).toBe(404);
  });
});

describe("actions", () => {
  it("triggers a queued manual run, audited with the principal, and refuses a date that has a run", async () => {
    const { status, body } = await post("/api/pipelines/orders/runs", {
      logicalDate: "2024-01-05",
      params: { mode: "full" },
    });
    expect(status).toBe(202);
    expect(body.run).toMatchObject({
      pipeline: "orders",
      state: "queued",
      runType: "manual",
      logicalDate: "2024-01-05",
    });
    const stored = await store.runs.get(body.run.id);
    expect(stored?.params).toEqual({ mode: "full" });
    expect((await store.tasks.list(body.run.id)).map((t) => t.state)).toEqual(["pending", "pending"]);
    const audit = (await auditActions()).filter((e) => e.action === "run.manual");
    expect(audit.at(-1)).toMatchObject({
      actor: "local",
      details: expect.objectContaining({ runId: body.run.id, via: "api" }),
    });
    const again = await post("/api/pipelines/orders/runs", { logicalDate: "2024-01-05" });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: "RUN_CONFLICT", details: { runId: body.run.id } });
    expect((await post("/api/pipelines/orders/runs", { logicalDate: "2024-13-01" })).status).toBe(400);
    expect((await post("/api/pipelines/ghost/runs", {})).status).toBe(404);
  });

  it("backfills: queues a backfill run per free date, leaves succeeded dates, requeues failed ones", async () => {
    // 01-11 succeeded (run_ok), 01-12 failed (run_failed).
    const { status, body } = await post("/api/pipelines/orders/backfill", {
      start: "2024-01-10",
      end: "2024-01-13",
    });
    expect(status).toBe(202);
    expect(body.runs.map((r: Loose) => [r.logicalDate, r.runType, r.state])).toEqual([
      ["2024-01-10", "backfill", "queued"],
      ["2024-01-12", "scheduled", "queued"],
      ["2024-01-13", "backfill", "queued"],
    ]);
    const load = (await store.tasks.list("run_failed")).find((t) => t.taskId === "load");
    expect(load?.state).toBe("pending");
    expect((await auditActions()).some((e) => e.action === "run.backfill")).toBe(true);
  });

  it("retries a failed run's failed tasks and queues it; nothing to retry in a succeeded one is a 409", async () => {
    await seedFinishedRun(store, { id: "run_retry", day: 14, failed: true });
    const { status, body } = await post("/api/runs/run_retry/retry");
    expect(status).toBe(202);
    expect(body.run).toMatchObject({ id: "run_retry", state: "queued" });
    const states = Object.fromEntries((await store.tasks.list("run_retry")).map((t) => [t.taskId, t.state]));
    expect(states).toEqual({ extract: "success", load: "pending" });
    expect((await auditActions()).filter((e) => e.action === "run.retry").at(-1)?.details).toMatchObject({
      runId: "run_retry",
      tasks: ["load"],
    });
    expect((await post("/api/runs/run_ok/retry")).status).toBe(409);
    const unknownTask = await post("/api/runs/run_ok/retry", { tasks: ["nope"] });
    expect(unknownTask.body.error.code).toBe("CONFIG_INVALID");
    expect((await store.runs.get("run_ok"))?.state).toBe("succeeded");
    expect(unknownTask.status).toBe(400);
  });

  it("refuses bad action input with a 400 naming what was wrong, and queues and audits nothing", async () => {
    const runsBefore = await store.runs.count();
    const auditBefore = (await auditActions()).length;
    const raw = await app.request("/api/pipelines/orders/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(raw.status).toBe(400);
    const cases: [string, unknown, RegExp][] = [
      ["/api/pipelines/orders/runs", { logicalDate: "2024-13-01" }, /logicalDate|2024-13-01/],
      ["/api/pipelines/orders/runs", { params: { region: { nested: true } } }, /params/],
      ["/api/pipelines/orders/backfill", { start: "2024-01-10" }, /end/],
      ["/api/pipelines/orders/backfill", { start: "soon", end: "2024-01-12" }, /start|soon/],
    ];
    for (const [path, body, names] of cases) {
      const res = await post(path, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(names);
    }
    expect(await store.runs.count()).toBe(runsBefore);
    expect((await auditActions()).length).toBe(auditBefore);
  });

  it("pauses and unpauses, audited; a paused pipeline has no next run", async () => {
    const paused = await post("/api/pipelines/orders/pause");
    expect(paused.status).toBe(200);
    expect(paused.body.pipeline).toMatchObject({ id: "orders", paused: true, nextRunAt: null });
    expect((await store.pipelines.get("orders"))?.paused).toBe(true);
    const unpaused = await post("/api/pipelines/orders/unpause");
    expect(unpaused.body.pipeline.paused).toBe(false);
    const actions = (await auditActions()).map((e) => e.action);
    expect(actions).toContain("pipeline.pause");
    expect(actions).toContain("pipeline.unpause");
  });

  it("resets a stream job to the start of every partition it has", async () => {
    const { status, body } = await post("/api/streams/clicks/reset");
    expect(status).toBe(200);
    expect(body).toMatchObject({ job: "clicks", reset: true });
    const [part] = await store.streams.list("clicks");
    // The position and counts are forgotten; the epoch number is kept (sinks skip epochs they hold).
    expect(part?.checkpoint).toMatchObject({ epoch: 1, position: 0, counts: { late: 0, deadLettered: 0 } });
    expect((await auditActions()).some((e) => e.action === "stream.reset")).toBe(true);
    expect((await post("/api/streams/clicks/reset", { to: "latest" })).status).toBe(400);
  });
});
