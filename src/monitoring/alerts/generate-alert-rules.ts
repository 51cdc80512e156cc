import type { MetadataStore } from "../../metadata/metadata-store.js";
import type { PipelineDefinition } from "../../orchestrator/define-pipeline.js";
import type { Suite } from "../../quality/suite.js";
import { alertRules, type RuleFile } from "./alert-rules.js";
import { type AlertLimits, type AlertThresholds, alertThresholds } from "./alert-thresholds.js";
import { storedFreshness, suiteFreshness } from "./freshness-thresholds.js";
import { renderRuleFile } from "./render-rules.js";

export interface GenerateAlertRulesInput {
  pipelines: readonly PipelineDefinition[];
  /** Suite definitions whose `freshness.maxAge` becomes a DatasetStale rule (they must name their dataset). */
  suites?: readonly Suite[];
  /** Also take freshness limits from the suites' latest stored checks. */
  store?: MetadataStore;
  limits?: Partial<AlertLimits>;
  now?: Date;
}

export interface GeneratedAlertRules {
  file: RuleFile;
  yaml: string;
  thresholds: AlertThresholds;
  /** Suites with a freshness rule but no `dataset`: no rule could name their dataset. */
  skippedSuites: string[];
}

/** The rule file for a project: its pipelines, its suites and what the store remembers of checks. */
export async function generateAlertRules(input: GenerateAlertRulesInput): Promise<GeneratedAlertRules> {
  const fromSuites = suiteFreshness(input.suites ?? []);
  const fromStore = input.store ? await storedFreshness(input.store) : [];
  const thresholds = alertThresholds({
    pipelines: input.pipelines,
    freshness: [...fromSuites.thresholds, ...fromStore],
    ...(input.limits ? { limits: input.limits } : {}),
    ...(input.now ? { now: input.now } : {}),
  });
  const file = alertRules(thresholds);
  return { file, yaml: renderRuleFile(file), thresholds, skippedSuites: fromSuites.skipped };
}
