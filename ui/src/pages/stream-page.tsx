import { useEffect, useState } from "react";
import { useParams } from "react-router";
import { api, segment } from "../api/client.js";
import { hasRole, usePrincipal } from "../api/session.js";
import type { StreamDetail } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { usePolling } from "../api/use-polling.js";
import { ErrorMessage } from "../components/error-message.js";
import { Loading } from "../components/loading.js";
import { StateBadge } from "../components/state-badge.js";
import { TrendChart } from "../components/trend-chart.js";
import { formatDuration, formatNumber, formatTime } from "../format.js";
import { addSample, type StreamSample } from "../streams/stream-samples.js";

/** One stream job: throughput and lag over the time the page is open, watermark, partitions, reset. */
export function StreamPage() {
  const job = useParams().job ?? "";
  const principal = usePrincipal();
  const { data, error, reload } = useApi<StreamDetail>(`/api/streams/${segment(job)}`);
  const [samples, setSamples] = useState<StreamSample[]>([]);
  const [actionError, setActionError] = useState<Error>();
  const [message, setMessage] = useState<string>();
  usePolling(reload, 2000);
  useEffect(() => {
    if (data) setSamples((current) => addSample(current, data, Date.now()));
  }, [data]);

  async function reset() {
    if (
      !window.confirm(`Reset every partition of ${job} to the earliest position? The job replays its input.`)
    )
      return;
    setActionError(undefined);
    try {
      await api(`/api/streams/${segment(job)}/reset`, { method: "POST", body: { to: "earliest" } });
      setMessage("reset to the earliest position");
      reload();
    } catch (cause) {
      setActionError(cause instanceof Error ? cause : new Error(String(cause)));
    }
  }

  if (error && !data) return <ErrorMessage error={error} />;
  if (!data) return <Loading what={`stream job ${job}`} />;
  const latest = samples.at(-1);
  const throughput = samples
    .filter((sample) => sample.eventsPerSecond !== undefined)
    .map((sample) => ({ at: new Date(sample.at).toISOString(), value: sample.eventsPerSecond ?? 0 }));
  const lag = samples
    .filter((sample) => sample.lagMs !== undefined)
    .map((sample) => ({ at: new Date(sample.at).toISOString(), value: (sample.lagMs ?? 0) / 1000 }));
  const operator = hasRole(principal, "operator");

  return (
    <section>
      <div className="title-row">
        <h1>{data.job}</h1>
        <StateBadge state={data.state} />
        <button
          type="button"
          className="secondary"
          disabled={!operator}
          title={operator ? "Replay the job from the earliest position" : "needs the operator role"}
          onClick={() => void reset()}
        >
          Reset
        </button>
        {message && <span className="muted">{message}</span>}
      </div>
      <ErrorMessage error={actionError} />
      <div className="stats">
        <Stat label="throughput" value={`${formatNumber(latest?.eventsPerSecond, 1)} events/s`} />
        <Stat label="lag" value={formatDuration(data.lagMs)} />
        <Stat label="watermark" value={formatTime(data.watermark)} />
        <Stat label="last checkpoint" value={formatTime(data.lastCheckpointAt)} />
      </div>
      <div className="columns-2">
        <div>
          <h2>Throughput (events/s)</h2>
          <TrendChart label="throughput" points={throughput} min={0} digits={1} height={150} />
        </div>
        <div>
          <h2>Lag (s)</h2>
          <TrendChart label="lag" points={lag} min={0} digits={1} height={150} />
        </div>
      </div>
      <h2>Partitions</h2>
      <table className="table" aria-label="partitions">
        <thead>
          <tr>
            <th>partition</th>
            <th>position</th>
            <th>watermark</th>
            <th>checkpoint</th>
            <th>late events</th>
            <th>dead letters</th>
          </tr>
        </thead>
        <tbody>
          {data.partitions.map((partition) => (
            <tr key={String(partition.partition)}>
              <td>{partition.partition}</td>
              <td>{partition.offset ?? "—"}</td>
              <td>{formatTime(partition.watermark)}</td>
              <td>{formatTime(partition.checkpointAt)}</td>
              <td>{formatNumber(partition.lateEvents)}</td>
              <td className={partition.deadLetters ? "bad" : undefined}>
                {formatNumber(partition.deadLetters)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
    </div>
  );
}
