import { describe, expect, it } from "vitest";
import type { TaskInstanceState } from "../../metadata/task-store.js";
import { canTransition, isTerminal, TRANSITIONS } from "./task-states.js";

const ALL = Object.keys(TRANSITIONS) as TaskInstanceState[];

describe("task instance states", () => {
  it("has Airflow's lifecycle", () => {
    expect(canTransition("pending", "queued")).toBe(true);
    expect(canTransition("queued", "running")).toBe(true);
    for (const end of ["success", "failed", "up_for_retry", "skipped"] as const) {
      expect(canTransition("running", end)).toBe(true);
    }
    expect(canTransition("up_for_retry", "queued")).toBe(true);
    expect(canTransition("pending", "upstream_failed")).toBe(true);
    expect(canTransition("pending", "running")).toBe(false);
    expect(canTransition("up_for_retry", "running")).toBe(false);
  });

  it("never leaves a terminal state", () => {
    for (const from of ALL.filter(isTerminal))
      for (const to of ALL) expect(canTransition(from, to)).toBe(false);
    expect(ALL.filter(isTerminal).sort()).toEqual(["failed", "skipped", "success", "upstream_failed"]);
  });
});
