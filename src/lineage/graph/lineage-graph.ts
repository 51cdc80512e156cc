import type { DatasetKey } from "../store/event-rows.js";
import type { JobKey } from "../store/lineage-records.js";

/** `upstream`: where the root's data came from; `impact`: what the root's data flows into. */
export type LineageDirection = "upstream" | "impact";

export interface LineageNode {
  /** Unique in the graph: the kind and the JSON of its key (namespaces hold `/` and `:`). */
  id: string;
  kind: "dataset" | "job" | "column";
  namespace: string;
  name: string;
  /** weir's name of the dataset (of a column: of its dataset), when the dataset has one. */
  weirName?: string;
  /** The column's field; `*` stands for every field of the dataset. */
  field?: string;
  /** Hops from the root: datasets and columns one job away are at 1, and so is that job. */
  depth: number;
}

/** Edges point the way data flows: dataset → job (reads), job → dataset (writes), column → column. */
export interface LineageGraphEdge {
  from: string;
  to: string;
  kind: "reads" | "writes" | "column";
  /** Column edges: DIRECT or INDIRECT. */
  type?: string;
  /** Column edges: IDENTITY, TRANSFORMATION, AGGREGATION, FILTER, JOIN, GROUP_BY… */
  subtype?: string;
  /** Column edges: the transformation masks the value (a hash, a redaction). */
  masking?: boolean;
  /**
   * Column edges from the column lineage facet's dataset-level entries: the input influences
   * every field of the output (a filter, a join key) without being copied; always INDIRECT.
   */
  datasetLevel?: boolean;
  /** Column edges: the job whose run said so. */
  job?: JobKey;
}

export interface LineageGraph {
  root: string;
  direction: LineageDirection;
  /** Nodes in breadth-first order from the root (the root first). */
  nodes: LineageNode[];
  edges: LineageGraphEdge[];
}

export const datasetNodeId = (d: DatasetKey): string => `dataset:${JSON.stringify([d.namespace, d.name])}`;
export const jobNodeId = (j: JobKey): string => `job:${JSON.stringify([j.namespace, j.name])}`;
export const columnNodeId = (d: DatasetKey, field: string): string =>
  `column:${JSON.stringify([d.namespace, d.name, field])}`;
