import type { ExecutorState } from "./executor-state.js";
import { type RunResult, summarizeNodes } from "./run-result.js";

/**
 * Ends the execution once the loop is done: a run that was shut down is released (it
 * stays resumable); any other is finished as failed or succeeded with its summary, then
 * `run.finished` is emitted and the success or failure notification sent. Waits for the
 * events and notifications still in flight.
 */
export async function finishRun(x: ExecutorState, started: number): Promise<RunResult> {
  const { store, run, clock } = x.s;
  const durationMs = Math.max(0, clock.now().getTime() - started);
  const interrupted = x.stopping === "shutdown";
  const failed = [...x.nodes.values()].some((n) => n.state === "failed" || n.state === "upstream_failed");
  const state = failed || interrupted || x.stopping === "run_timeout" ? "failed" : "succeeded";
  const result = summarizeNodes({
    runId: run.id,
    pipeline: x.s.pipeline,
    logicalDate: run.logicalDate,
    durationMs,
    state,
    nodes: x.nodes,
    ...(x.firstError ? { error: x.firstError } : {}),
    interrupted,
  });
  if (interrupted) {
    await store.runs.release(run.id, x.s.owner);
  } else {
    await store.runs.finish(run.id, {
      state,
      endedAt: clock.now().toISOString(),
      summary: result.summary,
      ...(x.firstError ? { error: `[${x.firstError.code}] ${x.firstError.message}` } : {}),
    });
    await x.emit({ type: "run.finished", ...x.base(), state, durationMs, summary: result.summary });
    x.notify(state === "succeeded" ? "success" : "failure", {
      ...(x.firstError ? { error: x.firstError.message } : {}),
      ...(x.firstError?.details.taskId ? { taskId: String(x.firstError.details.taskId) } : {}),
    });
  }
  await x.emitter.drain();
  await x.notifier.settle();
  return result;
}
