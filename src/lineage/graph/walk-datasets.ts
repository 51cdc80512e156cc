import type { DatasetKey } from "../store/event-rows.js";
import { datasetId } from "../store/event-rows.js";
import type { LineageDataset } from "../store/lineage-records.js";
import type { LineageStore } from "../store/lineage-store.js";
import { GraphBuilder } from "./graph-builder.js";
import { datasetNodeId, jobNodeId, type LineageDirection, type LineageGraph } from "./lineage-graph.js";

/**
 * Dataset-level lineage from `root`, breadth-first through the jobs that wrote (upstream) or
 * read (impact) each dataset, up to `maxDepth` job hops (undefined: all). A dataset is
 * expanded once, so cycles end.
 */
export async function walkDatasets(
  store: LineageStore,
  root: DatasetKey,
  direction: LineageDirection,
  maxDepth: number | undefined,
): Promise<LineageGraph> {
  const known = new Map((await store.datasets()).map((d) => [datasetId(d), d]));
  const datasetNode = (key: DatasetKey, depth: number) => ({
    id: datasetNodeId(key),
    kind: "dataset" as const,
    namespace: key.namespace,
    name: key.name,
    ...weirNameOf(known.get(datasetId(key))),
    depth,
  });
  const graph = new GraphBuilder(datasetNodeId(root), direction);
  graph.node(datasetNode(root, 0));
  let frontier: DatasetKey[] = [root];
  for (let depth = 0; frontier.length > 0 && (maxDepth === undefined || depth < maxDepth); depth++) {
    const next: DatasetKey[] = [];
    for (const dataset of frontier) {
      const here = datasetNodeId(dataset);
      const edges =
        direction === "upstream" ? await store.producersOf(dataset) : await store.consumersOf(dataset);
      for (const edge of edges) {
        const job = jobNodeId(edge.job);
        graph.node({
          id: job,
          kind: "job",
          namespace: edge.job.namespace,
          name: edge.job.name,
          depth: depth + 1,
        });
        graph.edge(
          direction === "upstream"
            ? { from: job, to: here, kind: "writes" }
            : { from: here, to: job, kind: "reads" },
        );
        const other = direction === "upstream" ? edge.input : edge.output;
        if (other === undefined) continue;
        const there = datasetNodeId(other);
        if (graph.node(datasetNode(other, depth + 1))) next.push(other);
        graph.edge(
          direction === "upstream"
            ? { from: there, to: job, kind: "reads" }
            : { from: job, to: there, kind: "writes" },
        );
      }
    }
    frontier = next;
  }
  return graph.build();
}

export function weirNameOf(dataset: LineageDataset | undefined): { weirName?: string } {
  return dataset?.weirName !== undefined ? { weirName: dataset.weirName } : {};
}
