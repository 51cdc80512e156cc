import { optionalNumber, placeholders, toNumber } from "../../metadata/sql-database.js";
import { histogramColumns, histogramSamples } from "../duration-histogram.js";
import type { Sample } from "../metric-family.js";
import type { CollectContext } from "./collect-context.js";
import type { PipelineRuns } from "./run-scan.js";

/** The families whose samples are computed per pipeline and cached until its runs change. */
export const DETAIL_FAMILIES = [
  "data_pipeline_duration_seconds",
  "weir_task_attempts_total",
  "weir_task_retries_total",
  "weir_task_duration_seconds",
  "weir_task_rows_total",
  "records_processed_total",
  "weir_records_loaded_total",
  "weir_rows_quarantined_total",
] as const;
export type DetailFamily = (typeof DETAIL_FAMILIES)[number];
type Details = Record<DetailFamily, Sample[]>;

/** IN lists stay well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

/**
 * The expensive metrics — histograms, task attempts, rows from run summaries' JSON — per
 * pipeline, recomputed only for pipelines whose runs changed since the previous scrape
 * (their `PipelineRuns.signature` differs). The first scrape reads all history; later ones
 * read the few pipelines that ran. Every process keeps its own cache of the same store,
 * so replicas still agree.
 */
export class PipelineDetailsCache {
  private readonly cached = new Map<string, { signature: string; details: Details }>();

  async samples(ctx: CollectContext, runs: ReadonlyMap<string, PipelineRuns>): Promise<Details> {
    for (const id of [...this.cached.keys()]) if (!runs.has(id)) this.cached.delete(id);
    const changed = [...runs.values()].filter((p) => this.cached.get(p.pipeline)?.signature !== p.signature);
    if (changed.length > 0) {
      const fresh = new Map<string, Details>(changed.map((p) => [p.pipeline, emptyDetails()]));
      if (changed.length === runs.size) {
        await readDetails(ctx, fresh, undefined);
      } else {
        const ids = changed.map((p) => p.pipeline);
        for (let i = 0; i < ids.length; i += CHUNK) await readDetails(ctx, fresh, ids.slice(i, i + CHUNK));
      }
      for (const p of changed)
        this.cached.set(p.pipeline, { signature: p.signature, details: fresh.get(p.pipeline)! });
    }
    const all = emptyDetails();
    for (const id of [...this.cached.keys()].sort()) {
      const { details } = this.cached.get(id)!;
      for (const name of DETAIL_FAMILIES) all[name].push(...details[name]);
    }
    return all;
  }
}

function emptyDetails(): Details {
  return Object.fromEntries(DETAIL_FAMILIES.map((name) => [name, []])) as unknown as Details;
}

/** Reads the details of `ids` (all pipelines when undefined) into `into`. */
async function readDetails(
  ctx: CollectContext,
  into: Map<string, Details>,
  ids: readonly string[] | undefined,
) {
  const { db, sql } = ctx;
  const only = (column: string) => (ids ? ` AND ${column} IN (${placeholders(ids.length)})` : "");
  const params = ids ?? [];
  const push = (pipeline: string, name: DetailFamily, samples: Sample[]) =>
    into.get(pipeline)?.[name].push(...samples);

  const runSeconds = sql.secondsBetween("started_at", "ended_at");
  for (const row of await db.all<Record<string, unknown> & { pipeline: string }>(
    `SELECT pipeline, ${histogramColumns("s")}
     FROM (SELECT pipeline, ${runSeconds} AS s FROM runs
           WHERE state IN ('succeeded', 'failed') AND ended_at IS NOT NULL${only("pipeline")}) t
     GROUP BY pipeline`,
    params,
  )) {
    push(
      row.pipeline,
      "data_pipeline_duration_seconds",
      histogramSamples("data_pipeline_duration_seconds", { pipeline_name: row.pipeline }, row),
    );
  }

  // Attempts: counts by state, retries (attempts after the first) and durations, in one pass.
  const attemptSeconds = sql.secondsBetween("a.started_at", "a.ended_at");
  const perTask = new Map<
    string,
    { pipeline: string; task: string; retries: number; histogram: Record<string, number> }
  >();
  for (const row of await db.all<
    Record<string, unknown> & { pipeline: string; task_id: string; state: string }
  >(
    `SELECT pipeline, task_id, state, COUNT(*) AS attempts, SUM(retry) AS retries, ${histogramColumns("s")}
     FROM (SELECT r.pipeline, a.task_id, a.state, CASE WHEN a.attempt > 1 THEN 1 ELSE 0 END AS retry,
                  CASE WHEN a.state IN ('success', 'failed') AND a.ended_at IS NOT NULL THEN ${attemptSeconds} END AS s
           FROM runs r JOIN task_attempts a ON a.run_id = r.id
           WHERE a.state <> 'running'${only("r.pipeline")}) t
     GROUP BY pipeline, task_id, state ORDER BY pipeline, task_id, state`,
    params,
  )) {
    const labels = { pipeline_name: row.pipeline, task_id: row.task_id };
    push(row.pipeline, "weir_task_attempts_total", [
      { labels: { ...labels, status: row.state }, value: toNumber(row.attempts) },
    ]);
    const key = `${row.pipeline}\u0000${row.task_id}`;
    const task = perTask.get(key) ?? { pipeline: row.pipeline, task: row.task_id, retries: 0, histogram: {} };
    task.retries += toNumber(row.retries ?? 0);
    // Success and failed attempts share one histogram: sum their bucket counts.
    for (const column of Object.keys(row).filter((c) => /^b\d+$|^n$|^total$/.test(c))) {
      task.histogram[column] = (task.histogram[column] ?? 0) + (optionalNumber(row[column]) ?? 0);
    }
    perTask.set(key, task);
  }
  for (const { pipeline, task, retries, histogram } of perTask.values()) {
    const labels = { pipeline_name: pipeline, task_id: task };
    push(pipeline, "weir_task_retries_total", [{ labels, value: retries }]);
    if ((histogram.n ?? 0) > 0)
      push(
        pipeline,
        "weir_task_duration_seconds",
        histogramSamples("weir_task_duration_seconds", labels, histogram),
      );
  }

  for (const row of await db.all<{
    pipeline: string;
    task_id: string;
    rin: unknown;
    rout: unknown;
    rrej: unknown;
  }>(
    `SELECT r.pipeline, t.task_id, SUM(t.rows_in) AS rin, SUM(t.rows_out) AS rout, SUM(t.rows_rejected) AS rrej
     FROM runs r JOIN task_instances t ON t.run_id = r.id
     WHERE (t.rows_in IS NOT NULL OR t.rows_out IS NOT NULL OR t.rows_rejected IS NOT NULL)${only("r.pipeline")}
     GROUP BY r.pipeline, t.task_id ORDER BY r.pipeline, t.task_id`,
    params,
  )) {
    const samples = (["in", "out", "rejected"] as const).map((direction, i) => ({
      labels: { pipeline_name: row.pipeline, task_id: row.task_id, direction },
      value: optionalNumber([row.rin, row.rout, row.rrej][i]) ?? 0,
    }));
    push(row.pipeline, "weir_task_rows_total", samples);
  }

  // Rows per dataset from the run summaries (JSON), summed in SQL.
  for (const row of await db.all<{
    pipeline: string;
    dataset: unknown;
    ex: unknown;
    lo: unknown;
    qu: unknown;
  }>(
    `SELECT r.pipeline, ${sql.datasetText("dataset")} AS dataset, SUM(${sql.datasetNumber("extracted")}) AS ex,
            SUM(${sql.datasetNumber("loaded")}) AS lo, SUM(${sql.datasetNumber("quarantined")}) AS qu
     FROM ${sql.summaryDatasets}
     WHERE r.summary IS NOT NULL AND r.state IN ('succeeded', 'failed')${only("r.pipeline")}
     GROUP BY r.pipeline, ${sql.datasetText("dataset")} ORDER BY 1, 2`,
    params,
  )) {
    if (typeof row.dataset !== "string") continue;
    const ex = optionalNumber(row.ex);
    const lo = optionalNumber(row.lo);
    const labels = { pipeline_name: row.pipeline, dataset_name: row.dataset };
    if (ex !== undefined)
      push(row.pipeline, "records_processed_total", [
        { labels: { pipeline_name: row.pipeline, source: row.dataset }, value: ex },
      ]);
    if (lo !== undefined) push(row.pipeline, "weir_records_loaded_total", [{ labels, value: lo }]);
    push(row.pipeline, "weir_rows_quarantined_total", [{ labels, value: optionalNumber(row.qu) ?? 0 }]);
  }
}
