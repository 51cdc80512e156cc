import { useGraphLayout } from "../graph/use-graph-layout.js";
import { ErrorMessage } from "./error-message.js";
import { GraphCanvas } from "./graph-canvas.js";

export interface DagTask {
  id: string;
  /** The task's state in a run; absent on a pipeline's definition. */
  state?: string;
  detail?: string;
}

interface DagGraphProps {
  tasks: DagTask[];
  edges: { from: string; to: string }[];
  selected?: string;
  onSelect?: (taskId: string) => void;
}

/** A pipeline's tasks left to right in dependency order, each colored by its state. */
export function DagGraph({ tasks, edges, selected, onSelect }: DagGraphProps) {
  const { layout, error } = useGraphLayout({
    nodes: tasks.map((task) => ({ id: task.id, label: task.id })),
    edges,
  });
  if (error) return <ErrorMessage error={error} />;
  if (!layout) return <div className="graph-placeholder">Laying out {tasks.length} tasks…</div>;
  return (
    <GraphCanvas
      label="task graph"
      layout={layout}
      selected={selected}
      onSelect={onSelect}
      nodes={tasks.map((task) => ({
        id: task.id,
        label: task.id,
        className: `task state-${task.state ?? "none"}`,
        title: task.state ? `${task.id}: ${task.state}${task.detail ? ` (${task.detail})` : ""}` : task.id,
      }))}
    />
  );
}
