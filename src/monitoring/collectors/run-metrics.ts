import { runKeyOf } from "../../metadata/run-row.js";
import { placeholders } from "../../metadata/sql-database.js";
import { type DerivedFamily, family } from "../metric-family.js";
import { ageSeconds, type CollectContext, epochSeconds } from "./collect-context.js";
import type { PipelineRuns } from "./run-scan.js";

/**
 * Run metrics from the scan of `runs`: finished runs by status (a count, so it only grows
 * while history is kept), runs waiting and running, the last success, the oldest
 * unfinished run (SLA), the stalest heartbeat (stuck runs) and scheduler lag. Every known
 * pipeline gets zero-valued series, so `rate()` sees its first failure.
 */
export async function collectRunMetrics(
  ctx: CollectContext,
  runs: ReadonlyMap<string, PipelineRuns>,
  pipelineIds: ReadonlySet<string>,
): Promise<DerivedFamily[]> {
  const finished = family(
    "data_pipeline_runs_total",
    "counter",
    "Finished pipeline runs by final status (succeeded, failed), counted in the metadata store.",
  );
  const queued = family("weir_runs_queued", "gauge", "Runs waiting for an executor (the run queue depth).");
  const running = family("weir_runs_running", "gauge", "Runs an executor is running.");
  const lastSuccess = family(
    "weir_pipeline_last_success_timestamp_seconds",
    "gauge",
    "When the pipeline's latest successful run ended (Unix time).",
  );
  const unfinished = family(
    "weir_run_oldest_unfinished_age_seconds",
    "gauge",
    "Age of the pipeline's oldest queued or running run, since it was queued (compare with the SLA).",
  );
  const heartbeat = family(
    "weir_run_heartbeat_age_seconds",
    "gauge",
    "Seconds since the stalest heartbeat of the pipeline's running runs (a stuck or dead executor).",
  );
  const ids = [...new Set([...pipelineIds, ...runs.keys()])].sort();
  for (const id of ids) {
    const p = runs.get(id);
    const labels = { pipeline_name: id };
    const count = (state: string) => p?.counts[state] ?? 0;
    for (const status of ["succeeded", "failed"]) {
      finished.samples.push({ labels: { pipeline_name: id, status }, value: count(status) });
    }
    queued.samples.push({ labels, value: count("queued") });
    running.samples.push({ labels, value: count("running") });
    const success = epochSeconds(p?.lastSuccessAt);
    if (success !== undefined) lastSuccess.samples.push({ labels, value: success });
    const waiting = ageSeconds(p?.oldestUnfinishedAt, ctx.now);
    if (waiting !== undefined) unfinished.samples.push({ labels, value: Math.max(0, waiting) });
    const beat = ageSeconds(p?.stalestBeatAt, ctx.now);
    if (beat !== undefined) heartbeat.samples.push({ labels, value: Math.max(0, beat) });
  }
  return [finished, queued, running, lastSuccess, unfinished, heartbeat, await schedulerLag(ctx, runs)];
}

/**
 * How late the latest scheduled run of each pipeline started: a run is due when its
 * interval ends; a run still queued is as late as it has waited so far. The latest runs
 * are read by their unique `run_key`, not by another scan.
 */
async function schedulerLag(
  ctx: CollectContext,
  runs: ReadonlyMap<string, PipelineRuns>,
): Promise<DerivedFamily> {
  const lag = family(
    "weir_scheduler_lag_seconds",
    "gauge",
    "Seconds between the end of the latest scheduled interval (when its run was due) and the run's start (or now, while queued).",
  );
  const keys = [...runs.values()]
    .filter((p) => p.latestScheduledTime !== undefined)
    .map((p) => runKeyOf(p.pipeline, p.latestScheduledTime!));
  const rows: { pipeline: string; state: string; interval_end: string; started_at: string }[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    rows.push(
      ...(await ctx.db.all<(typeof rows)[number]>(
        `SELECT pipeline, state, interval_end, started_at FROM runs WHERE run_key IN (${placeholders(chunk.length)})`,
        chunk,
      )),
    );
  }
  for (const row of rows.sort((a, b) => (a.pipeline < b.pipeline ? -1 : 1))) {
    const due = epochSeconds(row.interval_end);
    const started = row.state === "queued" ? ctx.now.getTime() / 1000 : epochSeconds(row.started_at);
    if (due === undefined || started === undefined) continue;
    lag.samples.push({ labels: { pipeline_name: row.pipeline }, value: Math.max(0, started - due) });
  }
  return lag;
}
