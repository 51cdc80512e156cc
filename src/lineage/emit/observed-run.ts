import { v7 as uuidv7 } from "uuid";
import { ActivityRecorder } from "../../core/activity-recorder.js";
import { observeActivity } from "../../core/activity-scope.js";
import { messageOf } from "../../core/errors.js";
import type { Engine } from "../../engines/engine.js";
import { resolveActivity } from "../capture/resolve-activity.js";
import { buildRunEvent } from "./build-run-event.js";
import type { LineageEmitter } from "./lineage-emitter.js";
import type { RunEventSpec } from "./run-event-spec.js";

export interface ObservedRunOptions {
  /** The job, e.g. `quality.customers` for `weir check`. */
  job: string;
  jobType: RunEventSpec["job"]["jobType"];
  engines: readonly Engine[];
  lakeRoot: string;
}

/**
 * Runs `fn` as one OpenLineage run of its own (a quality run started by `weir check`,
 * say): START, then COMPLETE with what `fn` read and wrote (statements, dataset notes,
 * assertions), or FAIL with its error. Without an emitter it just runs `fn`.
 */
export async function observedRun<T>(
  emitter: LineageEmitter | undefined,
  options: ObservedRunOptions,
  fn: () => Promise<T>,
): Promise<T> {
  if (!emitter) return fn();
  const runId = uuidv7();
  const job = {
    namespace: emitter.namespace,
    name: options.job,
    jobType: options.jobType,
    processingType: "BATCH" as const,
  };
  const send = async (spec: Omit<RunEventSpec, "runId" | "job" | "eventTime">) => {
    try {
      await emitter.emit(buildRunEvent({ ...spec, runId, job, eventTime: new Date().toISOString() }));
    } catch {
      // Lineage never fails the work it describes.
    }
  };
  await send({ eventType: "START" });
  const recorder = new ActivityRecorder();
  const activity = async () =>
    resolveActivity(recorder.record(), { engines: options.engines, lakeRoot: options.lakeRoot }).catch(
      () => undefined,
    );
  try {
    const result = await observeActivity(recorder, fn);
    const resolved = await activity();
    await send({ eventType: "COMPLETE", ...(resolved ? { activity: resolved } : {}) });
    return result;
  } catch (error) {
    const resolved = await activity();
    await send({
      eventType: "FAIL",
      error: {
        message: messageOf(error),
        ...(error instanceof Error && error.stack ? { stackTrace: error.stack } : {}),
      },
      ...(resolved ? { activity: resolved } : {}),
    });
    throw error;
  }
}
