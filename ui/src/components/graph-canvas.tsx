import type { GraphLayout } from "../graph/elk-layout.js";

export interface CanvasNode {
  id: string;
  label: string;
  /** CSS classes for the node's shape and color (state or kind). */
  className: string;
  title?: string;
}

interface GraphCanvasProps {
  label: string;
  layout: GraphLayout;
  nodes: CanvasNode[];
  selected?: string;
  highlighted?: string;
  onSelect?: (id: string) => void;
}

/** Draws a laid-out graph as SVG: boxes, orthogonal edges with arrows, a selectable node. */
export function GraphCanvas({ label, layout, nodes, selected, highlighted, onSelect }: GraphCanvasProps) {
  return (
    <div className="graph-scroll">
      <svg
        className="graph"
        width={layout.width}
        height={layout.height}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="img"
        aria-label={label}
      >
        <title>{label}</title>
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" className="graph-arrow" />
          </marker>
        </defs>
        {layout.edges.map((edge, index) => (
          <path
            // biome-ignore lint/suspicious/noArrayIndexKey: two edges may join the same nodes (kinds differ).
            key={index}
            d={edge.path}
            className="graph-edge"
            markerEnd="url(#arrow)"
          />
        ))}
        {nodes.map((node) => {
          const box = layout.nodes.get(node.id);
          if (!box) return null;
          const classes = ["graph-node", node.className];
          if (node.id === selected) classes.push("selected");
          if (node.id === highlighted) classes.push("highlighted");
          return (
            // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>.
            <g
              key={node.id}
              className={classes.join(" ")}
              data-node-id={node.id}
              transform={`translate(${box.x},${box.y})`}
              role="button"
              tabIndex={onSelect ? 0 : -1}
              onClick={() => onSelect?.(node.id)}
              onKeyDown={(event) => {
                if (event.key === "Enter" || event.key === " ") onSelect?.(node.id);
              }}
            >
              <title>{node.title ?? node.label}</title>
              <rect width={box.width} height={box.height} rx={6} />
              <text x={box.width / 2} y={box.height / 2} dominantBaseline="central" textAnchor="middle">
                {truncate(node.label, Math.floor((box.width - 16) / 7))}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
