import { type FormEvent, useEffect, useState } from "react";
import { useParams } from "react-router";
import { api, segment } from "../api/client.js";
import { hasRole, usePrincipal } from "../api/session.js";
import type { PipelineDetail, RunSummary } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { useEvents } from "../api/use-events.js";
import { DagGraph } from "../components/dag-graph.js";
import { ErrorMessage } from "../components/error-message.js";
import { Loading } from "../components/loading.js";
import { PipelineActions } from "../components/pipeline-actions.js";
import { RunsList } from "../components/runs-list.js";
import { formatRelative, formatTime } from "../format.js";
import { mergeRun } from "../runs/merge-run.js";

/** One pipeline: its definition, task graph, actions, backfill and recent runs (live). */
export function PipelinePage() {
  const id = useParams().id ?? "";
  const { data, error, reload } = useApi<PipelineDetail>(`/api/pipelines/${segment(id)}`);
  const [runs, setRuns] = useState<RunSummary[]>([]);
  useEffect(() => setRuns(data?.recentRuns ?? []), [data]);
  useEvents({
    run: (run) => {
      if (run.pipeline === id) setRuns((current) => mergeRun(current, run));
    },
  });

  if (error) return <ErrorMessage error={error} />;
  if (!data) return <Loading what={`pipeline ${id}`} />;
  return (
    <section>
      <div className="title-row">
        <h1>{data.id}</h1>
        <PipelineActions
          pipeline={data}
          onTriggered={(run) => setRuns((current) => mergeRun(current, run))}
          onChanged={reload}
        />
      </div>
      {data.description && <p>{data.description}</p>}
      <dl className="facts">
        <dt>schedule</dt>
        <dd>
          {data.schedule ? <code>{data.schedule}</code> : "manual"} {data.timezone}
          {data.paused && <span className="badge state-paused">paused</span>}
        </dd>
        <dt>next run</dt>
        <dd title={formatTime(data.nextRunAt)}>{data.paused ? "—" : formatRelative(data.nextRunAt)}</dd>
        {data.owner && (
          <>
            <dt>owner</dt>
            <dd>{data.owner}</dd>
          </>
        )}
        {data.tags.length > 0 && (
          <>
            <dt>tags</dt>
            <dd>{data.tags.join(", ")}</dd>
          </>
        )}
        {data.file && (
          <>
            <dt>file</dt>
            <dd>
              <code>{data.file}</code>
            </dd>
          </>
        )}
      </dl>
      <h2>Tasks</h2>
      <DagGraph
        tasks={data.tasks.map((task) => ({ id: task.id }))}
        edges={data.tasks.flatMap((task) => task.upstream.map((from) => ({ from, to: task.id })))}
      />
      <BackfillForm
        pipelineId={data.id}
        onQueued={(queued) => setRuns((current) => queued.reduce(mergeRun, current))}
      />
      <h2>Recent runs</h2>
      <RunsList runs={runs} />
    </section>
  );
}

function BackfillForm({
  pipelineId,
  onQueued,
}: {
  pipelineId: string;
  onQueued: (runs: RunSummary[]) => void;
}) {
  const principal = usePrincipal();
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [error, setError] = useState<Error>();
  const [message, setMessage] = useState<string>();
  if (!hasRole(principal, "operator")) return null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    try {
      const { runs } = await api<{ runs: RunSummary[] }>(`/api/pipelines/${segment(pipelineId)}/backfill`, {
        method: "POST",
        body: { start, end },
      });
      setMessage(`${runs.length} runs queued`);
      onQueued(runs);
    } catch (cause) {
      setError(cause instanceof Error ? cause : new Error(String(cause)));
    }
  }

  return (
    <form className="inline-form" onSubmit={submit} aria-label="backfill">
      <h2>Backfill</h2>
      <label>
        from <input type="date" value={start} onChange={(event) => setStart(event.target.value)} required />
      </label>
      <label>
        to <input type="date" value={end} onChange={(event) => setEnd(event.target.value)} required />
      </label>
      <button type="submit" className="secondary">
        Queue backfill
      </button>
      {message && <span className="muted">{message}</span>}
      <ErrorMessage error={error} />
    </form>
  );
}
