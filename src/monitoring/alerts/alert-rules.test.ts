import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { promtool, runPromtool } from "../../../test/support/prometheus-tools.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import { openMetadataStore } from "../../metadata/open-metadata-store.js";
import { definePipeline, defineTask } from "../../orchestrator/define-pipeline.js";
import { parseSuiteYaml } from "../../quality/suite-yaml.js";
import type { AlertRule, RuleFile } from "./alert-rules.js";
import { type GeneratedAlertRules, generateAlertRules } from "./generate-alert-rules.js";
import { ruleUnitTests } from "./rule-unit-tests.js";

const noop = defineTask({ id: "work", run: async () => undefined });
const pipelines = [
  definePipeline({
    id: "orders",
    schedule: "@daily",
    runTimeout: "2h",
    notifications: { sla: "3h" },
    tasks: [noop],
  }),
  definePipeline({ id: "hourly", schedule: "0 * * * *", tasks: [noop] }),
  definePipeline({ id: "manual", tasks: [noop] }),
];
const suites = [
  parseSuiteYaml(
    "name: orders_suite\ndataset: orders\nfreshness: { column: updated_at, maxAge: 6h }\n",
    "orders.suite.yaml",
  ),
  parseSuiteYaml("name: loose\nfreshness: { column: updated_at, maxAge: 1h }\n", "loose.suite.yaml"),
];

let dir: string;
let store: MetadataStore;
let generated: GeneratedAlertRules;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "weir-alerts-"));
  store = await openMetadataStore(join(dir, "weir.db"));
  // A suite a pipeline ran: its freshness limit is remembered in the check's details.
  await store.quality.record({
    id: "c1",
    dataset: "customers",
    suite: "customers_suite",
    checkedAt: "2024-06-01T00:00:00.000Z",
    success: true,
    score: { checks: 1, rows: 1 },
    details: { freshness: { column: "updated_at", maxAgeMs: 1_800_000, maxAge: "30m" } },
    results: [],
    metrics: {},
  });
  generated = await generateAlertRules({ pipelines, suites, store, now: new Date("2024-06-01T00:00:00Z") });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const rules = (file: RuleFile): AlertRule[] => file.groups.flatMap((g) => g.rules);
const find = (alert: string, label?: string) =>
  rules(generated.file).filter(
    (r) =>
      r.alert === alert &&
      (label === undefined || r.labels.pipeline_name === label || r.labels.dataset_name === label),
  );

describe("weir alert rules", () => {
  it("holds the reference rules exactly", () => {
    const [failure] = find("PipelineFailureRate");
    expect(failure).toMatchObject({
      expr: 'rate(data_pipeline_runs_total{status="failed"}[5m]) > 0.1',
      for: "2m",
      labels: { severity: "warning" },
    });
    const [quality] = find("DataQualityDegraded");
    expect(quality).toMatchObject({
      expr: "data_quality_score < 95",
      for: "5m",
      labels: { severity: "critical" },
    });
  });

  it("takes SLA, run timeout and schedule thresholds from the pipeline definitions", () => {
    expect(find("PipelineSlaMissed", "orders")[0]!.expr).toBe(
      'weir_run_oldest_unfinished_age_seconds{pipeline_name="orders"} > 10800',
    );
    expect(find("PipelineRunOverdue", "orders")[0]!.expr).toContain("> 7200");
    // Two daily intervals plus the 3 h SLA; two hours for the hourly pipeline.
    expect(find("PipelineScheduleMissed", "orders")[0]!.expr).toContain("> 183600");
    expect(find("PipelineScheduleMissed", "hourly")[0]!.expr).toContain("> 7200");
    // No schedule, no SLA: nothing per pipeline.
    expect(rules(generated.file).some((r) => r.labels.pipeline_name === "manual")).toBe(false);
  });

  it("takes freshness limits from suite files and from the suites' stored checks", () => {
    expect(find("DatasetStale", "orders")[0]!.expr).toBe(
      'weir_dataset_freshness_seconds{dataset_name="orders"} > 21600',
    );
    expect(find("DatasetStale", "customers")[0]!.expr).toBe(
      'weir_dataset_freshness_seconds{dataset_name="customers"} > 1800',
    );
    expect(generated.skippedSuites).toEqual(["loose"]);
  });

  it("renders YAML that parses back to the same rules", () => {
    expect(parse(generated.yaml)).toEqual(JSON.parse(JSON.stringify(generated.file)));
  });

  it.skipIf(!promtool)("passes promtool check rules", () => {
    const path = join(dir, "rules.yml");
    writeFileSync(path, generated.yaml);
    const result = runPromtool(["check", "rules", path]);
    expect(result.output).toContain(`SUCCESS: ${rules(generated.file).length} rules found`);
    expect(result.status).toBe(0);
  });

  it.skipIf(!promtool)(
    "passes promtool test rules: every alert fires on its series and stays quiet below",
    () => {
      writeFileSync(join(dir, "rules.yml"), generated.yaml);
      const tests = ruleUnitTests(generated.file, "rules.yml");
      const names = (parse(tests) as { tests: { name: string }[] }).tests.map((t) => t.name);
      for (const rule of rules(generated.file)) {
        const own = names.filter((n) => n.startsWith(`${rule.alert} `));
        expect(own.some((n) => n.endsWith(" fires"))).toBe(true);
        expect(own.some((n) => n.includes(" stays quiet"))).toBe(true);
      }
      // Paused pipelines and queued-only runs are quiet cases of their own.
      expect(names.filter((n) => n.startsWith("PipelineScheduleMissed orders stays quiet"))).toHaveLength(2);
      writeFileSync(join(dir, "rules.test.yml"), tests);
      const result = runPromtool(["test", "rules", join(dir, "rules.test.yml")]);
      expect(result.output).toContain("SUCCESS");
      expect(result.status).toBe(0);
    },
  );

  it.skipIf(!promtool)("the rule tests fail when a rule's threshold is wrong (they test something)", () => {
    // Tests generated for the right thresholds, run against rules with the quality limit at 50.
    writeFileSync(
      join(dir, "wrong.yml"),
      generated.yaml.replace("data_quality_score < 95", "data_quality_score < 50"),
    );
    writeFileSync(join(dir, "wrong.test.yml"), ruleUnitTests(generated.file, "wrong.yml"));
    const result = runPromtool(["test", "rules", join(dir, "wrong.test.yml")]);
    expect(result.status).not.toBe(0);
    expect(result.output).toContain("DataQualityDegraded");
  });
});
