import { describe, expect, it } from "vitest";
import type { TaskInstanceState } from "../../metadata/task-store.js";
import { TRIGGER_RULES, type TriggerRule } from "../task-options.js";
import { evaluateTriggerRule } from "./trigger-rules.js";

const S = "success";
const F = "failed";
const U = "upstream_failed";
const K = "skipped";
const R = "running";
const Q = "up_for_retry";

/** [rule, upstream states, decision] — every rule with every kind of upstream outcome. */
const CASES: [TriggerRule, TaskInstanceState[], string][] = [
  ["all_success", [S, S], "run"],
  ["all_success", [S, R], "wait"],
  ["all_success", [S, Q], "wait"],
  ["all_success", [S, F], "upstream_failed"],
  ["all_success", [R, U], "upstream_failed"],
  ["all_success", [S, K], "skipped"],
  ["all_success", [K, F], "upstream_failed"],
  ["all_failed", [F, U], "run"],
  ["all_failed", [F, R], "wait"],
  ["all_failed", [F, S], "skipped"],
  ["all_failed", [F, K], "skipped"],
  ["all_done", [S, F, K, U], "run"],
  ["all_done", [S, "queued"], "wait"],
  ["all_done", [F, "pending"], "wait"],
  ["one_success", [R, S], "run"],
  ["one_success", [R, F], "wait"],
  ["one_success", [F, K], "upstream_failed"],
  ["one_success", [K, K], "skipped"],
  ["one_failed", [R, F], "run"],
  ["one_failed", [R, U], "run"],
  ["one_failed", [S, R], "wait"],
  ["one_failed", [S, K], "skipped"],
  ["none_failed", [S, K], "run"],
  ["none_failed", [S, R], "wait"],
  ["none_failed", [S, F], "upstream_failed"],
  ["none_skipped", [S, F], "run"],
  ["none_skipped", [S, R], "wait"],
  ["none_skipped", [S, K], "skipped"],
];

describe("evaluateTriggerRule", () => {
  it.each(CASES)("%s with upstream %j → %s", (rule, upstream, decision) => {
    expect(evaluateTriggerRule(rule, upstream)).toBe(decision);
  });

  it("runs a task without upstream tasks under every rule", () => {
    for (const rule of TRIGGER_RULES) expect(evaluateTriggerRule(rule, [])).toBe("run");
  });

  it("covers every rule", () => {
    expect(new Set(CASES.map(([rule]) => rule))).toEqual(new Set(TRIGGER_RULES));
  });
});
