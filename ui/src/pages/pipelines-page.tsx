import { Link, useNavigate } from "react-router";
import type { Pipeline } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { useEvents } from "../api/use-events.js";
import { useThrottled } from "../api/use-throttled.js";
import { ErrorMessage } from "../components/error-message.js";
import { Loading } from "../components/loading.js";
import { PipelineActions } from "../components/pipeline-actions.js";
import { StateBadge } from "../components/state-badge.js";
import { formatRelative, formatTime } from "../format.js";

/** Every pipeline: schedule, next run, last run's state, and the actions. Live. */
export function PipelinesPage() {
  const { data, error, reload } = useApi<{ items: Pipeline[] }>("/api/pipelines");
  const navigate = useNavigate();
  const refresh = useThrottled(reload, 1000);
  useEvents({ run: refresh });

  return (
    <section>
      <h1>Pipelines</h1>
      <ErrorMessage error={error} />
      {!data && !error && <Loading what="pipelines" />}
      {data && data.items.length === 0 && (
        <p className="muted">No pipelines registered. Add a pipeline file and run `weir pipelines`.</p>
      )}
      {data && data.items.length > 0 && (
        <table className="table" aria-label="pipelines">
          <thead>
            <tr>
              <th>pipeline</th>
              <th>schedule</th>
              <th>next run</th>
              <th>last run</th>
              <th>tasks</th>
              <th aria-label="actions" />
            </tr>
          </thead>
          <tbody>
            {data.items.map((pipeline) => (
              <tr key={pipeline.id} data-pipeline-id={pipeline.id}>
                <td>
                  <Link to={`/pipelines/${encodeURIComponent(pipeline.id)}`}>{pipeline.id}</Link>
                  {pipeline.description && <div className="muted small">{pipeline.description}</div>}
                </td>
                <td>
                  {pipeline.schedule ? (
                    <code>{pipeline.schedule}</code>
                  ) : (
                    <span className="muted">manual</span>
                  )}
                  {pipeline.timezone && <span className="muted small"> {pipeline.timezone}</span>}
                  {pipeline.paused && <span className="badge state-paused">paused</span>}
                </td>
                <td title={formatTime(pipeline.nextRunAt)}>
                  {pipeline.paused ? "—" : formatRelative(pipeline.nextRunAt)}
                </td>
                <td>
                  {pipeline.lastRun ? (
                    <Link to={`/runs/${encodeURIComponent(pipeline.lastRun.id)}`}>
                      <StateBadge state={pipeline.lastRun.state} /> {pipeline.lastRun.logicalDate}
                    </Link>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td>{pipeline.tasks.length}</td>
                <td>
                  <PipelineActions
                    pipeline={pipeline}
                    onTriggered={(run) => navigate(`/runs/${encodeURIComponent(run.id)}`, { state: { run } })}
                    onChanged={reload}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
