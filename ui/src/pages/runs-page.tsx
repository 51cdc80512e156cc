import { Link, useSearchParams } from "react-router";
import type { Pipeline, RunSummary } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { useEvents } from "../api/use-events.js";
import { ErrorMessage } from "../components/error-message.js";
import { StateBadge } from "../components/state-badge.js";
import { type Column, VirtualTable } from "../components/virtual-table.js";
import { formatDuration, formatNumber, formatTime } from "../format.js";
import { useRunPages } from "../runs/use-run-pages.js";

const STATES = ["queued", "running", "succeeded", "failed"];

const COLUMNS: Column<RunSummary>[] = [
  {
    key: "id",
    header: "run",
    width: "minmax(110px, 1fr)",
    render: (run) => <Link to={`/runs/${encodeURIComponent(run.id)}`}>{run.id.slice(0, 12)}</Link>,
  },
  {
    key: "pipeline",
    header: "pipeline",
    width: "minmax(120px, 1.4fr)",
    render: (run) => <Link to={`/pipelines/${encodeURIComponent(run.pipeline)}`}>{run.pipeline}</Link>,
  },
  { key: "date", header: "logical date", width: "110px", render: (run) => run.logicalDate },
  { key: "state", header: "state", width: "110px", render: (run) => <StateBadge state={run.state} /> },
  { key: "type", header: "type", width: "120px", render: (run) => run.runType },
  {
    key: "started",
    header: "started",
    width: "minmax(150px, 1.2fr)",
    render: (run) => formatTime(run.startedAt),
  },
  { key: "duration", header: "duration", width: "90px", render: (run) => formatDuration(run.durationMs) },
];

/** All runs, newest first, filtered by pipeline and state; pages load as the table scrolls. */
export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const pipeline = params.get("pipeline") ?? undefined;
  const state = params.get("state") ?? undefined;
  const pipelines = useApi<{ items: Pipeline[] }>("/api/pipelines");
  const pages = useRunPages({ pipeline, state });
  useEvents({ run: pages.apply });

  function setFilter(name: "pipeline" | "state", value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  }

  return (
    <section className="fill">
      <div className="title-row">
        <h1>Runs</h1>
        <span className="muted" data-testid="runs-count">
          {pages.total !== undefined
            ? `${formatNumber(pages.runs.length)} of ${formatNumber(pages.total)} loaded`
            : `${formatNumber(pages.runs.length)} loaded`}
        </span>
      </div>
      <div className="filters">
        <label>
          pipeline{" "}
          <select value={pipeline ?? ""} onChange={(event) => setFilter("pipeline", event.target.value)}>
            <option value="">all</option>
            {pipelines.data?.items.map((item) => (
              <option key={item.id} value={item.id}>
                {item.id}
              </option>
            ))}
          </select>
        </label>
        <label>
          state{" "}
          <select value={state ?? ""} onChange={(event) => setFilter("state", event.target.value)}>
            <option value="">all</option>
            {STATES.map((item) => (
              <option key={item} value={item}>
                {item}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={pages.error} />
      <VirtualTable
        label="runs"
        columns={COLUMNS}
        rows={pages.runs}
        rowKey={(run) => run.id}
        hasMore={pages.hasMore}
        loadingMore={pages.loading}
        onEndReached={pages.loadMore}
      />
    </section>
  );
}
