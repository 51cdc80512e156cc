import { segment } from "../api/client.js";
import type { LogLine } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { formatTime } from "../format.js";
import { ErrorMessage } from "./error-message.js";

interface AttemptLogsProps {
  runId: string;
  taskId: string;
  mapIndex: number;
  attempt: number;
  /** Changes while the attempt runs, so its log is fetched again. */
  version: string;
}

/** The log lines one attempt wrote. */
export function AttemptLogs({ runId, taskId, mapIndex, attempt, version }: AttemptLogsProps) {
  const path = `/api/runs/${segment(runId)}/tasks/${segment(taskId)}/attempts/${attempt}/logs?mapIndex=${mapIndex}&v=${encodeURIComponent(version)}`;
  const { data, error } = useApi<{ lines: LogLine[] }>(path);
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <p className="muted">Loading logs…</p>;
  if (data.lines.length === 0) return <p className="muted">This attempt wrote no log lines.</p>;
  return (
    <pre className="logs" data-testid="attempt-logs">
      {data.lines.map((line, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a log only grows; two lines may share a time.
        <div key={`${line.at}-${index}`} className={`log-line level-${line.level}`}>
          <span className="log-time">{formatTime(line.at)}</span>{" "}
          <span className="log-level">{line.level}</span> {line.message}
        </div>
      ))}
    </pre>
  );
}
