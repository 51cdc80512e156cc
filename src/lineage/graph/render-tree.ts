import type { LineageGraph, LineageGraphEdge, LineageNode } from "./lineage-graph.js";
import { edgeLabel, nodeLabel } from "./node-label.js";

/**
 * The graph as an indented tree from the root, for the terminal: upstream lists what each
 * node came from, impact what it flows into. A node reached again (a diamond, a cycle) is
 * named with "(see above)" and not expanded twice.
 *
 * @example
 * dim_customers
 * └── [job] build_dim_customers
 *     └── lake.processed.customers
 */
export function renderTree(graph: LineageGraph): string {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const children = new Map<string, { node: LineageNode; edge: LineageGraphEdge }[]>();
  for (const edge of graph.edges) {
    const [parent, child] = graph.direction === "upstream" ? [edge.to, edge.from] : [edge.from, edge.to];
    const node = nodes.get(child);
    if (node === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push({ node, edge });
    children.set(parent, list);
  }
  const root = nodes.get(graph.root);
  if (root === undefined) return "";
  const lines = [text(root)];
  const shown = new Set([root.id]);
  const visit = (id: string, indent: string) => {
    const list = children.get(id) ?? [];
    list.forEach(({ node, edge }, i) => {
      const last = i === list.length - 1;
      const label = edgeLabel(edge);
      const via = edge.kind === "column" && edge.job ? ` via ${edge.job.name}` : "";
      const note = label === "" ? via : `  [${label}]${via}`;
      const again = shown.has(node.id);
      lines.push(`${indent}${last ? "└── " : "├── "}${text(node)}${note}${again ? " (see above)" : ""}`);
      if (again) return;
      shown.add(node.id);
      visit(node.id, `${indent}${last ? "    " : "│   "}`);
    });
  };
  visit(root.id, "");
  if (lines.length === 1)
    lines.push(graph.direction === "upstream" ? "(no recorded producers)" : "(no recorded consumers)");
  return `${lines.join("\n")}\n`;
}

function text(node: LineageNode): string {
  return node.kind === "job" ? `[job] ${nodeLabel(node)}` : nodeLabel(node);
}
