import { optionalNumber } from "../../metadata/sql-database.js";
import { type DerivedFamily, family } from "../metric-family.js";
import { type CollectContext, epochSeconds } from "./collect-context.js";

/**
 * Dataset metrics: each dataset's latest quality score, and freshness: when it was last
 * updated (`dataset_events`, written when a task that declares the dataset in
 * `datasets.writes` succeeds, and lake commits from `lakeUpdates`).
 */
export async function collectDatasetMetrics(
  ctx: CollectContext,
  lakeUpdates: ReadonlyMap<string, number>,
): Promise<DerivedFamily[]> {
  const { db, now } = ctx;
  const score = family(
    "data_quality_score",
    "gauge",
    "The dataset's latest quality score, 0-100: the share of its suite's checks that passed.",
  );
  const checkedAt = family(
    "weir_quality_last_check_timestamp_seconds",
    "gauge",
    "When the dataset's latest quality check ran (Unix time).",
  );
  const seenScores = new Set<string>();
  for (const row of await db.all<{ dataset: string; score: unknown; checked_at: string }>(
    `SELECT q.dataset, q.score_checks AS score, q.checked_at FROM quality_checks q
     JOIN (SELECT dataset, MAX(checked_at) AS latest FROM quality_checks GROUP BY dataset) l
       ON l.dataset = q.dataset AND l.latest = q.checked_at
     ORDER BY q.dataset, q.id`,
  )) {
    if (seenScores.has(row.dataset)) continue; // two checks in the same millisecond: the first id
    seenScores.add(row.dataset);
    const labels = { dataset_name: row.dataset };
    const value = optionalNumber(row.score);
    if (value !== undefined) score.samples.push({ labels, value: value * 100 });
    const at = epochSeconds(row.checked_at);
    if (at !== undefined) checkedAt.samples.push({ labels, value: at });
  }

  const updated = new Map(lakeUpdates);
  for (const row of await db.all<{ dataset: string; at: string }>(
    "SELECT dataset, MAX(at) AS at FROM dataset_events GROUP BY dataset",
  )) {
    const at = epochSeconds(row.at);
    if (at !== undefined) updated.set(row.dataset, Math.max(at, updated.get(row.dataset) ?? at));
  }
  const lastUpdate = family(
    "weir_dataset_last_update_timestamp_seconds",
    "gauge",
    "When the dataset was last updated by a successful task or a lake commit (Unix time).",
  );
  const freshness = family(
    "weir_dataset_freshness_seconds",
    "gauge",
    "Seconds since the dataset was last updated by a successful task or a lake commit.",
  );
  for (const [dataset, at] of [...updated].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lastUpdate.samples.push({ labels: { dataset_name: dataset }, value: at });
    freshness.samples.push({
      labels: { dataset_name: dataset },
      value: Math.max(0, now.getTime() / 1000 - at),
    });
  }
  return [score, checkedAt, lastUpdate, freshness];
}
