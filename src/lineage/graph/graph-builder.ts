import type { LineageDirection, LineageGraph, LineageGraphEdge, LineageNode } from "./lineage-graph.js";

/** Collects a walk's nodes (first depth wins: the walk is breadth-first) and edges (each once). */
export class GraphBuilder {
  private readonly nodes = new Map<string, LineageNode>();
  private readonly edges = new Map<string, LineageGraphEdge>();

  constructor(
    private readonly root: string,
    private readonly direction: LineageDirection,
  ) {}

  /** Adds the node unless it is there; true when it is new. */
  node(node: LineageNode): boolean {
    if (this.nodes.has(node.id)) return false;
    this.nodes.set(node.id, node);
    return true;
  }

  edge(edge: LineageGraphEdge): void {
    const key = JSON.stringify([edge.from, edge.to, edge.kind, edge.type, edge.subtype, edge.job]);
    if (!this.edges.has(key)) this.edges.set(key, edge);
  }

  build(): LineageGraph {
    return {
      root: this.root,
      direction: this.direction,
      nodes: [...this.nodes.values()],
      edges: [...this.edges.values()],
    };
  }
}
