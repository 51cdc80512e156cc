import type { ElkNode } from "elkjs/lib/elk-api.js";

export interface GraphInput {
  nodes: { id: string; label: string }[];
  edges: { from: string; to: string }[];
}

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** SVG path data along ELK's routed bend points. */
  path: string;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: Map<string, PlacedNode>;
  edges: PlacedEdge[];
}

const NODE_HEIGHT = 34;
const CHAR_WIDTH = 7.2;

type Elk = { layout(graph: ElkNode): Promise<ElkNode> };
let elkInstance: Promise<Elk> | undefined;

/** elkjs is loaded on first use, so pages without graphs never download it. */
function elk(): Promise<Elk> {
  elkInstance ??= import("elkjs/lib/elk.bundled.js").then((module) => new module.default());
  return elkInstance;
}

/** Left-to-right layered layout with orthogonal edges, ELK's answer for DAGs. */
export async function layoutGraph(input: GraphInput): Promise<GraphLayout> {
  const ids = new Set(input.nodes.map((node) => node.id));
  const edges = input.edges.filter((edge) => ids.has(edge.from) && ids.has(edge.to));
  const result = await (await elk()).layout({
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.edgeRouting": "ORTHOGONAL",
      "elk.layered.spacing.nodeNodeBetweenLayers": "48",
      "elk.spacing.nodeNode": "18",
      "elk.padding": "[top=12,left=12,bottom=12,right=12]",
    },
    children: input.nodes.map((node) => ({
      id: node.id,
      width: Math.max(80, Math.min(280, node.label.length * CHAR_WIDTH + 28)),
      height: NODE_HEIGHT,
    })),
    edges: edges.map((edge, index) => ({ id: `e${index}`, sources: [edge.from], targets: [edge.to] })),
  });
  const nodes = new Map<string, PlacedNode>();
  for (const child of result.children ?? []) {
    nodes.set(child.id, {
      id: child.id,
      x: child.x ?? 0,
      y: child.y ?? 0,
      width: child.width ?? 0,
      height: child.height ?? 0,
    });
  }
  const placedEdges: PlacedEdge[] = (result.edges ?? []).map((edge, index) => {
    const section = edge.sections?.[0];
    const points = section ? [section.startPoint, ...(section.bendPoints ?? []), section.endPoint] : [];
    const original = edges[index] ?? { from: "", to: "" };
    return {
      from: original.from,
      to: original.to,
      path: points.map((point, at) => `${at === 0 ? "M" : "L"}${point.x},${point.y}`).join(" "),
    };
  });
  return { width: result.width ?? 0, height: result.height ?? 0, nodes, edges: placedEdges };
}
