import type { LineageGraph } from "./lineage-graph.js";
import { edgeLabel, isIndirect, nodeLabel } from "./node-label.js";

/**
 * The graph as a Mermaid flowchart (left to right): datasets as cylinders, jobs as stadiums,
 * columns as boxes, indirect column edges dotted, the root drawn thicker. Node ids are
 * generated (`n0`, `n1`…), so no dataset name can break the syntax; label characters outside
 * a small safe set become Mermaid entity codes (`"` → `#34;`).
 *
 * @example
 * process.stdout.write(renderMermaid(await upstream(lineage, "dim_customers")));
 */
export function renderMermaid(graph: LineageGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ["flowchart LR"];
  for (const node of graph.nodes) {
    const text = `"${escapeMermaid(nodeLabel(node))}"`;
    const shape = node.kind === "dataset" ? `[(${text})]` : node.kind === "job" ? `([${text}])` : `[${text}]`;
    lines.push(`  ${ids.get(node.id)}${shape}`);
  }
  for (const edge of graph.edges) {
    const label = edgeLabel(edge);
    const arrow = isIndirect(edge) ? "-.->" : "-->";
    const text = label === "" ? "" : `|"${escapeMermaid(label)}"|`;
    lines.push(`  ${ids.get(edge.from)} ${arrow}${text} ${ids.get(edge.to)}`);
  }
  const root = ids.get(graph.root);
  if (root !== undefined) lines.push(`  style ${root} stroke-width:3px`);
  return `${lines.join("\n")}\n`;
}

/** Characters Mermaid might read as syntax (quotes, brackets, `#`, `;`, `|`, markdown) as `#<code>;`. */
export function escapeMermaid(text: string): string {
  return text.replace(/[^A-Za-z0-9 _.,:/@=+-]/gu, (ch) => `#${ch.codePointAt(0)};`);
}
