import { ConfigError } from "../../core/errors.js";
import type { DatasetKey } from "../store/event-rows.js";
import type { LineageStore } from "../store/lineage-store.js";
import type { LineageDirection, LineageGraph } from "./lineage-graph.js";
import { walkColumns } from "./walk-columns.js";
import { walkDatasets } from "./walk-datasets.js";

/**
 * What a lineage query starts from: a dataset (its `namespace/name`, weir's name or its
 * OpenLineage name, or its key), or one column of it (`column: "*"`: all its columns).
 */
export type LineageTarget = string | DatasetKey | { dataset: string | DatasetKey; column: string };

export interface LineageQueryOptions {
  /** How many job hops (column hops for a column) to follow; default: all. */
  depth?: number;
}

/** Resolves the target and walks the lineage graph from it, dataset- or column-level. */
export async function walkLineage(
  store: LineageStore,
  target: LineageTarget,
  direction: LineageDirection,
  options: LineageQueryOptions,
): Promise<LineageGraph> {
  const depth = options.depth;
  if (depth !== undefined && (!Number.isInteger(depth) || depth < 0)) {
    throw new ConfigError(`invalid lineage depth ${depth}: expected a whole number of at least 0`);
  }
  if (typeof target === "object" && "dataset" in target) {
    const dataset = await keyOf(store, target.dataset);
    return walkColumns(store, { dataset, field: target.column }, direction, depth);
  }
  return walkDatasets(store, await keyOf(store, target), direction, depth);
}

async function keyOf(store: LineageStore, dataset: string | DatasetKey): Promise<DatasetKey> {
  if (typeof dataset !== "string") return { namespace: dataset.namespace, name: dataset.name };
  const found = await store.resolveDataset(dataset);
  return { namespace: found.namespace, name: found.name };
}
