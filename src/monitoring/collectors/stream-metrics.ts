import { fromJson, optionalNumber } from "../../metadata/sql-database.js";
import type { StreamCounts } from "../../streaming/contracts.js";
import { type DerivedFamily, family } from "../metric-family.js";
import { ageSeconds, type CollectContext } from "./collect-context.js";

interface PartitionRow {
  job: string;
  partition: string;
  position: unknown;
  watermark: unknown;
  counts: string | null;
  committed_at: string | null;
  owner: string | null;
  lease_expires_at: unknown;
}

/** The checkpoint's counters, each as a `weir_stream_*_total` family. */
const COUNTERS: readonly [keyof StreamCounts, string, string][] = [
  [
    "in",
    "weir_stream_events_read_total",
    "Events read from the source partition (rate() of it is the throughput).",
  ],
  ["parsed", "weir_stream_events_parsed_total", "Events that parsed and matched the job's schema."],
  [
    "deadLettered",
    "weir_stream_events_dead_lettered_total",
    "Events sent to the dead-letter output (unparseable or off-schema).",
  ],
  [
    "late",
    "weir_stream_events_late_total",
    "Events that arrived behind the watermark (routed to the late output).",
  ],
  ["filteredOut", "weir_stream_events_filtered_total", "Events the job's filter dropped."],
  ["kept", "weir_stream_events_kept_total", "Events kept for the sinks."],
  ["windowsEmitted", "weir_stream_window_rows_written_total", "Window rows written to the sinks."],
];

/**
 * Stream metrics from `stream_partitions`: the counters of each partition's latest
 * committed checkpoint (they restart from 0 after `weir stream reset`, which Prometheus
 * treats as a counter reset), its position, watermark and their ages, and the lease.
 * The window state column is never read.
 */
export async function collectStreamMetrics(ctx: CollectContext): Promise<DerivedFamily[]> {
  const rows = await ctx.db.all<PartitionRow>(
    `SELECT job, "partition", position, watermark, counts, committed_at, owner, lease_expires_at
     FROM stream_partitions ORDER BY job, "partition"`,
  );
  const counters = COUNTERS.map(([key, name, help]) => ({ key, f: family(name, "counter", help) }));
  const position = family(
    "weir_stream_position",
    "gauge",
    "The last source position (offset) the partition's checkpoint covers.",
  );
  const watermark = family(
    "weir_stream_watermark_timestamp_seconds",
    "gauge",
    "The partition's committed watermark (event time, Unix time).",
  );
  const watermarkLag = family(
    "weir_stream_watermark_lag_seconds",
    "gauge",
    "Seconds the partition's committed watermark is behind the wall clock.",
  );
  const checkpointAge = family(
    "weir_stream_checkpoint_age_seconds",
    "gauge",
    "Seconds since the partition's last checkpoint.",
  );
  const leased = family(
    "weir_stream_partition_leased",
    "gauge",
    "1 while a process holds an unexpired lease on the partition, else 0.",
  );
  const nowMs = ctx.now.getTime();
  for (const row of rows) {
    const labels = { job_name: row.job, partition: row.partition };
    const counts = { ...emptyCountsOf(), ...(safeJson(row.counts) ?? {}) };
    for (const { key, f } of counters) f.samples.push({ labels, value: Number(counts[key]) || 0 });
    const pos = optionalNumber(row.position);
    if (pos !== undefined) position.samples.push({ labels, value: pos });
    const wm = optionalNumber(row.watermark);
    if (wm !== undefined && Number.isFinite(wm)) {
      watermark.samples.push({ labels, value: wm / 1000 });
      watermarkLag.samples.push({ labels, value: Math.max(0, (nowMs - wm) / 1000) });
    }
    const age = ageSeconds(row.committed_at || undefined, ctx.now);
    if (age !== undefined) checkpointAge.samples.push({ labels, value: Math.max(0, age) });
    const expires = optionalNumber(row.lease_expires_at);
    leased.samples.push({ labels, value: row.owner && expires !== undefined && expires > nowMs ? 1 : 0 });
  }
  return [...counters.map((c) => c.f), position, watermark, watermarkLag, checkpointAge, leased];
}

function emptyCountsOf(): Record<string, number> {
  return Object.fromEntries(COUNTERS.map(([key]) => [key, 0]));
}

/** A checkpoint's counts; a row whose JSON cannot be read counts as none rather than failing the scrape. */
function safeJson(text: string | null): Record<string, number> | undefined {
  try {
    return fromJson<Record<string, number>>(text);
  } catch {
    return undefined;
  }
}
