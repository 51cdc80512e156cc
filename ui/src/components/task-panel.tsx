import { useState } from "react";
import type { TaskInstance } from "../api/types.js";
import { formatDuration, formatNumber, formatTime } from "../format.js";
import { AttemptLogs } from "./attempt-logs.js";
import { StateBadge } from "./state-badge.js";

interface TaskPanelProps {
  runId: string;
  instances: TaskInstance[];
  canRetry: boolean;
  onRetry: (taskId: string) => void;
}

/** The selected task: its instances and attempts, and the chosen attempt's log. */
export function TaskPanel({ runId, instances, canRetry, onRetry }: TaskPanelProps) {
  const first = instances[0];
  const [choice, setChoice] = useState<{ mapIndex: number; attempt: number }>();
  if (!first) return null;
  const latest = instances
    .flatMap((instance) => instance.attempts.map((attempt) => ({ instance, attempt })))
    .at(-1);
  const shown =
    choice ?? (latest ? { mapIndex: latest.instance.mapIndex, attempt: latest.attempt.attempt } : undefined);
  const shownInstance = instances.find((instance) => instance.mapIndex === shown?.mapIndex);
  const shownAttempt = shownInstance?.attempts.find((attempt) => attempt.attempt === shown?.attempt);

  return (
    <aside className="task-panel card" data-testid="task-panel" aria-label={`task ${first.taskId}`}>
      <div className="title-row">
        <h2>{first.taskId}</h2>
        {canRetry && (
          <button type="button" className="secondary" onClick={() => onRetry(first.taskId)}>
            Retry task
          </button>
        )}
      </div>
      <table className="table compact" aria-label="attempts">
        <thead>
          <tr>
            <th>instance</th>
            <th>attempt</th>
            <th>state</th>
            <th>started</th>
            <th>duration</th>
            <th>rows in/out/rejected</th>
          </tr>
        </thead>
        <tbody>
          {instances.flatMap((instance) =>
            instance.attempts.length === 0
              ? [
                  <tr key={`${instance.mapIndex}-none`}>
                    <td>{instance.mapIndex >= 0 ? instance.mapIndex : "—"}</td>
                    <td>—</td>
                    <td>
                      <StateBadge state={instance.state} />
                    </td>
                    <td colSpan={3} className="muted">
                      not started
                    </td>
                  </tr>,
                ]
              : instance.attempts.map((attempt) => {
                  const selected = shown?.mapIndex === instance.mapIndex && shown.attempt === attempt.attempt;
                  return (
                    <tr
                      key={`${instance.mapIndex}-${attempt.attempt}`}
                      className={selected ? "selected" : undefined}
                    >
                      <td>{instance.mapIndex >= 0 ? instance.mapIndex : "—"}</td>
                      <td>
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => setChoice({ mapIndex: instance.mapIndex, attempt: attempt.attempt })}
                        >
                          #{attempt.attempt}
                        </button>
                      </td>
                      <td>
                        <StateBadge state={attempt.state} />
                      </td>
                      <td>{formatTime(attempt.startedAt)}</td>
                      <td>{formatDuration(attempt.durationMs)}</td>
                      <td>
                        {formatNumber(attempt.rows?.in)} / {formatNumber(attempt.rows?.out)} /{" "}
                        {formatNumber(attempt.rows?.rejected)}
                      </td>
                    </tr>
                  );
                }),
          )}
        </tbody>
      </table>
      {shownAttempt?.error && (
        <div className="error" role="alert">
          {shownAttempt.error}
        </div>
      )}
      {shown && shownAttempt && (
        <>
          <h3>
            Log of attempt #{shown.attempt}
            {shown.mapIndex >= 0 ? ` (instance ${shown.mapIndex})` : ""}
          </h3>
          <AttemptLogs
            runId={runId}
            taskId={first.taskId}
            mapIndex={shown.mapIndex}
            attempt={shown.attempt}
            version={`${shownAttempt.state}:${shownAttempt.endedAt ?? ""}`}
          />
        </>
      )}
    </aside>
  );
}
