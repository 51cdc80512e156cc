import { Link } from "react-router";
import type { RunSummary } from "../api/types.js";
import { formatDuration, formatTime } from "../format.js";
import { StateBadge } from "./state-badge.js";

/** A short plain table of runs (a pipeline's recent runs); the runs page virtualises instead. */
export function RunsList({ runs }: { runs: RunSummary[] }) {
  if (runs.length === 0) return <p className="muted">No runs yet.</p>;
  return (
    <table className="table" aria-label="recent runs">
      <thead>
        <tr>
          <th>run</th>
          <th>logical date</th>
          <th>state</th>
          <th>type</th>
          <th>started</th>
          <th>duration</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <tr key={run.id} data-run-id={run.id}>
            <td>
              <Link to={`/runs/${encodeURIComponent(run.id)}`}>{run.id.slice(0, 12)}</Link>
            </td>
            <td>{run.logicalDate}</td>
            <td>
              <StateBadge state={run.state} />
            </td>
            <td>{run.runType}</td>
            <td>{formatTime(run.startedAt)}</td>
            <td>{formatDuration(run.durationMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
