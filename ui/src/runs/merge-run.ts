import type { RunSummary } from "../api/types.js";

/**
 * A list of runs (newest first) with one run's latest summary merged in: replaced where it
 * is, or put first when it is new.
 */
export function mergeRun(runs: readonly RunSummary[], run: RunSummary): RunSummary[] {
  const index = runs.findIndex((existing) => existing.id === run.id);
  if (index === -1) return [run, ...runs];
  const merged = [...runs];
  merged[index] = { ...runs[index], ...run };
  return merged;
}
