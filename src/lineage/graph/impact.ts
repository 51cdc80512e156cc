import type { LineageStore } from "../store/lineage-store.js";
import type { LineageGraph } from "./lineage-graph.js";
import { type LineageQueryOptions, type LineageTarget, walkLineage } from "./walk-lineage.js";

/**
 * What a change to a dataset (or a column) reaches: the jobs that read it, what they wrote,
 * and so on, breadth-first and cycle-safe, `depth` job hops deep (default: all the way).
 * Column impact follows INDIRECT edges too: a filter column changes every field it filters.
 *
 * @example
 * const graph = await impact(lineage, { dataset: "lake.raw.customers", column: "email" });
 */
export function impact(
  store: LineageStore,
  target: LineageTarget,
  options: LineageQueryOptions = {},
): Promise<LineageGraph> {
  return walkLineage(store, target, "impact", options);
}
