import type { RowCounts } from "../../metadata/metadata-store.js";
import type { DatasetCounts } from "../run-events.js";

/**
 * Adds `more`'s row counts into `into`, and returns `into`. A count neither side recorded
 * stays absent: the summary shows "-" (unknown), not a made-up 0.
 */
export function addRowCounts(into: RowCounts, more: Readonly<RowCounts>): RowCounts {
  for (const key of ["in", "out", "rejected"] as const) {
    const n = more[key];
    if (n !== undefined) into[key] = (into[key] ?? 0) + n;
  }
  return into;
}

/**
 * Adds one dataset's counts into `into` (by dataset name), and returns `into`. A count
 * neither side recorded stays absent, so "nothing loaded" (0) and "no load recorded"
 * (absent) stay apart: only the first can be reconciled.
 */
export function addDatasetCount(
  into: Record<string, DatasetCounts>,
  dataset: string,
  more: DatasetCounts,
): Record<string, DatasetCounts> {
  into[dataset] ??= {};
  const sum = into[dataset];
  for (const key of ["extracted", "loaded", "quarantined"] as const) {
    const n = more[key];
    if (n !== undefined) sum[key] = (sum[key] ?? 0) + n;
  }
  for (const [check, n] of Object.entries(more.quarantinedByCheck ?? {})) {
    sum.quarantinedByCheck ??= {};
    sum.quarantinedByCheck[check] = (sum.quarantinedByCheck[check] ?? 0) + n;
  }
  for (const table of more.into ?? []) {
    sum.into ??= [];
    if (!sum.into.includes(table)) sum.into.push(table);
  }
  return into;
}

/** Adds every dataset of `more` into `into` (a mapped task's instances into its parent). */
export function addDatasetCounts(
  into: Record<string, DatasetCounts>,
  more: Readonly<Record<string, DatasetCounts>>,
): Record<string, DatasetCounts> {
  for (const [dataset, counts] of Object.entries(more)) addDatasetCount(into, dataset, counts);
  return into;
}
