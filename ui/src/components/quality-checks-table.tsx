import { Link } from "react-router";
import type { QualityCheck } from "../api/types.js";
import { formatNumber, formatTime } from "../format.js";
import { Score } from "../pages/datasets-page.js";
import { checkScore } from "../quality-score.js";
import { StateBadge } from "./state-badge.js";

/** Suite runs with their outcome, score and the expectations that failed. */
export function QualityChecksTable({
  checks,
  showDataset = false,
}: {
  checks: QualityCheck[];
  showDataset?: boolean;
}) {
  if (checks.length === 0) return <p className="muted">No quality checks recorded.</p>;
  return (
    <table className="table" aria-label="quality checks">
      <thead>
        <tr>
          {showDataset && <th>dataset</th>}
          <th>suite</th>
          <th>checked</th>
          <th>outcome</th>
          <th>score</th>
          <th>failing expectations</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((check) => {
          const failing = check.results.filter((result) => !result.success);
          return (
            <tr key={check.id} data-check-id={check.id}>
              {showDataset && (
                <td>
                  <Link to={`/datasets/${encodeURIComponent(check.dataset)}`}>{check.dataset}</Link>
                </td>
              )}
              <td>{check.suite ?? "—"}</td>
              <td>{formatTime(check.checkedAt)}</td>
              <td>
                <StateBadge state={check.success ? "passed" : "failed"} />
              </td>
              <td>
                <Score value={checkScore(check.score)} />
              </td>
              <td>
                {failing.length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  <ul className="plain">
                    {failing.map((result) => (
                      <li key={result.name}>
                        <code>{result.name}</code>{" "}
                        <span className={`badge severity-${result.severity}`}>{result.severity}</span>
                        {result.unexpectedCount !== undefined && (
                          <span className="muted small">
                            {" "}
                            {formatNumber(result.unexpectedCount)} unexpected
                            {result.unexpectedPercent != null &&
                              ` (${formatNumber(result.unexpectedPercent, 2)}%)`}
                          </span>
                        )}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
