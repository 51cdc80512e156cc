import type { PipelineDefinition } from "../../orchestrator/define-pipeline.js";

/** What alert rules compare against, per pipeline and per dataset, in seconds. */
export interface AlertThresholds {
  pipelines: PipelineThresholds[];
  datasets: DatasetThresholds[];
  /** Fleet-wide limits (defaults in `DEFAULT_LIMITS`). */
  limits: AlertLimits;
}

export interface PipelineThresholds {
  pipeline: string;
  /** `notifications.sla`: a run not finished this long after it was queued is late. */
  slaSeconds?: number;
  /** `runTimeout`: a run running longer is overdue (the executor should have aborted it). */
  runTimeoutSeconds?: number;
  /**
   * For a cron schedule: how long the pipeline may go without a successful run — two of its
   * longest intervals (one to fall due, one to run), plus the SLA.
   */
  maxSuccessAgeSeconds?: number;
}

export interface DatasetThresholds {
  dataset: string;
  /** A suite's `freshness.maxAge`: the dataset must have been updated within it. */
  maxAgeSeconds: number;
}

export interface AlertLimits {
  /** `rate(data_pipeline_runs_total{status="failed"}[5m])` above this fires PipelineFailureRate. */
  failureRate: number;
  /** `data_quality_score` below this fires DataQualityDegraded. */
  qualityScore: number;
  /** A running run whose executor has not heartbeated for this long is stuck. */
  stuckHeartbeatSeconds: number;
  /** A stream partition whose watermark is this far behind the wall clock is lagging. */
  streamWatermarkLagSeconds: number;
  /** A leased stream partition that has not checkpointed for this long is stalled. */
  streamCheckpointAgeSeconds: number;
}

export const DEFAULT_LIMITS: AlertLimits = {
  failureRate: 0.1,
  qualityScore: 95,
  // The executor heartbeats every 5 s and another takes over after 60 s: five minutes without
  // one means nobody is reaping the run (no scheduler running) or the executor hangs.
  stuckHeartbeatSeconds: 300,
  streamWatermarkLagSeconds: 600,
  streamCheckpointAgeSeconds: 300,
};

/**
 * The thresholds the definitions imply: SLA, run timeout and schedule interval of each
 * pipeline, and the freshness `maxAge` of each dataset (from suites, by dataset name; the
 * strictest wins when several suites check one dataset).
 */
export function alertThresholds(input: {
  pipelines: readonly PipelineDefinition[];
  freshness?: readonly DatasetThresholds[];
  limits?: Partial<AlertLimits>;
  /** Where to measure schedule intervals from; default now. */
  now?: Date;
}): AlertThresholds {
  const now = input.now ?? new Date();
  const pipelines = [...input.pipelines]
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((p): PipelineThresholds => {
      const t: PipelineThresholds = { pipeline: p.id };
      const sla = p.notifications.slaMs;
      if (sla !== undefined) t.slaSeconds = sla / 1000;
      if (p.runTimeoutMs !== undefined) t.runTimeoutSeconds = p.runTimeoutMs / 1000;
      const interval = longestInterval(p, now);
      if (interval !== undefined) t.maxSuccessAgeSeconds = 2 * interval + (t.slaSeconds ?? 0);
      return t;
    });
  const strictest = new Map<string, number>();
  for (const f of input.freshness ?? []) {
    strictest.set(f.dataset, Math.min(f.maxAgeSeconds, strictest.get(f.dataset) ?? Number.POSITIVE_INFINITY));
  }
  const datasets = [...strictest]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([dataset, maxAgeSeconds]) => ({ dataset, maxAgeSeconds }));
  return { pipelines, datasets, limits: { ...DEFAULT_LIMITS, ...input.limits } };
}

/** The longest gap (seconds) between the next 25 fire times of a cron schedule; undefined without one. */
function longestInterval(pipeline: PipelineDefinition, now: Date): number | undefined {
  if (pipeline.schedule.kind !== "cron") return undefined;
  let at = pipeline.schedule.next(now);
  let longest = 0;
  for (let i = 0; i < 25 && at; i++) {
    const next = pipeline.schedule.next(at);
    if (!next) break;
    longest = Math.max(longest, (next.getTime() - at.getTime()) / 1000);
    at = next;
  }
  return longest > 0 ? longest : undefined;
}
