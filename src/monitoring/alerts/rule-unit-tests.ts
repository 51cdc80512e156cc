import { stringify } from "yaml";
import type { AlertRule, RuleFile } from "./alert-rules.js";
import { expandAnnotation } from "./annotation-template.js";

interface InputSeries {
  series: string;
  values: string;
}

interface AlertCase {
  alertname: string;
  eval_time: string;
  exp_alerts: { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[];
}

interface PromtoolTest {
  name: string;
  interval: string;
  input_series: InputSeries[];
  alert_rule_test: AlertCase[];
}

/** A scenario for one rule: series over 20 minutes and the alert it must (or must not) raise at 15m. */
interface Scenario {
  series: InputSeries[];
  /** The labels of the alert expected to fire (besides alertname and the rule's labels); none for a quiet scenario. */
  fires?: { labels: Record<string, string>; value: number };
}

const sel = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)
    .join(",")}}`;
const constant = (name: string, labels: Record<string, string>, value: number): InputSeries => ({
  series: `${name}${sel(labels)}`,
  values: `${value}x20`,
});

/** The threshold a rule compares with: the number after its first `>` or `<`. */
function thresholdOf(rule: AlertRule): number {
  const match = /[<>]\s*(-?[\d.]+)/.exec(rule.expr);
  if (!match) throw new Error(`rule ${rule.alert} has no numeric threshold in ${rule.expr}`);
  return Number(match[1]);
}

/** Scenarios per rule: the first crosses the rule's threshold and fires; the others must stay quiet. */
function scenarios(rule: AlertRule): [Scenario, ...Scenario[]] {
  const t = thresholdOf(rule);
  const pipeline = rule.labels.pipeline_name ?? "orders";
  const dataset = rule.labels.dataset_name ?? "orders";
  const p = { pipeline_name: pipeline };
  const stream = { job_name: "clicks", partition: "0" };
  // Whole seconds well past the threshold, so humanizeDuration prints them exactly.
  const over = Math.ceil(t) + 60;
  const under = Math.max(0, Math.floor(t) - 60);
  switch (rule.alert) {
    case "PipelineFailureRate":
      // 60 failures a minute is 1/s; one failure every 10 minutes is far below any sane limit.
      return [
        {
          series: [
            { series: `data_pipeline_runs_total${sel({ ...p, status: "failed" })}`, values: "0+60x20" },
          ],
          fires: { labels: { ...p, status: "failed" }, value: 1 },
        },
        {
          series: [
            { series: `data_pipeline_runs_total${sel({ ...p, status: "failed" })}`, values: "0+0.1x20" },
          ],
        },
      ];
    case "DataQualityDegraded":
      return [
        {
          series: [constant("data_quality_score", { dataset_name: dataset }, t - 5)],
          fires: { labels: { dataset_name: dataset }, value: t - 5 },
        },
        { series: [constant("data_quality_score", { dataset_name: dataset }, Math.min(100, t + 1))] },
      ];
    case "PipelineRunStuck":
    case "PipelineSlaMissed":
      return [
        { series: [constant(metricOf(rule), p, over)], fires: { labels: p, value: over } },
        { series: [constant(metricOf(rule), p, under)] },
      ];
    case "PipelineRunOverdue":
      return [
        {
          series: [constant(metricOf(rule), p, over), constant("weir_runs_running", p, 1)],
          fires: { labels: p, value: over },
        },
        // Old enough, but only queued (not running): not overdue.
        { series: [constant(metricOf(rule), p, over), constant("weir_runs_running", p, 0)] },
        { series: [constant(metricOf(rule), p, under), constant("weir_runs_running", p, 1)] },
      ];
    case "PipelineScheduleMissed": {
      // The age is time() − last success, so it grows: a success `over` s before 0 is over
      // the limit for all 15 minutes (past `for`); one `under` s before 15m never crosses it.
      return [
        {
          series: [
            constant("weir_pipeline_last_success_timestamp_seconds", p, -over),
            constant("weir_pipeline_paused", p, 0),
          ],
          fires: { labels: p, value: over + 900 },
        },
        {
          series: [
            constant("weir_pipeline_last_success_timestamp_seconds", p, 900 - under),
            constant("weir_pipeline_paused", p, 0),
          ],
        },
        // Late, but paused: a paused pipeline is not expected to run.
        {
          series: [
            constant("weir_pipeline_last_success_timestamp_seconds", p, -over),
            constant("weir_pipeline_paused", p, 1),
          ],
        },
      ];
    }
    case "DatasetStale":
      return [
        {
          series: [constant(metricOf(rule), { dataset_name: dataset }, over)],
          fires: { labels: { dataset_name: dataset }, value: over },
        },
        { series: [constant(metricOf(rule), { dataset_name: dataset }, under)] },
      ];
    case "StreamWatermarkLag":
      return [
        { series: [constant(metricOf(rule), stream, over)], fires: { labels: stream, value: over } },
        { series: [constant(metricOf(rule), stream, under)] },
      ];
    case "StreamCheckpointStalled":
      return [
        {
          series: [
            constant(metricOf(rule), stream, over),
            constant("weir_stream_partition_leased", stream, 1),
          ],
          fires: { labels: stream, value: over },
        },
        // Stale, but nobody holds the lease (the job is stopped): not stalled.
        {
          series: [
            constant(metricOf(rule), stream, over),
            constant("weir_stream_partition_leased", stream, 0),
          ],
        },
      ];
    case "StreamDeadLetters":
      return [
        {
          series: [{ series: `weir_stream_events_dead_lettered_total${sel(stream)}`, values: "0+1x20" }],
          fires: { labels: stream, value: 10 },
        },
        { series: [{ series: `weir_stream_events_dead_lettered_total${sel(stream)}`, values: "4x20" }] },
      ];
    default:
      throw new Error(`no rule test scenario for alert ${rule.alert}`);
  }
}

function metricOf(rule: AlertRule): string {
  return /^[a-z_:][a-z0-9_:]*/.exec(rule.expr)![0];
}

/**
 * `promtool test rules` cases for every rule of a generated rule file: per rule, one test
 * where its series cross the threshold (the alert fires with exactly these labels and
 * annotations) and at least one where they do not, or the rule's guard holds (paused,
 * not running, no lease): no alert. Evaluated at 15m, past every `for`.
 */
export function ruleUnitTests(file: RuleFile, ruleFilePath: string): string {
  const tests: PromtoolTest[] = [];
  for (const rule of file.groups.flatMap((g) => g.rules)) {
    const [firing, ...quiet] = scenarios(rule);
    for (const [kind, scenario] of [
      ["fires", firing] as const,
      ...quiet.map((q, i) => [`stays quiet ${i + 1}`, q] as const),
    ]) {
      const exp = scenario.fires
        ? [
            {
              exp_labels: { ...scenario.fires.labels, ...rule.labels },
              exp_annotations: {
                summary: expandAnnotation(
                  rule.annotations.summary,
                  { ...scenario.fires.labels, ...rule.labels },
                  scenario.fires.value,
                ),
                description: expandAnnotation(
                  rule.annotations.description,
                  { ...scenario.fires.labels, ...rule.labels },
                  scenario.fires.value,
                ),
              },
            },
          ]
        : [];
      tests.push({
        name: `${rule.alert} ${Object.values(rule.labels).slice(1).join(" ")} ${kind}`.replace(/\s+/g, " "),
        interval: "1m",
        input_series: scenario.series,
        alert_rule_test: [{ alertname: rule.alert, eval_time: "15m", exp_alerts: exp }],
      });
    }
  }
  return stringify({ rule_files: [ruleFilePath], evaluation_interval: "1m", tests }, { lineWidth: 0 });
}
