import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MetadataStore } from "../../src/metadata/metadata-store.js";
import { PostgresMetadataStore } from "../../src/metadata/postgres-metadata-store.js";
import { createMetricsEndpoint } from "../../src/monitoring/metrics-endpoint.js";
import { SEED_NOW, seedHistory } from "../support/monitoring-seed.js";
import { parseExposition, promtool, runPromtool } from "../support/prometheus-tools.js";
import { POSTGRES_URL, postgresAvailable } from "../support/servers.js";

/**
 * The metrics queries on PostgreSQL (JSON summaries through jsonb, instants through
 * timestamptz): the same seeded history gives the same values as on SQLite, and a run
 * recorded through a second connection pool (another process's store) shows at once.
 */
const SCHEMA = `weir_metrics_${process.pid}_${Date.now().toString(36)}`;

describe.skipIf(!postgresAvailable)("metrics from a PostgreSQL metadata store", () => {
  let store: MetadataStore;
  let other: MetadataStore;
  beforeAll(async () => {
    store = await PostgresMetadataStore.open({ url: POSTGRES_URL, schema: SCHEMA });
    other = await PostgresMetadataStore.open({ url: POSTGRES_URL, schema: SCHEMA });
    await seedHistory(store);
  });
  afterAll(async () => {
    await store?.close();
    await other?.close();
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await client.end();
  });

  it("derives the same values as on SQLite, and promtool accepts them", async () => {
    const scrape = createMetricsEndpoint(store, { clock: { now: () => SEED_NOW } });
    const { body } = await scrape();
    const s = parseExposition(body);
    expect(s.get('data_pipeline_runs_total{pipeline_name="orders",status="succeeded"}')).toBe(3);
    expect(s.get('data_pipeline_runs_total{pipeline_name="orders",status="failed"}')).toBe(1);
    expect(s.get('data_pipeline_duration_seconds_bucket{pipeline_name="orders",le="30"}')).toBe(2);
    expect(s.get('data_pipeline_duration_seconds_sum{pipeline_name="orders"}')).toBe(280);
    expect(s.get('records_processed_total{pipeline_name="orders",source="raw_orders"}')).toBe(400);
    expect(s.get('weir_rows_quarantined_total{pipeline_name="orders",dataset_name="raw_orders"}')).toBe(15);
    expect(s.get('weir_task_retries_total{pipeline_name="orders",task_id="load"}')).toBe(1);
    expect(s.get('data_quality_score{dataset_name="orders"}')).toBe(98);
    expect(s.get('weir_dataset_freshness_seconds{dataset_name="orders"}')).toBe(7200);
    expect(s.get('weir_stream_events_late_total{job_name="clicks",partition="0"}')).toBe(3);
    expect(s.get('weir_run_heartbeat_age_seconds{pipeline_name="customers"}')).toBe(600);
    if (promtool) {
      const result = runPromtool(["check", "metrics"], body);
      expect(result.output).toBe("");
      expect(result.status).toBe(0);
    }
  });

  it("counts runs another store connection records after the endpoint was created", async () => {
    const scrape = createMetricsEndpoint(store, { clock: { now: () => SEED_NOW } });
    const failed = 'data_pipeline_runs_total{pipeline_name="orders",status="failed"}';
    const count = 'data_pipeline_duration_seconds_count{pipeline_name="orders"}';
    const first = parseExposition((await scrape()).body);
    const before = first.get(failed)!;
    await other.runs.create(
      {
        id: "elsewhere",
        pipeline: "orders",
        logicalDate: "2024-05-20",
        intervalStart: "2024-05-20T00:00:00.000Z",
        intervalEnd: "2024-05-21T00:00:00.000Z",
        state: "running",
        startedAt: "2024-06-01T11:00:00.000Z",
        params: {},
      },
      [],
    );
    await other.runs.finish("elsewhere", { state: "failed", endedAt: "2024-06-01T11:00:05.000Z" });
    const after = parseExposition((await scrape()).body);
    expect(after.get(failed)).toBe(before + 1);
    // The histogram is cached per pipeline between scrapes: the new run invalidated it.
    expect(after.get(count)).toBe(first.get(count)! + 1);
    expect(after.get('data_pipeline_duration_seconds_bucket{pipeline_name="orders",le="5"}')).toBe(
      first.get('data_pipeline_duration_seconds_bucket{pipeline_name="orders",le="5"}')! + 1,
    );
  });
});
