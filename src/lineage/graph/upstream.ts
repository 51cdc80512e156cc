import type { LineageStore } from "../store/lineage-store.js";
import type { LineageGraph } from "./lineage-graph.js";
import { type LineageQueryOptions, type LineageTarget, walkLineage } from "./walk-lineage.js";

/**
 * Where a dataset's (or a column's) data came from: the jobs that wrote it, what they read,
 * and so on, breadth-first and cycle-safe, `depth` job hops deep (default: all the way).
 *
 * @example
 * const graph = await upstream(lineage, "dim_customers", { depth: 2 });
 * const columns = await upstream(lineage, { dataset: "dim_customers", column: "email" });
 */
export function upstream(
  store: LineageStore,
  target: LineageTarget,
  options: LineageQueryOptions = {},
): Promise<LineageGraph> {
  return walkLineage(store, target, "upstream", options);
}
