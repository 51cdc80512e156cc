import { toNumber } from "../../metadata/sql-database.js";
import type { CollectContext } from "./collect-context.js";

/** One pipeline's runs, summarised from one GROUP BY over `runs`. */
export interface PipelineRuns {
  pipeline: string;
  /** Runs by state (queued, running, succeeded, failed). */
  counts: Record<string, number>;
  lastSuccessAt?: string;
  /** The oldest queue time of its queued and running runs. */
  oldestUnfinishedAt?: string;
  /** The stalest heartbeat (or start) of its running runs. */
  stalestBeatAt?: string;
  /** The latest logical time of its scheduled runs. */
  latestScheduledTime?: string;
  /**
   * Changes whenever a run of the pipeline is created, finishes, is retried or removed, or
   * an executor heartbeats one: what the per-pipeline details are cached under.
   */
  signature: string;
}

interface Row {
  pipeline: string;
  state: string;
  n: unknown;
  max_ended: string | null;
  max_started: string | null;
  max_beat: string | null;
  min_queued: string | null;
  min_beat: string | null;
  max_scheduled: string | null;
}

/** The one full scan of `runs` each scrape makes: per pipeline and state, counts and a few extremes. */
export async function scanRuns(ctx: CollectContext): Promise<Map<string, PipelineRuns>> {
  const rows = await ctx.db.all<Row>(
    `SELECT pipeline, state, COUNT(*) AS n, MAX(ended_at) AS max_ended, MAX(started_at) AS max_started,
            MAX(heartbeat_at) AS max_beat, MIN(COALESCE(queued_at, started_at)) AS min_queued,
            MIN(COALESCE(heartbeat_at, started_at)) AS min_beat,
            MAX(CASE WHEN run_type = 'scheduled' THEN logical_time END) AS max_scheduled
     FROM runs GROUP BY pipeline, state ORDER BY pipeline, state`,
  );
  const byPipeline = new Map<string, PipelineRuns & { parts: string[] }>();
  for (const row of rows) {
    let p = byPipeline.get(row.pipeline);
    if (!p) {
      p = { pipeline: row.pipeline, counts: {}, signature: "", parts: [] };
      byPipeline.set(row.pipeline, p);
    }
    p.counts[row.state] = toNumber(row.n);
    p.parts.push(`${row.state}:${toNumber(row.n)}:${row.max_ended}:${row.max_started}:${row.max_beat}`);
    if (row.state === "succeeded" && row.max_ended) p.lastSuccessAt = row.max_ended;
    if (row.state === "queued" || row.state === "running")
      p.oldestUnfinishedAt = minText(p.oldestUnfinishedAt, row.min_queued);
    if (row.state === "running" && row.min_beat) p.stalestBeatAt = row.min_beat;
    if (row.max_scheduled) p.latestScheduledTime = maxText(p.latestScheduledTime, row.max_scheduled);
  }
  const result = new Map<string, PipelineRuns>();
  for (const [id, { parts, ...p }] of byPipeline) result.set(id, { ...p, signature: parts.join("|") });
  return result;
}

function minText(a: string | undefined, b: string | null): string | undefined {
  if (b === null) return a;
  return a === undefined || b < a ? b : a;
}

function maxText(a: string | undefined, b: string): string {
  return a === undefined || b > a ? b : a;
}
