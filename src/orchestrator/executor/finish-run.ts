import { messageOf } from "../../core/errors.js";
import { warn } from "../../core/log.js";
import type { RunOutcome } from "../run-events.js";
import { dropStaging, stagingSchemaOf } from "../staging.js";
import type { ExecutorState } from "./executor-state.js";
import { type RunResult, summarizeNodes } from "./run-result.js";

/**
 * Ends the execution once the loop is done. A run that was shut down is interrupted: the
 * store queues it again (nobody owns it; any executor may continue it) and the result says
 * "interrupted", so what the CLI prints and what the store holds agree. Any other run is
 * finished as failed or succeeded with its summary — a succeeded one drops its staging
 * schema first, when a task used it — then `run.finished` is emitted and the success or failure notification
 * sent. Waits for the events and notifications still in flight.
 */
export async function finishRun(x: ExecutorState, started: number): Promise<RunResult> {
  const { store, run, clock } = x.s;
  const durationMs = Math.max(0, clock.now().getTime() - started);
  const interrupted = x.stopping === "shutdown";
  const failed = [...x.nodes.values()].some((n) => n.state === "failed" || n.state === "upstream_failed");
  const state: RunOutcome = interrupted
    ? "interrupted"
    : failed || x.stopping === "run_timeout"
      ? "failed"
      : "succeeded";
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
  if (state === "interrupted") {
    await store.runs.release(run.id, x.s.owner);
    await x.emit({ type: "run.interrupted", ...x.base(), durationMs });
  } else {
    if (state === "succeeded" && x.allNodes().some((n) => n.stats.staged)) await dropRunStaging(x);
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

/** Best effort: a staging schema left behind costs space, not correctness (the next success of the run drops it). */
async function dropRunStaging(x: ExecutorState): Promise<void> {
  try {
    await dropStaging(x.s.runtime.engine, x.s.run.id);
  } catch (error) {
    warn(
      x.s.logger,
      `cannot drop staging schema ${stagingSchemaOf(x.s.run.id)} of run ${x.s.run.id}: ${messageOf(error)}`,
      { runId: x.s.run.id },
    );
  }
}
