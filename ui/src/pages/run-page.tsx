import { useEffect, useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { api, segment } from "../api/client.js";
import { hasRole, usePrincipal } from "../api/session.js";
import type { RunDetail, RunSummary } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { useEvents } from "../api/use-events.js";
import { useThrottled } from "../api/use-throttled.js";
import { DagGraph } from "../components/dag-graph.js";
import { ErrorMessage } from "../components/error-message.js";
import { Gantt } from "../components/gantt.js";
import { Loading } from "../components/loading.js";
import { StateBadge } from "../components/state-badge.js";
import { TaskPanel } from "../components/task-panel.js";
import { elapsedMs, formatDuration, formatTime } from "../format.js";
import { groupByTask, taskState } from "../runs/task-states.js";

/**
 * One run: its task graph colored by state, a Gantt of attempts, a task's attempts and
 * logs, Retry. Live: the run's events update the state at once and re-read the detail.
 */
export function RunPage() {
  const id = useParams().id ?? "";
  const location = useLocation();
  const principal = usePrincipal();
  const { data, error, reload } = useApi<RunDetail>(`/api/runs/${segment(id)}`);
  // The summary the trigger answered with, shown until the detail arrives.
  const [live, setLive] = useState<RunSummary | undefined>(
    (location.state as { run?: RunSummary } | null)?.run?.id === id
      ? (location.state as { run: RunSummary }).run
      : undefined,
  );
  const [taskStates, setTaskStates] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState<string>();
  const [actionError, setActionError] = useState<Error>();
  const refresh = useThrottled(reload, 400);

  // A detail that has caught up with the last event is the truth again. One read before the
  // event may answer after it: it does not move the state back.
  useEffect(() => {
    if (!data) return;
    setLive((current) =>
      current && STATE_RANK[current.state] > STATE_RANK[data.state] ? current : undefined,
    );
    setTaskStates({});
  }, [data]);

  useEvents(
    {
      run: (run) => {
        if (run.id !== id) return;
        setLive(run);
        refresh();
      },
      task: (task) => {
        if (task.runId !== id) return;
        if (task.mapIndex < 0) setTaskStates((current) => ({ ...current, [task.taskId]: task.state }));
        refresh();
      },
    },
    { runId: id },
  );

  const runState = live?.state ?? data?.state;
  const running = runState === "queued" || runState === "running";
  const now = useNow(running ? 1000 : null);

  async function retry(tasks?: string[]) {
    setActionError(undefined);
    try {
      const answer = await api<{ run: RunSummary }>(`/api/runs/${segment(id)}/retry`, {
        method: "POST",
        body: tasks ? { tasks } : {},
      });
      setLive(answer.run);
      reload();
    } catch (cause) {
      setActionError(cause instanceof Error ? cause : new Error(String(cause)));
    }
  }

  if (error && !data) return <ErrorMessage error={error} />;
  const summary: RunSummary | undefined = data ? { ...data, ...(live ?? {}) } : live;
  if (!summary) return <Loading what={`run ${id}`} />;
  const canRetry = hasRole(principal, "operator") && !running;
  const grouped = groupByTask(data?.tasks ?? []);
  const selectedInstances = selected ? grouped.get(selected) : undefined;

  return (
    <section>
      <div className="title-row">
        <h1>
          <Link to={`/pipelines/${encodeURIComponent(summary.pipeline)}`}>{summary.pipeline}</Link>{" "}
          <span className="muted">{summary.logicalDate}</span>
        </h1>
        <span data-testid="run-state">
          <StateBadge state={summary.state} />
        </span>
        <button
          type="button"
          data-testid="retry-run"
          disabled={!canRetry}
          title={hasRole(principal, "operator") ? "Run the failed tasks again" : "needs the operator role"}
          onClick={() => void retry()}
        >
          Retry
        </button>
      </div>
      <ErrorMessage error={actionError} />
      <dl className="facts">
        <dt>run</dt>
        <dd>
          <code>{summary.id}</code>
        </dd>
        <dt>type</dt>
        <dd>{summary.runType}</dd>
        <dt>interval</dt>
        <dd>
          {formatTime(summary.intervalStart)} → {formatTime(summary.intervalEnd)}
        </dd>
        <dt>started</dt>
        <dd>{formatTime(summary.startedAt)}</dd>
        <dt>duration</dt>
        <dd>
          {summary.durationMs !== undefined
            ? formatDuration(summary.durationMs)
            : running
              ? formatDuration(elapsedMs(summary.startedAt, undefined, now))
              : "—"}
        </dd>
        {data && Object.keys(data.params).length > 0 && (
          <>
            <dt>params</dt>
            <dd data-testid="run-params">
              {Object.entries(data.params).map(([key, value]) => (
                <code key={key} className="param" data-param={key}>
                  {key}={value}
                </code>
              ))}
            </dd>
          </>
        )}
      </dl>
      {summary.error && (
        <div className="error" role="alert">
          {summary.error}
        </div>
      )}
      {!data ? (
        <Loading what="tasks" />
      ) : (
        <>
          <h2>Tasks</h2>
          <DagGraph
            tasks={[...grouped.entries()].map(([taskId, instances]) => ({
              id: taskId,
              state: taskStates[taskId] ?? taskState(instances),
              detail: instances.length > 1 ? `${instances.length} instances` : undefined,
            }))}
            edges={data.edges}
            selected={selected}
            onSelect={setSelected}
          />
          <div className="split">
            <div className="split-main">
              <h2>Attempts</h2>
              <Gantt tasks={data.tasks} now={now} selected={selected} onSelect={setSelected} />
            </div>
            {selectedInstances && (
              <TaskPanel
                key={selected}
                runId={summary.id}
                instances={selectedInstances}
                canRetry={canRetry}
                onRetry={(taskId) => void retry([taskId])}
              />
            )}
          </div>
        </>
      )}
    </section>
  );
}

const STATE_RANK: Record<RunSummary["state"], number> = { queued: 0, running: 1, succeeded: 2, failed: 2 };

/** The current time, ticking every `intervalMs` while given (a live run's clock). */
function useNow(intervalMs: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (intervalMs === null) return;
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
