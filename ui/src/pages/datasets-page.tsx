import { Link } from "react-router";
import type { DatasetSummary } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { ErrorMessage } from "../components/error-message.js";
import { Loading } from "../components/loading.js";
import { formatNumber, formatTime } from "../format.js";

/** Every dataset weir knows of (lake, warehouse, sources), with its latest quality score. */
export function DatasetsPage() {
  const { data, error } = useApi<{ items: DatasetSummary[] }>("/api/datasets");
  return (
    <section>
      <h1>Datasets</h1>
      <ErrorMessage error={error} />
      {!data && !error && <Loading what="datasets" />}
      {data && data.items.length === 0 && <p className="muted">No datasets recorded yet.</p>}
      {data && data.items.length > 0 && (
        <table className="table" aria-label="datasets">
          <thead>
            <tr>
              <th>dataset</th>
              <th>kind</th>
              <th>namespace</th>
              <th>last updated</th>
              <th>quality score</th>
            </tr>
          </thead>
          <tbody>
            {data.items.map((dataset) => (
              <tr key={`${dataset.namespace ?? ""}/${dataset.name}`}>
                <td>
                  <Link to={`/datasets/${encodeURIComponent(dataset.name)}`}>{dataset.name}</Link>
                </td>
                <td>
                  <span className={`badge kind-${dataset.kind}`}>{dataset.kind}</span>
                </td>
                <td className="muted small">{dataset.namespace ?? "—"}</td>
                <td>{formatTime(dataset.lastUpdatedAt)}</td>
                <td>
                  <Score value={dataset.qualityScore} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function Score({ value }: { value: number | undefined }) {
  if (value === undefined || value === null) return <span className="muted">—</span>;
  const level = value >= 0.99 ? "good" : value >= 0.9 ? "fair" : "poor";
  return <span className={`score score-${level}`}>{formatNumber(value * 100, 1)}%</span>;
}
