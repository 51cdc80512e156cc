import { collectDefaultMetrics, Registry } from "prom-client";
import type { Clock } from "../core/clock.js";
import { messageOf, WeirError } from "../core/errors.js";
import type { MetadataStore } from "../metadata/metadata-store.js";
import { sqlDatabaseOf } from "../metadata/sql-database-of.js";
import type { CollectContext } from "./collectors/collect-context.js";
import { collectDatasetMetrics } from "./collectors/dataset-metrics.js";
import { LakeMetrics } from "./collectors/lake-metrics.js";
import { DETAIL_FAMILIES, PipelineDetailsCache } from "./collectors/pipeline-details.js";
import { collectRunMetrics } from "./collectors/run-metrics.js";
import { scanRuns } from "./collectors/run-scan.js";
import { collectStreamMetrics } from "./collectors/stream-metrics.js";
import { DETAIL_FAMILY_INFO } from "./detail-families.js";
import { type DerivedFamily, family, registerFamilies } from "./metric-family.js";
import { metricsSqlFor } from "./metrics-sql.js";

const NON_COUNTER_TOTALS = [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
];

export interface MetricsEndpointOptions {
  /** "Now" for ages (freshness, lags); default the wall clock. */
  clock?: Pick<Clock, "now">;
  /** Pipelines the project defines: each gets zero-valued run counters before its first run. */
  pipelines?: readonly { id: string }[];
  /** The lake's root folder (`<home>/lake`): lake commit metrics read its manifests. Omitted: no lake metrics. */
  lakeRoot?: string;
  /** Also expose this process's prom-client default metrics (`process_*`, `nodejs_*`); default true. */
  processMetrics?: boolean;
}

export interface MetricsResponse {
  contentType: string;
  body: string;
}

/**
 * The Prometheus `/metrics` handler for a metadata store. Every scrape derives weir's
 * metrics from the store with a few aggregate queries (counts, sums, histogram buckets
 * computed by GROUP BY), so runs executed by the scheduler, by `weir run` in another
 * process or by another `weir serve` replica all count, and every replica answers the
 * same. Counters are counts of finished things kept in the store: monotonic while history
 * is kept. Only `process_*` / `nodejs_*` describe the serving process itself.
 *
 * @example
 * const metrics = createMetricsEndpoint(store, { lakeRoot: weirPaths().lake });
 * app.get("/metrics", async (c) => { const m = await metrics(); return c.body(m.body, 200, { "content-type": m.contentType }); });
 */
export function createMetricsEndpoint(
  store: MetadataStore,
  options: MetricsEndpointOptions = {},
): () => Promise<MetricsResponse> {
  const db = sqlDatabaseOf(store);
  if (!db) {
    throw new WeirError("METADATA_FAILED", "metrics need a SQL metadata store (SQLite or PostgreSQL)", {
      details: { kind: store.kind },
    });
  }
  const sql = metricsSqlFor(db.dialect);
  const processRegistry = new Registry();
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: processRegistry });
    // Gauges named *_total break Prometheus' naming rules (promtool flags them); the same
    // numbers are the sums of nodejs_active_handles / _requests / _resources by type.
    for (const name of NON_COUNTER_TOTALS) processRegistry.removeSingleMetric(name);
  }
  const lake = options.lakeRoot === undefined ? undefined : new LakeMetrics(options.lakeRoot);
  const pipelineIds = (options.pipelines ?? []).map((p) => p.id);
  const details = new PipelineDetailsCache();

  return async () => {
    const started = performance.now();
    const ctx: CollectContext = { db, sql, now: options.clock?.now() ?? new Date() };
    let families: DerivedFamily[];
    try {
      families = await collect(ctx, pipelineIds, lake, details);
    } catch (cause) {
      throw new WeirError(
        "METADATA_FAILED",
        `cannot read metrics from the metadata store: ${messageOf(cause)}`,
        {
          cause,
          retryable: true,
        },
      );
    }
    families.push(
      family(
        "weir_metrics_collect_duration_seconds",
        "gauge",
        "Seconds this scrape spent reading the metadata store and the lake.",
        [{ labels: {}, value: (performance.now() - started) / 1000 }],
      ),
    );
    const scrape = new Registry();
    registerFamilies(scrape, families);
    const merged = Registry.merge([scrape, processRegistry]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  };
}

async function collect(
  ctx: CollectContext,
  configured: readonly string[],
  lake: LakeMetrics | undefined,
  details: PipelineDetailsCache,
): Promise<DerivedFamily[]> {
  const pipelines = await ctx.db.all<{ id: string; paused: unknown }>(
    "SELECT id, paused FROM pipelines ORDER BY id",
  );
  const paused = family(
    "weir_pipeline_paused",
    "gauge",
    "1 when the pipeline is paused (the scheduler queues none of its runs), else 0.",
  );
  for (const p of pipelines)
    paused.samples.push({ labels: { pipeline_name: p.id }, value: Number(p.paused) ? 1 : 0 });
  const ids = new Set([...configured, ...pipelines.map((p) => p.id)]);
  const lakeResult = lake ? await lake.collect() : { families: [], updates: new Map<string, number>() };
  const runs = await scanRuns(ctx);
  const detailSamples = await details.samples(ctx, runs);
  const [finished, ...runFamilies] = await collectRunMetrics(ctx, runs, ids);
  const detailFamilies = DETAIL_FAMILIES.map((name) =>
    family(name, DETAIL_FAMILY_INFO[name].type, DETAIL_FAMILY_INFO[name].help, detailSamples[name]),
  );
  return [
    finished!,
    ...detailFamilies,
    ...runFamilies,
    paused,
    ...(await collectDatasetMetrics(ctx, lakeResult.updates)),
    ...(await collectStreamMetrics(ctx)),
    ...lakeResult.families,
  ];
}
