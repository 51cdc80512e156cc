import { columnEdgeKey, columnEdgesOf, runDatasets } from "../store/event-rows.js";
import type { LineageColumnEdge } from "../store/lineage-records.js";
import type { LineageStore } from "../store/lineage-store.js";
import { parseStoredEvent } from "../store/stored-event.js";

/**
 * Whether each column edge's transformation masks the value. `lineage_column_edges` has no
 * column for it (its key is the transformation's type and subtype), so it is read from the
 * events of the run that last confirmed the edge — the facet as that run reported it. One
 * read per run in the graph, not per edge.
 */
export async function maskingOf(
  store: LineageStore,
  rows: readonly LineageColumnEdge[],
): Promise<(row: LineageColumnEdge) => boolean> {
  const maskedByRun = new Map<string, Set<string>>();
  for (const row of rows) {
    const run = runKey(row);
    if (maskedByRun.has(run)) continue;
    const events = (await store.events({ runId: row.lastRunId, limit: 100_000 }))
      .filter((e) => e.job.namespace === row.job.namespace && e.job.name === row.job.name)
      .map((e) => parseStoredEvent(e.event));
    const { outputs } = runDatasets(events);
    const masked = outputs.flatMap(columnEdgesOf).filter((edge) => edge.masking);
    maskedByRun.set(run, new Set(masked.map(columnEdgeKey)));
  }
  return (row) => maskedByRun.get(runKey(row))?.has(columnEdgeKey(row)) ?? false;
}

function runKey(row: LineageColumnEdge): string {
  return JSON.stringify([row.lastRunId, row.job.namespace, row.job.name]);
}
