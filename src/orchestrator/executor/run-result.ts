import type { WeirError } from "../../core/errors.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import type { RunOutcome, RunSummary, TaskSummary } from "../run-events.js";
import { summarizeRun } from "../summarize-run.js";
import type { TaskNode } from "./task-node.js";
import { UnavailableOutput } from "./task-output.js";

export interface RunResult {
  runId: string;
  /**
   * succeeded | failed, or interrupted: stopped by its signal before it finished, and queued
   * again in the store (resumable, `resumeRun` / `weir retry`). `summary.state` says the same.
   */
  state: RunOutcome;
  summary: RunSummary;
  /** Outputs of the tasks that succeeded, by task id (a mapped task: the array of its instances' outputs). */
  outputs: Record<string, unknown>;
  /** The first task failure (a `TaskError` wrapping what the task threw as `cause`), or the run's timeout. */
  error?: WeirError;
  /** The executor was stopped (its signal aborted) before the run finished; `resumeRun` continues it. */
  interrupted?: boolean;
}

const SUMMARY_STATE: Record<string, TaskSummary["state"]> = {
  success: "succeeded",
  failed: "failed",
  upstream_failed: "upstream_failed",
};

/** The result of an execution, from the executor's nodes (tasks in the pipeline's order). */
export function summarizeNodes(input: {
  runId: string;
  pipeline: PipelineDefinition;
  logicalDate: string;
  durationMs: number;
  state: RunOutcome;
  nodes: ReadonlyMap<string, TaskNode>;
  error?: WeirError;
  interrupted: boolean;
}): RunResult {
  const tasks: TaskSummary[] = [];
  const outputs: Record<string, unknown> = {};
  for (const id of input.pipeline.order) {
    const node = input.nodes.get(id)!;
    const attempts = (node.children ?? []).reduce(
      (n, c) => n + c.tryNumber,
      node.children ? 0 : node.tryNumber,
    );
    tasks.push({
      id,
      state: SUMMARY_STATE[node.state] ?? "skipped",
      attempts,
      durationMs: Math.round(node.durationMs),
      rows: { ...node.rows },
      quarantined: node.stats.quarantined,
      ...(node.stats.datasets ? { datasets: node.stats.datasets } : {}),
      ...(node.endedAt ? { endedAt: node.endedAt } : {}),
      ...(node.error && node.state !== "success" ? { error: node.error.message } : {}),
    });
    if (node.state === "success" && node.hasOutput && !(node.output instanceof UnavailableOutput)) {
      outputs[id] = node.output;
    }
  }
  const summary = summarizeRun({
    runId: input.runId,
    pipeline: input.pipeline,
    logicalDate: input.logicalDate,
    durationMs: Math.round(input.durationMs),
    state: input.state,
    tasks,
    outputs: input.pipeline.order.flatMap((id) => input.nodes.get(id)!.stats.outputs),
    ...(input.error ? { error: input.error } : {}),
  });
  return {
    runId: input.runId,
    state: input.state,
    summary,
    outputs,
    ...(input.error ? { error: input.error } : {}),
    ...(input.interrupted ? { interrupted: true } : {}),
  };
}
