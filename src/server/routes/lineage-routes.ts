import { Hono } from "hono";
import type { LineageDirection, LineageGraph } from "../../lineage/graph/lineage-graph.js";
import { nodeLabel } from "../../lineage/graph/node-label.js";
import { walkLineage } from "../../lineage/graph/walk-lineage.js";
import { LineageStore } from "../../lineage/store/lineage-store.js";
import { badRequest } from "../api-error.js";
import type { AuthEnv } from "../auth/auth-env.js";
import type { Guards } from "../guards.js";
import type { ServerContext } from "../server-context.js";

const DEFAULT_DEPTH = 3;

export interface LineageView {
  nodes: {
    id: string;
    kind: "dataset" | "job" | "column";
    label: string;
    namespace?: string;
    name?: string;
  }[];
  edges: { from: string; to: string; kind?: string; transformation?: string }[];
}

/** `/api/lineage/:dataset`: the graph upstream of a dataset (or column), its impact, or both. */
export function lineageRoutes(ctx: ServerContext, guards: Guards): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.get("/:dataset{.+}", guards.viewer, async (c) => {
    const dataset = c.req.param("dataset");
    const direction = c.req.query("direction") ?? "both";
    if (!["upstream", "impact", "both"].includes(direction)) {
      throw badRequest(`invalid direction "${direction}": expected upstream, impact or both`);
    }
    const depthText = c.req.query("depth");
    const depth = depthText === undefined || depthText === "" ? DEFAULT_DEPTH : Number(depthText);
    if (!Number.isInteger(depth) || depth < 0 || depth > 100) {
      throw badRequest(`invalid depth ${JSON.stringify(depthText)}: expected a whole number from 0 to 100`);
    }
    const column = c.req.query("column") || undefined;
    const store = LineageStore.of(ctx.store);
    const target = column ? { dataset, column } : dataset;
    const directions: LineageDirection[] =
      direction === "both" ? ["upstream", "impact"] : [direction as LineageDirection];
    const graphs: LineageGraph[] = [];
    for (const d of directions) graphs.push(await walkLineage(store, target, d, { depth }));
    return c.json(mergeGraphs(graphs));
  });
  return app;
}

/** One graph from several walks from the same root: nodes and edges once each. */
function mergeGraphs(graphs: readonly LineageGraph[]): LineageView {
  const nodes = new Map<string, LineageView["nodes"][number]>();
  const edges = new Map<string, LineageView["edges"][number]>();
  for (const graph of graphs) {
    for (const n of graph.nodes) {
      if (nodes.has(n.id)) continue;
      nodes.set(n.id, { id: n.id, kind: n.kind, label: nodeLabel(n), namespace: n.namespace, name: n.name });
    }
    for (const e of graph.edges) {
      const key = `${e.from}\u0000${e.to}\u0000${e.kind}`;
      if (edges.has(key)) continue;
      const transformation = [e.type, e.subtype].filter(Boolean).join("/");
      edges.set(key, { from: e.from, to: e.to, kind: e.kind, ...(transformation ? { transformation } : {}) });
    }
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}
