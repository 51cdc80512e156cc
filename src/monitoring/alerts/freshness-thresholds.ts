import type { MetadataStore } from "../../metadata/metadata-store.js";
import { sqlDatabaseOf } from "../../metadata/sql-database-of.js";
import { parseMaxAge } from "../../quality/freshness.js";
import type { Suite } from "../../quality/suite.js";
import type { DatasetThresholds } from "./alert-thresholds.js";

/**
 * Freshness limits of the suites that already ran: each (dataset, suite)'s latest stored
 * check keeps its freshness result (with `maxAgeMs`) in `quality_checks.details`, so the
 * suites a pipeline runs need not be listed again to get their freshness alerts.
 */
export async function storedFreshness(store: MetadataStore): Promise<DatasetThresholds[]> {
  const db = sqlDatabaseOf(store);
  if (!db) return [];
  const rows = await db.all<{ dataset: string; details: string | null }>(
    `SELECT q.dataset, q.details FROM quality_checks q
     JOIN (SELECT dataset, suite, MAX(checked_at) AS latest FROM quality_checks GROUP BY dataset, suite) l
       ON l.dataset = q.dataset AND l.suite = q.suite AND l.latest = q.checked_at
     ORDER BY q.dataset`,
  );
  const found: DatasetThresholds[] = [];
  for (const row of rows) {
    const maxAgeMs = freshnessMaxAge(row.details);
    if (maxAgeMs !== undefined) found.push({ dataset: row.dataset, maxAgeSeconds: maxAgeMs / 1000 });
  }
  return found;
}

function freshnessMaxAge(details: string | null): number | undefined {
  if (!details) return undefined;
  try {
    const value = (JSON.parse(details) as { freshness?: { maxAgeMs?: unknown } }).freshness?.maxAgeMs;
    return typeof value === "number" && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Freshness limits of suite definitions that name their dataset; the others are returned as skipped. */
export function suiteFreshness(suites: readonly Suite[]): {
  thresholds: DatasetThresholds[];
  skipped: string[];
} {
  const thresholds: DatasetThresholds[] = [];
  const skipped: string[] = [];
  for (const suite of suites) {
    if (!suite.freshness) continue;
    if (!suite.dataset) {
      skipped.push(suite.name);
      continue;
    }
    thresholds.push({ dataset: suite.dataset, maxAgeSeconds: parseMaxAge(suite.freshness.maxAge) / 1000 });
  }
  return { thresholds, skipped };
}
