import type { StoredDataset, StoredEvent, StoredInputField } from "./stored-event.js";

/**
 * What an event (or a run's events) says as rows of the lineage tables. Pure functions,
 * so the store's transaction and the graph's masking lookup read facets the same way.
 */

/** A dataset's identity in OpenLineage: namespace + name. */
export interface DatasetKey {
  namespace: string;
  name: string;
}

/**
 * Stands for "no dataset" in `lineage_edges`: a job that wrote outputs without reading any
 * dataset (an extract from an API) is kept as the edge (job, "" / "", output), so every
 * output knows its producer; a job that only read (a check) as (job, input, "" / "").
 */
export const NO_DATASET: DatasetKey = { namespace: "", name: "" };

/**
 * `output_field` of a column edge from the column lineage facet's `dataset` list: the
 * input influences every field of the output (a filter, a join key, a grouping) without
 * being copied into one. Such edges are INDIRECT in practice, and the graph shows them so.
 */
export const ALL_FIELDS = "*";

export interface DatasetRow extends DatasetKey {
  weirName?: string;
  schemaFields?: { name: string; type?: string }[];
}

export interface ColumnEdgeRow {
  output: DatasetKey;
  outputField: string;
  input: DatasetKey;
  inputField: string;
  type: string;
  subtype: string;
  masking: boolean;
}

export const datasetId = (d: DatasetKey): string => `${d.namespace}/${d.name}`;

/** The event's inputs and outputs as `lineage_datasets` rows, one per dataset. */
export function datasetRowsOf(event: StoredEvent): DatasetRow[] {
  const rows = new Map<string, DatasetRow>();
  for (const d of [...(event.inputs ?? []), ...(event.outputs ?? [])]) {
    const row: DatasetRow = rows.get(datasetId(d)) ?? { namespace: d.namespace, name: d.name };
    const weirName = d.facets?.weir?.name;
    const fields = d.facets?.schema?.fields;
    if (weirName !== undefined) row.weirName = weirName;
    if (fields !== undefined) {
      row.schemaFields = fields.map((f) =>
        f.type === undefined ? { name: f.name } : { name: f.name, type: f.type },
      );
    }
    rows.set(datasetId(d), row);
  }
  return [...rows.values()];
}

/**
 * The inputs and outputs of a run over all its events. OpenLineage lets a producer report
 * datasets in any event of the run (START often has them, COMPLETE may not), so they are
 * accumulated; a later event's facets replace an earlier one's.
 */
export function runDatasets(events: readonly StoredEvent[]): {
  inputs: StoredDataset[];
  outputs: StoredDataset[];
} {
  const inputs = new Map<string, StoredDataset>();
  const outputs = new Map<string, StoredDataset>();
  const ordered = [...events].sort((a, b) => Date.parse(a.eventTime) - Date.parse(b.eventTime));
  for (const event of ordered) {
    for (const d of event.inputs ?? []) inputs.set(datasetId(d), merge(inputs.get(datasetId(d)), d));
    for (const d of event.outputs ?? []) outputs.set(datasetId(d), merge(outputs.get(datasetId(d)), d));
  }
  return { inputs: [...inputs.values()], outputs: [...outputs.values()] };
}

function merge(earlier: StoredDataset | undefined, later: StoredDataset): StoredDataset {
  if (!earlier) return later;
  return { ...earlier, ...later, facets: { ...earlier.facets, ...later.facets } };
}

/**
 * The job's dataset-level edges: every (input, output) pair, or the job's outputs alone /
 * inputs alone with {@link NO_DATASET} on the other side.
 */
export function edgesOf(
  inputs: readonly DatasetKey[],
  outputs: readonly DatasetKey[],
): { input: DatasetKey; output: DatasetKey }[] {
  if (inputs.length === 0) return outputs.map((output) => ({ input: NO_DATASET, output }));
  if (outputs.length === 0) return inputs.map((input) => ({ input, output: NO_DATASET }));
  return inputs.flatMap((input) => outputs.map((output) => ({ input, output })));
}

/**
 * An output's column lineage facet as `lineage_column_edges` rows: one per output field,
 * input field and transformation (`dataset` entries with output field {@link ALL_FIELDS}).
 * An input field without `transformations` (facet 1-0-x) is DIRECT, with the field's
 * `transformationType` (IDENTITY, or MASKED: a masked TRANSFORMATION) as its subtype.
 */
export function columnEdgesOf(output: StoredDataset): ColumnEdgeRow[] {
  const facet = output.facets?.columnLineage;
  if (!facet) return [];
  const rows = new Map<string, ColumnEdgeRow>();
  const add = (outputField: string, field: StoredInputField, fallback: string | undefined) => {
    for (const t of transformationsOf(field, fallback)) {
      const row: ColumnEdgeRow = {
        output: { namespace: output.namespace, name: output.name },
        outputField,
        input: { namespace: field.namespace, name: field.name },
        inputField: field.field,
        ...t,
      };
      const key = columnEdgeKey(row);
      // One row per key: a transformation listed twice is masked if either says so.
      const seen = rows.get(key);
      rows.set(key, seen ? { ...seen, masking: seen.masking || row.masking } : row);
    }
  };
  for (const [outputField, lineage] of Object.entries(facet.fields)) {
    for (const field of lineage.inputFields) add(outputField, field, lineage.transformationType);
  }
  for (const field of facet.dataset ?? []) add(ALL_FIELDS, field, undefined);
  return [...rows.values()];
}

/** The identity of a column edge within one job (the table's key without the job). */
export function columnEdgeKey(row: Omit<ColumnEdgeRow, "masking">): string {
  return JSON.stringify([
    datasetId(row.output),
    row.outputField,
    datasetId(row.input),
    row.inputField,
    row.type,
    row.subtype,
  ]);
}

function transformationsOf(
  field: StoredInputField,
  fallback: string | undefined,
): { type: string; subtype: string; masking: boolean }[] {
  if (field.transformations && field.transformations.length > 0) {
    return field.transformations.map((t) => ({
      type: t.type,
      subtype: t.subtype ?? "",
      masking: t.masking === true,
    }));
  }
  if (fallback === "MASKED") return [{ type: "DIRECT", subtype: "TRANSFORMATION", masking: true }];
  return [{ type: "DIRECT", subtype: fallback ?? "", masking: false }];
}
