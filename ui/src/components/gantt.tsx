import type { TaskInstance } from "../api/types.js";
import { formatDuration, formatTime } from "../format.js";

interface GanttProps {
  tasks: TaskInstance[];
  /** Now, for attempts still running (the page re-renders it while the run is live). */
  now: number;
  selected?: string;
  onSelect?: (taskId: string) => void;
}

const TICKS = 5;

/** One row per task instance, one bar per attempt on a shared time axis from the first start. */
export function Gantt({ tasks, now, selected, onSelect }: GanttProps) {
  const attempts = tasks.flatMap((task) => task.attempts);
  if (attempts.length === 0) return <p className="muted">No attempts have started yet.</p>;
  const start = Math.min(...attempts.map((attempt) => Date.parse(attempt.startedAt)));
  const end = Math.max(...attempts.map((attempt) => (attempt.endedAt ? Date.parse(attempt.endedAt) : now)));
  const span = Math.max(end - start, 1000);
  const percent = (at: number) => `${((at - start) / span) * 100}%`;

  return (
    <div className="gantt" data-testid="gantt">
      <div className="gantt-row gantt-axis">
        <div className="gantt-label">task</div>
        <div className="gantt-track">
          {Array.from({ length: TICKS + 1 }, (_, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the ticks are positions on the axis.
            <span key={index} className="gantt-tick" style={{ left: `${(index / TICKS) * 100}%` }}>
              +{formatDuration((span * index) / TICKS)}
            </span>
          ))}
        </div>
      </div>
      {tasks.map((task) => {
        const name = task.mapIndex >= 0 ? `${task.taskId}[${task.mapIndex}]` : task.taskId;
        return (
          <div
            key={`${task.taskId}:${task.mapIndex}`}
            className={`gantt-row${task.taskId === selected ? " selected" : ""}`}
            data-task-id={task.taskId}
          >
            <button type="button" className="gantt-label link-button" onClick={() => onSelect?.(task.taskId)}>
              {name}
            </button>
            <div className="gantt-track">
              {task.attempts.map((attempt) => {
                const from = Date.parse(attempt.startedAt);
                const to = attempt.endedAt ? Date.parse(attempt.endedAt) : now;
                return (
                  <span
                    key={attempt.attempt}
                    className={`gantt-bar state-${attempt.state}`}
                    data-state={attempt.state}
                    style={{ left: percent(from), width: `max(3px, ${((to - from) / span) * 100}%)` }}
                    title={`${name} attempt ${attempt.attempt}: ${attempt.state}, ${formatTime(attempt.startedAt)}, ${formatDuration(to - from)}${attempt.error ? ` — ${attempt.error}` : ""}`}
                  />
                );
              })}
            </div>
          </div>
        );
      })}
    </div>
  );
}
