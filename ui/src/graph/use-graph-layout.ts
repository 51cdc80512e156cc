import { useEffect, useState } from "react";
import { type GraphInput, type GraphLayout, layoutGraph } from "./elk-layout.js";

/**
 * Lays the graph out again only when its shape changes (node ids, labels, edges), not when
 * node states change, so a live run keeps its picture still.
 */
export function useGraphLayout(input: GraphInput): { layout?: GraphLayout; error?: Error } {
  const shape = JSON.stringify([
    input.nodes.map((node) => [node.id, node.label]),
    input.edges.map((edge) => [edge.from, edge.to]),
  ]);
  const [state, setState] = useState<{ shape: string; layout?: GraphLayout; error?: Error }>({ shape: "" });

  // biome-ignore lint/correctness/useExhaustiveDependencies: the shape string stands for the input.
  useEffect(() => {
    let cancelled = false;
    layoutGraph(input).then(
      (layout) => {
        if (!cancelled) setState({ shape, layout });
      },
      (cause: unknown) => {
        if (!cancelled) setState({ shape, error: cause instanceof Error ? cause : new Error(String(cause)) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [shape]);

  return state.shape === shape ? state : { layout: state.layout };
}
