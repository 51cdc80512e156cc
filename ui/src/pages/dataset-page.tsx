import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { query, segment } from "../api/client.js";
import type { DatasetDetail, LineageGraphData, Page, QualityCheck } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { ErrorMessage } from "../components/error-message.js";
import { LineageGraph } from "../components/lineage-graph.js";
import { Loading } from "../components/loading.js";
import { QualityChecksTable } from "../components/quality-checks-table.js";
import { TrendChart } from "../components/trend-chart.js";
import { formatBytes, formatNumber, formatTime } from "../format.js";
import { Score } from "./datasets-page.js";

type Direction = "upstream" | "impact" | "both";

/** One dataset: schema, partitions, quality trend and checks, lineage (column-level on demand). */
export function DatasetPage() {
  const name = useParams().name ?? "";
  const navigate = useNavigate();
  const detail = useApi<DatasetDetail>(`/api/datasets/${segment(name)}`);
  const history = useApi<{ points: { at: string; value: number }[] }>(
    `/api/quality/datasets/${segment(name)}/history?metric=score`,
  );
  const checks = useApi<Page<QualityCheck>>(`/api/quality/checks${query({ dataset: name, limit: 10 })}`);
  const [direction, setDirection] = useState<Direction>("both");
  const [depth, setDepth] = useState(3);
  const [column, setColumn] = useState("");
  const lineage = useApi<LineageGraphData>(
    `/api/lineage/${segment(name)}${query({ direction, depth, column: column || undefined })}`,
  );

  if (detail.error) return <ErrorMessage error={detail.error} />;
  const data = detail.data;
  return (
    <section>
      <div className="title-row">
        <h1>{name}</h1>
        {data && <span className={`badge kind-${data.kind}`}>{data.kind}</span>}
        {data && <Score value={data.qualityScore} />}
      </div>
      {!data && <Loading what="dataset" />}
      {data && (
        <>
          <dl className="facts">
            {data.namespace && (
              <>
                <dt>namespace</dt>
                <dd>{data.namespace}</dd>
              </>
            )}
            <dt>last updated</dt>
            <dd>{formatTime(data.lastUpdatedAt)}</dd>
          </dl>
          <div className="columns-2">
            <div>
              <h2>Schema</h2>
              {data.columns.length === 0 ? (
                <p className="muted">No schema recorded.</p>
              ) : (
                <table className="table compact" aria-label="schema">
                  <thead>
                    <tr>
                      <th>column</th>
                      <th>type</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.columns.map((col) => (
                      <tr key={col.name}>
                        <td>{col.name}</td>
                        <td>
                          <code>{col.type}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
            <div>
              <h2>Partitions</h2>
              {data.partitions.length === 0 ? (
                <p className="muted">Not partitioned, or no partitions written yet.</p>
              ) : (
                <div className="scroll-box">
                  <table className="table compact" aria-label="partitions">
                    <thead>
                      <tr>
                        <th>partition</th>
                        <th>files</th>
                        <th>rows</th>
                        <th>size</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.partitions.map((partition, index) => (
                        <tr key={partition.key ?? partition.path ?? index}>
                          <td>
                            <code>{partition.key ?? partition.path ?? "—"}</code>
                          </td>
                          <td>{formatNumber(partition.files)}</td>
                          <td>{formatNumber(partition.rows)}</td>
                          <td>{formatBytes(partition.bytes)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          </div>
        </>
      )}
      <h2>Quality trend</h2>
      <ErrorMessage error={history.error} />
      {history.data && <TrendChart label="quality score" points={history.data.points} min={0} max={1} />}
      <h2>Latest checks</h2>
      <ErrorMessage error={checks.error} />
      {checks.data && <QualityChecksTable checks={checks.data.items} />}
      <div className="title-row">
        <h2>Lineage</h2>
        <div className="filters">
          <fieldset className="segmented" aria-label="lineage direction">
            {(["upstream", "both", "impact"] as const).map((value) => (
              <label key={value} className={direction === value ? "active" : undefined}>
                <input
                  type="radio"
                  name="direction"
                  value={value}
                  checked={direction === value}
                  onChange={() => setDirection(value)}
                />
                {value}
              </label>
            ))}
          </fieldset>
          <label>
            depth{" "}
            <select value={depth} onChange={(event) => setDepth(Number(event.target.value))}>
              {[1, 2, 3, 5, 8].map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </select>
          </label>
          <label>
            column{" "}
            <select
              value={column}
              onChange={(event) => setColumn(event.target.value)}
              data-testid="lineage-column"
            >
              <option value="">whole dataset</option>
              {data?.columns.map((col) => (
                <option key={col.name} value={col.name}>
                  {col.name}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <ErrorMessage error={lineage.error} />
      {!lineage.data && !lineage.error && <Loading what="lineage" />}
      {lineage.data && (
        <LineageGraph
          graph={lineage.data}
          focus={name}
          onSelect={(id) => {
            const node = lineage.data?.nodes.find((candidate) => candidate.id === id);
            if (node?.kind === "dataset" && node.name && node.name !== name) {
              navigate(`/datasets/${encodeURIComponent(node.name)}`);
            }
          }}
        />
      )}
      <p className="muted small">
        Click a dataset in the graph to open it. <Link to="/quality">All quality checks</Link>
      </p>
    </section>
  );
}
