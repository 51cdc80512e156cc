import { Link } from "react-router";
import type { StreamSummary } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { usePolling } from "../api/use-polling.js";
import { ErrorMessage } from "../components/error-message.js";
import { Loading } from "../components/loading.js";
import { StateBadge } from "../components/state-badge.js";
import { formatDuration, formatNumber, formatTime } from "../format.js";

/** Stream jobs with their watermark, lag and throughput; refreshed every few seconds. */
export function StreamsPage() {
  const { data, error, reload } = useApi<{ items: StreamSummary[] }>("/api/streams");
  usePolling(reload, 3000);
  return (
    <section>
      <h1>Streams</h1>
      <ErrorMessage error={error} />
      {!data && !error && <Loading what="stream jobs" />}
      {data && data.items.length === 0 && <p className="muted">No stream job has checkpointed yet.</p>}
      {data && data.items.length > 0 && (
        <table className="table" aria-label="stream jobs">
          <thead>
            <tr>
              <th>job</th>
              <th>state</th>
              <th>partitions</th>
              <th>watermark</th>
              <th>lag</th>
              <th>events/s</th>
              <th>last checkpoint</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((stream) => (
              <tr key={stream.job}>
                <td>
                  <Link to={`/streams/${encodeURIComponent(stream.job)}`}>{stream.job}</Link>
                </td>
                <td>
                  <StateBadge state={stream.state} />
                </td>
                <td>{stream.partitions}</td>
                <td>{formatTime(stream.watermark)}</td>
                <td>{formatDuration(stream.lagMs)}</td>
                <td>{formatNumber(stream.eventsPerSecond, 1)}</td>
                <td>{formatTime(stream.lastCheckpointAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
