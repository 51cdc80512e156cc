import type { LineageGraphData } from "../api/types.js";
import { useGraphLayout } from "../graph/use-graph-layout.js";
import { ErrorMessage } from "./error-message.js";
import { GraphCanvas } from "./graph-canvas.js";

interface LineageGraphProps {
  graph: LineageGraphData;
  /** The node the page is about, drawn emphasised. */
  focus?: string;
  onSelect?: (id: string) => void;
}

/** Datasets, jobs and (on demand) columns as a left-to-right flow of data. */
export function LineageGraph({ graph, focus, onSelect }: LineageGraphProps) {
  const { layout, error } = useGraphLayout({
    nodes: graph.nodes.map((node) => ({ id: node.id, label: node.label })),
    edges: graph.edges,
  });
  if (graph.nodes.length === 0) return <p className="muted">No lineage recorded for this dataset yet.</p>;
  if (error) return <ErrorMessage error={error} />;
  if (!layout) return <div className="graph-placeholder">Laying out {graph.nodes.length} nodes…</div>;
  const focusId = graph.nodes.find(
    (node) => node.id === focus || node.name === focus || node.label === focus,
  )?.id;
  return (
    <GraphCanvas
      label="lineage graph"
      layout={layout}
      highlighted={focusId}
      onSelect={onSelect}
      nodes={graph.nodes.map((node) => ({
        id: node.id,
        label: node.label,
        className: `lineage kind-${node.kind}`,
        title: [node.kind, node.namespace, node.name ?? node.label].filter(Boolean).join(" · "),
      }))}
    />
  );
}
