import { TaskError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import { warn } from "../../core/log.js";
import type { AttemptFinish, TaskInstanceState } from "../../metadata/task-store.js";
import { attemptCode, errorInfo, hasStats, taskError } from "./attempt-errors.js";
import { AttemptLogger } from "./attempt-logger.js";
import { addDatasetCounts, addRowCounts } from "./dataset-counts.js";
import { evaluateNodes } from "./evaluate-nodes.js";
import type { ExecutorState } from "./executor-state.js";
import { taskRef } from "./run-emitter.js";
import type { TaskNode } from "./task-node.js";
import { serializeOutput } from "./task-output.js";
import { isTerminal } from "./task-states.js";

/** How an attempt ended, and the state its instance moves to. */
export interface NodeEnd {
  attemptState: AttemptFinish["attemptState"];
  state: TaskInstanceState;
  output?: string;
  error?: unknown;
  reason?: string;
}

/**
 * Writes an attempt's end (and the instance's new state) in one transaction, then reacts
 * to it: emits the event, sends the retry notification, schedules the retry, or — for a
 * terminal state — finishes a mapped parent or evaluates what follows.
 */
export async function finishNode(
  x: ExecutorState,
  node: TaskNode,
  logger: AttemptLogger,
  attemptMs: number,
  end: NodeEnd,
): Promise<void> {
  const { store, run, pipeline } = x.s;
  const at = x.nowIso();
  const info = end.error === undefined ? undefined : errorInfo(end.error);
  let nextTryAt: number | undefined;
  if (end.state === "up_for_retry") nextTryAt = x.nextTryAfterFailure(node);
  const writes = node.mapIndex < 0 && end.state === "success" ? node.task.datasets.writes : [];
  const finished = await store.tasks.finishAttempt({
    runId: run.id,
    taskId: node.task.id,
    mapIndex: node.mapIndex,
    attempt: node.tryNumber,
    attemptState: end.attemptState,
    at,
    ...(info ? { error: { code: attemptCode(end.error, info.code), message: info.message } } : {}),
    instance: {
      state: end.state,
      durationMs: node.durationMs,
      rows: node.rows,
      ...(nextTryAt === undefined ? {} : { nextTryAt: new Date(nextTryAt).toISOString() }),
      ...(end.state === "queued" ? { maxTries: node.maxTries + 1 } : {}),
      ...(info ? { error: `[${info.code}] ${info.message}` } : end.reason ? { error: end.reason } : {}),
      ...(hasStats(node.stats) ? { summary: node.stats } : {}),
    },
    ...(end.output === undefined ? {} : { output: end.output }),
    logs: logger.take(),
    datasetEvents: writes.map((dataset) => ({
      id: newId("dse_"),
      dataset,
      at,
      pipeline: pipeline.id,
      runId: run.id,
      taskId: node.task.id,
      rangeStart: run.intervalStart,
      rangeEnd: run.intervalEnd,
    })),
    materialised: pipeline.partitions
      ? writes.map((dataset) => ({ dataset, start: run.intervalStart, end: run.intervalEnd }))
      : [],
  });
  if (!finished) return lost(x, node);
  if (end.state === "queued") node.maxTries++;
  node.state = end.state;
  if (end.state === "success" || end.state === "failed") node.endedAt = at;
  if (info) node.error = info;
  if (end.error !== undefined) node.cause = end.error;
  const ref = { ...x.base(), ...taskRef(node), attempt: node.tryNumber, durationMs: attemptMs };
  const activity = node.activity?.record();
  node.activity = undefined;
  switch (end.state) {
    case "success":
      await x.emit({
        type: "task.succeeded",
        ...ref,
        rows: node.rows,
        quarantined: node.stats.quarantined,
        outputs: node.stats.outputs,
        ...(activity ? { activity } : {}),
      });
      break;
    case "up_for_retry":
      await x.emit({
        type: "task.retrying",
        ...ref,
        error: info!,
        ...(activity ? { activity } : {}),
        delayMs: nextTryAt! - x.s.clock.now().getTime(),
        nextTryAt: new Date(nextTryAt!).toISOString(),
      });
      x.notify("retry", {
        taskId: node.task.id,
        attempt: node.tryNumber,
        nextAttemptAt: new Date(nextTryAt!).toISOString(),
        error: info!.message,
      });
      node.nextTryAt = nextTryAt!;
      if (!x.recovering) x.retryAt(node, nextTryAt!);
      return;
    case "failed":
      // A mapped instance's failure is reported by its parent, which names how many failed.
      if (!node.parent) x.firstError ??= taskError(node);
      await x.emit({ type: "task.failed", ...ref, error: info!, ...(activity ? { activity } : {}) });
      break;
    case "skipped":
      await x.emit({
        type: "task.skipped",
        ...ref,
        state: "skipped",
        reason: end.reason ?? "skipped",
        blockedBy: [],
      });
      break;
    case "queued":
      return;
  }
  await settled(x, node);
}

/** A terminal node: finish its mapped parent when it was the last instance, evaluate what follows. */
export async function settled(x: ExecutorState, node: TaskNode): Promise<void> {
  // While recovering or stopping nothing new is scheduled (a stop skips what is left).
  if (x.recovering) return;
  if (node.parent) {
    const parent = node.parent;
    if (parent.children!.every((c) => isTerminal(c.state))) await finishParent(x, parent);
    return;
  }
  if (!x.stopping) await evaluateNodes(x, [...x.downstream.get(node.task.id)!]);
}

/**
 * All instances of a mapped task ended: the parent succeeds with their outputs, or fails
 * (no retry of its own). Here rather than with the fan-out because finishing a parent is
 * finishing a node, and the last instance's finish is what finishes its parent.
 */
export async function finishParent(x: ExecutorState, parent: TaskNode): Promise<void> {
  const children = parent.children ?? [];
  const failed = children.filter((c) => c.state === "failed" || c.state === "upstream_failed");
  parent.rows = {};
  parent.stats = { quarantined: {}, outputs: [] };
  for (const c of children) {
    // A count no instance recorded stays absent (unknown), as for a task that is not mapped.
    addRowCounts(parent.rows, c.rows);
    for (const [check, n] of Object.entries(c.stats.quarantined)) {
      parent.stats.quarantined[check] = (parent.stats.quarantined[check] ?? 0) + n;
    }
    parent.stats.outputs.push(...c.stats.outputs);
    if (c.stats.datasets)
      parent.stats.datasets = addDatasetCounts(parent.stats.datasets ?? {}, c.stats.datasets);
    if (c.stats.staged) parent.stats.staged = true;
  }
  parent.durationMs = Math.max(
    0,
    x.s.clock.now().getTime() - (parent.firstStartedAt ?? x.s.clock.now().getTime()),
  );
  const logger = silentAttemptLogger(x);
  if (failed.length > 0) {
    const first = failed[0]!;
    const error = new TaskError(
      parent.task.id,
      new Error(
        `${failed.length} of ${children.length} mapped instances failed; ${first.key}: ${first.error?.message ?? first.state}`,
      ),
    );
    parent.maxTries = parent.tryNumber;
    return finishNode(x, parent, logger, 0, { attemptState: "failed", state: "failed", error });
  }
  const outputs = children.map((c) => c.output);
  parent.output = outputs;
  parent.hasOutput = true;
  return finishSucceeded(x, parent, logger, 0, outputs);
}

/** Records a successful attempt with its output (serialised for the store when it can be). */
export function finishSucceeded(
  x: ExecutorState,
  node: TaskNode,
  logger: AttemptLogger,
  attemptMs: number,
  output: unknown,
): Promise<void> {
  const { json, warning } = serializeOutput(output);
  if (warning) logger.warn(warning);
  return finishNode(x, node, logger, attemptMs, {
    attemptState: "success",
    state: "success",
    ...(json === undefined ? {} : { output: json }),
  });
}

/** A logger for attempts the executor ends itself (parents, stops, recovery): lines go to the store only. */
export function silentAttemptLogger(x: ExecutorState): AttemptLogger {
  return new AttemptLogger(x.s.clock, x.s.logger, () => undefined);
}

/** The attempt was reaped as a zombie meanwhile (no heartbeat for too long): take the store's word. */
async function lost(x: ExecutorState, node: TaskNode): Promise<void> {
  const record = (await x.s.store.tasks.list(x.s.run.id)).find(
    (t) => t.taskId === node.task.id && t.mapIndex === node.mapIndex,
  );
  warn(x.s.logger, `attempt ${node.tryNumber} of ${node.key} was reaped as a zombie before it finished`, {
    runId: x.s.run.id,
    state: record?.state,
  });
  node.state = record?.state ?? "failed";
  if (record?.error) node.error = { code: "TASK_ZOMBIE", message: record.error, details: {} };
  if (node.state === "up_for_retry") {
    x.retryAt(node, x.nextTryAfterFailure(node));
    return;
  }
  if (node.state === "failed" && !node.parent) x.firstError ??= taskError(node);
  if (isTerminal(node.state)) await settled(x, node);
}
