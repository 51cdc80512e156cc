import type { AlertThresholds } from "./alert-thresholds.js";

/** One Prometheus alerting rule, as a rule file holds it. */
export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "warning" | "critical" } & Record<string, string>;
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** A Prometheus rule file: `groups:` of rules. */
export interface RuleFile {
  groups: RuleGroup[];
}

/** A label value quoted for a PromQL matcher. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/**
 * weir's alert rules: the fleet-wide ones (failure rate, quality score, stuck runs, stream
 * lag, stalled checkpoints, dead letters) and, per pipeline and dataset, the SLA, run
 * timeout, missed schedule and freshness rules the definitions' thresholds imply. Each
 * per-object rule selects its object by label, so one threshold never applies to another.
 */
export function alertRules(t: AlertThresholds): RuleFile {
  const { limits } = t;
  const runs: AlertRule[] = [
    {
      alert: "PipelineFailureRate",
      expr: `rate(data_pipeline_runs_total{status="failed"}[5m]) > ${limits.failureRate}`,
      for: "2m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Pipeline {{ $labels.pipeline_name }} is failing",
        description: `{{ $labels.pipeline_name }} failed more than ${limits.failureRate} runs per second over the last 5 minutes.`,
      },
    },
    {
      alert: "PipelineRunStuck",
      expr: `weir_run_heartbeat_age_seconds > ${limits.stuckHeartbeatSeconds}`,
      for: "1m",
      labels: { severity: "critical" },
      annotations: {
        summary: "A run of {{ $labels.pipeline_name }} is stuck",
        description:
          "A running run of {{ $labels.pipeline_name }} has not heartbeated for {{ $value | humanizeDuration }}: its executor died or hangs and no scheduler reaped it.",
      },
    },
  ];
  for (const p of t.pipelines) {
    const sel = `{pipeline_name=${promString(p.pipeline)}}`;
    if (p.slaSeconds !== undefined) {
      runs.push({
        alert: "PipelineSlaMissed",
        expr: `weir_run_oldest_unfinished_age_seconds${sel} > ${p.slaSeconds}`,
        for: "0m",
        labels: { severity: "warning", pipeline_name: p.pipeline },
        annotations: {
          summary: `Pipeline ${p.pipeline} missed its SLA`,
          description: `A run of ${p.pipeline} is unfinished {{ $value | humanizeDuration }} after it was queued (SLA ${p.slaSeconds} s).`,
        },
      });
    }
    if (p.runTimeoutSeconds !== undefined) {
      runs.push({
        alert: "PipelineRunOverdue",
        expr: `weir_run_oldest_unfinished_age_seconds${sel} > ${p.runTimeoutSeconds} and on (pipeline_name) weir_runs_running${sel} > 0`,
        for: "5m",
        labels: { severity: "warning", pipeline_name: p.pipeline },
        annotations: {
          summary: `A run of ${p.pipeline} outlived its run timeout`,
          description: `A run of ${p.pipeline} is unfinished {{ $value | humanizeDuration }} after it was queued; runTimeout is ${p.runTimeoutSeconds} s.`,
        },
      });
    }
    if (p.maxSuccessAgeSeconds !== undefined) {
      runs.push({
        alert: "PipelineScheduleMissed",
        expr: `time() - weir_pipeline_last_success_timestamp_seconds${sel} > ${p.maxSuccessAgeSeconds} unless on (pipeline_name) weir_pipeline_paused${sel} == 1`,
        for: "5m",
        labels: { severity: "warning", pipeline_name: p.pipeline },
        annotations: {
          summary: `Pipeline ${p.pipeline} has not succeeded on schedule`,
          description: `The last successful run of ${p.pipeline} ended {{ $value | humanizeDuration }} ago (allowed ${p.maxSuccessAgeSeconds} s: two schedule intervals plus the SLA).`,
        },
      });
    }
  }

  const data: AlertRule[] = [
    {
      alert: "DataQualityDegraded",
      expr: `data_quality_score < ${limits.qualityScore}`,
      for: "5m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Data quality of {{ $labels.dataset_name }} degraded",
        description: `The latest quality score of {{ $labels.dataset_name }} is {{ $value }} (below ${limits.qualityScore}).`,
      },
    },
  ];
  for (const d of t.datasets) {
    data.push({
      alert: "DatasetStale",
      expr: `weir_dataset_freshness_seconds{dataset_name=${promString(d.dataset)}} > ${d.maxAgeSeconds}`,
      for: "5m",
      labels: { severity: "warning", dataset_name: d.dataset },
      annotations: {
        summary: `Dataset ${d.dataset} is stale`,
        description: `${d.dataset} was last updated {{ $value | humanizeDuration }} ago (freshness maxAge ${d.maxAgeSeconds} s).`,
      },
    });
  }

  const streams: AlertRule[] = [
    {
      alert: "StreamWatermarkLag",
      expr: `weir_stream_watermark_lag_seconds > ${limits.streamWatermarkLagSeconds}`,
      for: "5m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Stream {{ $labels.job_name }} partition {{ $labels.partition }} lags",
        description: "Its watermark is {{ $value | humanizeDuration }} behind the wall clock.",
      },
    },
    {
      alert: "StreamCheckpointStalled",
      expr: `weir_stream_checkpoint_age_seconds > ${limits.streamCheckpointAgeSeconds} and on (job_name, partition) weir_stream_partition_leased == 1`,
      for: "2m",
      labels: { severity: "critical" },
      annotations: {
        summary: "Stream {{ $labels.job_name }} partition {{ $labels.partition }} stopped checkpointing",
        description:
          "A process holds its lease but the last checkpoint is {{ $value | humanizeDuration }} old.",
      },
    },
    {
      alert: "StreamDeadLetters",
      expr: "increase(weir_stream_events_dead_lettered_total[10m]) > 0",
      for: "0m",
      labels: { severity: "warning" },
      annotations: {
        summary: "Stream {{ $labels.job_name }} is dead-lettering events",
        description:
          "Events of partition {{ $labels.partition }} went to the dead-letter output in the last 10 minutes.",
      },
    },
  ];
  return {
    groups: [
      { name: "weir-pipelines", rules: runs },
      { name: "weir-data", rules: data },
      { name: "weir-streams", rules: streams },
    ],
  };
}
