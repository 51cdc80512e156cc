import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEED_NOW, seedHistory } from "../../test/support/monitoring-seed.js";
import { parseExposition, promtool, runPromtool } from "../../test/support/prometheus-tools.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import { openMetadataStore } from "../metadata/open-metadata-store.js";
import { createMetricsEndpoint } from "./metrics-endpoint.js";

let dir: string;
let store: MetadataStore;
let series: Map<string, number>;
let body: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-metrics-"));
  store = await openMetadataStore(join(dir, "weir.db"));
  await seedHistory(store);
  const scrape = createMetricsEndpoint(store, {
    clock: { now: () => SEED_NOW },
    pipelines: [{ id: "orders" }, { id: "never_ran" }],
  });
  const response = await scrape();
  expect(response.contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
  body = response.body;
  series = parseExposition(body);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const value = (s: string) => series.get(s);

describe("metrics derived from the SQLite metadata store", () => {
  it("counts finished runs by status, with zero series for pipelines that never ran", () => {
    expect(value('data_pipeline_runs_total{pipeline_name="orders",status="succeeded"}')).toBe(3);
    expect(value('data_pipeline_runs_total{pipeline_name="orders",status="failed"}')).toBe(1);
    expect(value('data_pipeline_runs_total{pipeline_name="never_ran",status="failed"}')).toBe(0);
    // Unfinished runs are not counted as runs, they are queue depth and running.
    expect(value('data_pipeline_runs_total{pipeline_name="customers",status="succeeded"}')).toBe(0);
    expect(value('weir_runs_queued{pipeline_name="customers"}')).toBe(1);
    expect(value('weir_runs_running{pipeline_name="customers"}')).toBe(1);
  });

  it("computes the duration histogram's cumulative buckets, sum and count in SQL", () => {
    // Runs of 10 s, 40 s, 200 s (succeeded) and 30 s (failed).
    const bucket = (le: string) =>
      value(`data_pipeline_duration_seconds_bucket{pipeline_name="orders",le="${le}"}`);
    expect(bucket("5")).toBe(0);
    expect(bucket("15")).toBe(1);
    expect(bucket("30")).toBe(2);
    expect(bucket("60")).toBe(3);
    expect(bucket("120")).toBe(3);
    expect(bucket("300")).toBe(4);
    expect(bucket("+Inf")).toBe(4);
    expect(value('data_pipeline_duration_seconds_sum{pipeline_name="orders"}')).toBe(280);
    expect(value('data_pipeline_duration_seconds_count{pipeline_name="orders"}')).toBe(4);
  });

  it("counts task attempts, retries and their durations", () => {
    expect(value('weir_task_attempts_total{pipeline_name="orders",task_id="load",status="success"}')).toBe(3);
    expect(value('weir_task_attempts_total{pipeline_name="orders",task_id="load",status="failed"}')).toBe(2);
    expect(value('weir_task_retries_total{pipeline_name="orders",task_id="load"}')).toBe(1);
    expect(value('weir_task_duration_seconds_count{pipeline_name="orders",task_id="load"}')).toBe(5);
    expect(value('weir_task_rows_total{pipeline_name="orders",task_id="load",direction="rejected"}')).toBe(
      20,
    );
  });

  it("sums records and quarantined rows from the run summaries' datasets", () => {
    expect(value('records_processed_total{pipeline_name="orders",source="raw_orders"}')).toBe(400);
    expect(value('weir_records_loaded_total{pipeline_name="orders",dataset_name="raw_orders"}')).toBe(285);
    expect(value('weir_rows_quarantined_total{pipeline_name="orders",dataset_name="raw_orders"}')).toBe(15);
  });

  it("reports the latest quality score (0-100) and freshness per dataset", () => {
    expect(value('data_quality_score{dataset_name="orders"}')).toBe(98);
    expect(value('weir_dataset_freshness_seconds{dataset_name="orders"}')).toBe(7200);
    expect(value('weir_dataset_last_update_timestamp_seconds{dataset_name="orders"}')).toBe(
      SEED_NOW.getTime() / 1000 - 7200,
    );
  });

  it("reports SLA age, stale heartbeats and scheduler lag", () => {
    expect(value('weir_run_oldest_unfinished_age_seconds{pipeline_name="customers"}')).toBe(900);
    expect(value('weir_run_heartbeat_age_seconds{pipeline_name="customers"}')).toBe(600);
    // The queued scheduled run's interval ended at midnight, 12 h before "now".
    expect(value('weir_scheduler_lag_seconds{pipeline_name="customers"}')).toBe(43_200);
    expect(value('weir_pipeline_last_success_timestamp_seconds{pipeline_name="orders"}')).toBe(
      SEED_NOW.getTime() / 1000 - 2000 + 200,
    );
  });

  it("exposes stream checkpoints: counters, watermark lag and checkpoint age", () => {
    const p = '{job_name="clicks",partition="0"}';
    expect(value(`weir_stream_events_read_total${p}`)).toBe(1000);
    expect(value(`weir_stream_events_late_total${p}`)).toBe(3);
    expect(value(`weir_stream_events_dead_lettered_total${p}`)).toBe(2);
    expect(value(`weir_stream_watermark_lag_seconds${p}`)).toBe(30);
    expect(value(`weir_stream_checkpoint_age_seconds${p}`)).toBe(5);
    expect(value(`weir_stream_partition_leased${p}`)).toBe(0);
  });

  it("keeps prom-client's process metrics beside weir's", () => {
    expect(body).toMatch(/^process_cpu_user_seconds_total /m);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes /m);
  });

  it.skipIf(!promtool)("passes promtool check metrics", () => {
    const result = runPromtool(["check", "metrics"], body);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });

  it.skipIf(!promtool)("promtool check metrics catches a broken exposition (the check is real)", () => {
    const broken = body.replace(
      "# TYPE data_pipeline_runs_total counter",
      "# TYPE data_pipeline_runs_total gauge",
    );
    expect(runPromtool(["check", "metrics"], broken).output).toMatch(/data_pipeline_runs_total/);
  });
});

describe("between scrapes", () => {
  it("re-reads a pipeline's cached details when its runs change, and only then", async () => {
    const scrape = createMetricsEndpoint(store, { clock: { now: () => SEED_NOW }, processMetrics: false });
    const count = 'data_pipeline_duration_seconds_count{pipeline_name="orders"}';
    const first = parseExposition((await scrape()).body);
    const again = parseExposition((await scrape()).body);
    expect(again).toEqual(
      new Map([...first].map(([k, v]) => [k, k.startsWith("weir_metrics_collect") ? again.get(k)! : v])),
    );
    await store.runs.create(
      {
        id: "later",
        pipeline: "orders",
        logicalDate: "2024-05-31",
        intervalStart: "2024-05-31T00:00:00.000Z",
        intervalEnd: "2024-06-01T00:00:00.000Z",
        state: "running",
        startedAt: "2024-06-01T11:00:00.000Z",
        params: {},
      },
      [],
    );
    await store.runs.finish("later", { state: "succeeded", endedAt: "2024-06-01T11:00:02.000Z" });
    const after = parseExposition((await scrape()).body);
    expect(after.get(count)).toBe(first.get(count)! + 1);
    expect(after.get('data_pipeline_duration_seconds_bucket{pipeline_name="orders",le="5"}')).toBe(1);
    expect(after.get('data_pipeline_runs_total{pipeline_name="orders",status="succeeded"}')).toBe(4);
  });
});
