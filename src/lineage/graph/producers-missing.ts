import type { LineageDataset } from "../store/lineage-records.js";
import type { LineageStore } from "../store/lineage-store.js";

export interface ProducersMissingOptions {
  /**
   * Datasets that come from outside and need no producer. A list (names as `resolveDataset`
   * takes them: weir's name, the OpenLineage name or `namespace/name`) is added to the
   * default rule, {@link isExternalDataset}; a function replaces it.
   */
  external?: readonly string[] | ((dataset: LineageDataset) => boolean);
}

/**
 * Datasets weir knows that no recorded job wrote, and that are not external: the check
 * behind "no dataset without its producers". A job that wrote outputs without reading any
 * dataset counts as their producer (see `NO_DATASET`); a run that never completed does not.
 *
 * @example
 * expect(await producersMissing(lineage)).toEqual([]);
 */
export async function producersMissing(
  store: LineageStore,
  options: ProducersMissingOptions = {},
): Promise<LineageDataset[]> {
  const declared = options.external;
  const external =
    typeof declared === "function"
      ? declared
      : (d: LineageDataset) =>
          isExternalDataset(d) ||
          (declared ?? []).some((n) => n === d.weirName || n === d.name || n === `${d.namespace}/${d.name}`);
  return (await store.unproducedDatasets()).filter((d) => !external(d));
}

/**
 * The default rule: a dataset without weir's name (a source system's table, a file, another
 * producer's dataset) or whose weir name is in the `source.` namespace comes from outside.
 */
export function isExternalDataset(dataset: LineageDataset): boolean {
  return dataset.weirName === undefined || dataset.weirName.startsWith("source.");
}
