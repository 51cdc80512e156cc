import type { LineageGraph } from "./lineage-graph.js";
import { edgeLabel, isIndirect, nodeLabel } from "./node-label.js";

/**
 * The graph in Graphviz DOT: datasets as cylinders, jobs as rounded boxes, columns as
 * boxes, indirect column edges dashed, the root drawn thicker. Node ids are generated
 * (`n0`, `n1`…); labels are quoted with `\` and `"` escaped, so names cannot break out.
 *
 * @example
 * writeFileSync("lineage.dot", renderDot(await impact(lineage, "lake.raw.customers")));
 */
export function renderDot(graph: LineageGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ["digraph lineage {", "  rankdir=LR;", '  node [fontname="Helvetica"];'];
  for (const node of graph.nodes) {
    const shape =
      node.kind === "dataset"
        ? "shape=cylinder"
        : node.kind === "job"
          ? 'shape=box, style="rounded"'
          : "shape=box";
    const root = node.id === graph.root ? ", penwidth=3" : "";
    lines.push(`  ${ids.get(node.id)} [label=${quoteDot(nodeLabel(node))}, ${shape}${root}];`);
  }
  for (const edge of graph.edges) {
    const attributes: string[] = [];
    const label = edgeLabel(edge);
    if (label !== "") attributes.push(`label=${quoteDot(label)}`);
    if (isIndirect(edge)) attributes.push("style=dashed");
    const tail = attributes.length > 0 ? ` [${attributes.join(", ")}]` : "";
    lines.push(`  ${ids.get(edge.from)} -> ${ids.get(edge.to)}${tail};`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** A DOT quoted string: backslashes and quotes escaped, line breaks as `\n`. */
export function quoteDot(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}
