import type { DatasetKey } from "../store/event-rows.js";
import { ALL_FIELDS, datasetId } from "../store/event-rows.js";
import type { LineageColumnEdge } from "../store/lineage-records.js";
import type { LineageStore } from "../store/lineage-store.js";
import { maskingOf } from "./column-masking.js";
import { GraphBuilder } from "./graph-builder.js";
import {
  columnNodeId,
  type LineageDirection,
  type LineageGraph,
  type LineageGraphEdge,
} from "./lineage-graph.js";
import { weirNameOf } from "./walk-datasets.js";

interface Column {
  dataset: DatasetKey;
  field: string;
}

/**
 * Column-level lineage from `root`, breadth-first field → field over `lineage_column_edges`,
 * up to `maxDepth` hops (undefined: all); each column is expanded once, so cycles end.
 *
 * Dataset-level entries (output field `*`) take part both ways: upstream, they reach every
 * field of their output, so they lead into the column being walked; downstream, they lead
 * to the node `<output>.*` (the whole output is affected), from which every column edge
 * reading that output goes on. They are marked `datasetLevel` and INDIRECT.
 */
export async function walkColumns(
  store: LineageStore,
  root: Column,
  direction: LineageDirection,
  maxDepth: number | undefined,
): Promise<LineageGraph> {
  const known = new Map((await store.datasets()).map((d) => [datasetId(d), d]));
  const columnNode = (column: Column, depth: number) => ({
    id: columnNodeId(column.dataset, column.field),
    kind: "column" as const,
    namespace: column.dataset.namespace,
    name: column.dataset.name,
    ...weirNameOf(known.get(datasetId(column.dataset))),
    field: column.field,
    depth,
  });
  const graph = new GraphBuilder(columnNodeId(root.dataset, root.field), direction);
  graph.node(columnNode(root, 0));
  const walked: { edge: LineageGraphEdge; row: LineageColumnEdge }[] = [];
  let frontier: Column[] = [root];
  for (let depth = 0; frontier.length > 0 && (maxDepth === undefined || depth < maxDepth); depth++) {
    const next: Column[] = [];
    for (const column of frontier) {
      const here = columnNodeId(column.dataset, column.field);
      const rows =
        direction === "upstream"
          ? await store.columnSourcesOf(column.dataset, column.field)
          : await store.columnTargetsOf(column.dataset, column.field);
      for (const row of rows) {
        const other: Column =
          direction === "upstream"
            ? { dataset: row.input, field: row.inputField }
            : { dataset: row.output, field: row.outputField };
        const there = columnNodeId(other.dataset, other.field);
        if (graph.node(columnNode(other, depth + 1))) next.push(other);
        const datasetLevel = row.outputField === ALL_FIELDS;
        const edge: LineageGraphEdge = {
          ...(direction === "upstream" ? { from: there, to: here } : { from: here, to: there }),
          kind: "column",
          type: datasetLevel ? "INDIRECT" : row.type,
          subtype: row.subtype,
          ...(datasetLevel ? { datasetLevel } : {}),
          job: row.job,
        };
        graph.edge(edge);
        walked.push({ edge, row });
      }
    }
    frontier = next;
  }
  const masked = await maskingOf(
    store,
    walked.map((w) => w.row),
  );
  for (const { edge, row } of walked) edge.masking = masked(row);
  return graph.build();
}
