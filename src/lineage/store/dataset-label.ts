import type { DatasetKey } from "./event-rows.js";

/**
 * How a dataset is shown: weir's name when it has one (`lake.raw.customers`), else
 * OpenLineage's `namespace/name`.
 */
export function datasetLabel(dataset: DatasetKey & { weirName?: string }): string {
  return dataset.weirName ?? `${dataset.namespace}/${dataset.name}`;
}
