import type { Page, QualityCheck } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { ErrorMessage } from "../components/error-message.js";
import { Loading } from "../components/loading.js";
import { QualityChecksTable } from "../components/quality-checks-table.js";

/** How many recent checks the report reads to find each dataset's latest. */
const RECENT_CHECKS = 500;

/** The quality report: each dataset's latest check, failing datasets first. */
export function QualityPage() {
  const { data, error } = useApi<Page<QualityCheck>>(`/api/quality/checks?limit=${RECENT_CHECKS}`);
  const latest = data ? latestPerDataset(data.items) : [];
  const failing = latest.filter((check) => !check.success);
  return (
    <section>
      <h1>Quality</h1>
      <ErrorMessage error={error} />
      {!data && !error && <Loading what="quality checks" />}
      {data && (
        <>
          <p className="summary-line">
            <strong>{latest.length}</strong> datasets checked,{" "}
            <strong className={failing.length ? "bad" : ""}>{failing.length}</strong> failing their latest
            check.
          </p>
          <QualityChecksTable checks={[...failing, ...latest.filter((check) => check.success)]} showDataset />
        </>
      )}
    </section>
  );
}

function latestPerDataset(checks: readonly QualityCheck[]): QualityCheck[] {
  const seen = new Map<string, QualityCheck>();
  for (const check of checks) {
    const known = seen.get(check.dataset);
    if (!known || Date.parse(check.checkedAt) > Date.parse(known.checkedAt)) seen.set(check.dataset, check);
  }
  return [...seen.values()].sort((a, b) => a.dataset.localeCompare(b.dataset));
}
