import type { DatasetKey } from "./event-rows.js";

export type { DatasetKey } from "./event-rows.js";

/** A job's identity in OpenLineage: namespace + name. */
export interface JobKey {
  namespace: string;
  name: string;
}

/** A row of `lineage_datasets`: an OpenLineage dataset, weir's name for it and its latest schema. */
export interface LineageDataset extends DatasetKey {
  /** weir's own name (`lake.raw.customers`, `dim_customers`), from the `weir` dataset facet. */
  weirName?: string;
  schemaFields?: { name: string; type?: string }[];
  /** The time of the latest event that named the dataset (ISO-8601, UTC). */
  updatedAt: string;
}

/** A stored RunEvent, with the columns it is found by. */
export interface LineageEventRecord {
  eventId: string;
  /** ISO-8601 UTC (the event's own `eventTime`, normalised; the payload keeps the original). */
  eventTime: string;
  eventType: string;
  runId: string;
  parentRunId?: string;
  job: JobKey;
  /**
   * The event's JSON exactly as it was recorded, every facet included (also those the
   * store does not read); `parseStoredEvent` reads it as the store does.
   */
  event: Record<string, unknown>;
}

/**
 * Job J read `input` and wrote `output`. One side is undefined when the job had no dataset
 * there (an extract from outside wrote outputs without reading a dataset; a check only read).
 */
export interface LineageEdge {
  job: JobKey;
  input?: DatasetKey;
  output?: DatasetKey;
  lastRunId: string;
  updatedAt: string;
}

/**
 * Output field ← input field, as the column lineage facet said. `outputField` is `*` for
 * the facet's dataset-level entries: the input influences every field of the output.
 */
export interface LineageColumnEdge {
  job: JobKey;
  output: DatasetKey;
  outputField: string;
  input: DatasetKey;
  inputField: string;
  type: string;
  subtype: string;
  lastRunId: string;
  updatedAt: string;
}
