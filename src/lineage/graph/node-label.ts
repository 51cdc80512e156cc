import { datasetLabel } from "../store/dataset-label.js";
import type { LineageGraphEdge, LineageNode } from "./lineage-graph.js";

/** A node as people read it: a dataset by weir's name, a column as `<dataset>.<field>`, a job by name. */
export function nodeLabel(node: LineageNode): string {
  if (node.kind === "job") return node.name;
  const dataset = datasetLabel(node);
  return node.kind === "column" ? `${dataset}.${node.field}` : dataset;
}

/** A column edge's transformation (`DIRECT IDENTITY`, `INDIRECT FILTER, all fields, masked`); "" for the others. */
export function edgeLabel(edge: LineageGraphEdge): string {
  if (edge.kind !== "column") return "";
  const parts = [[edge.type, edge.subtype].filter((p) => p !== undefined && p !== "").join(" ")];
  if (edge.datasetLevel) parts.push("all fields");
  if (edge.masking) parts.push("masked");
  return parts.filter((p) => p !== "").join(", ");
}

/** Indirect column edges (filters, joins, dataset-level entries) are drawn dashed. */
export function isIndirect(edge: LineageGraphEdge): boolean {
  return edge.kind === "column" && (edge.type === "INDIRECT" || edge.datasetLevel === true);
}
