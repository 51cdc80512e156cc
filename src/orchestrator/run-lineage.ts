import { v7 as uuidv7 } from "uuid";
import { messageOf } from "../core/errors.js";
import { type Logger, warn } from "../core/log.js";
import type { Engine } from "../engines/engine.js";
import { resolveActivity } from "../lineage/capture/resolve-activity.js";
import { buildRunEvent } from "../lineage/emit/build-run-event.js";
import type { LineageEmitter } from "../lineage/emit/lineage-emitter.js";
import type { LineageEventType, RunEventSpec } from "../lineage/emit/run-event-spec.js";
import type { RunEvent, RunEventListener } from "./run-events.js";

export interface RunLineageOptions {
  emitter: LineageEmitter;
  /** The engines tasks run statements on (the warehouse, the lake's DuckDB), to describe tables. */
  engines: readonly Engine[];
  lakeRoot: string;
  logger: Logger;
}

/** At most one RUNNING event per attempt this often (progress events can be many per second). */
const RUNNING_EVERY_MS = 10_000;

/**
 * Turns a run's events into OpenLineage RunEvents: the run is job `<pipeline>` (START, then
 * COMPLETE or FAIL, or ABORT when interrupted), each attempt is job `<pipeline>.<task>` with
 * the run as its parent — START, RUNNING (progress, throttled), COMPLETE with what it read
 * and wrote (resolved from its activity: statements parsed for column lineage, dataset
 * notes, quality assertions), FAIL with the error (also when a retry follows), ABORT when
 * the run is interrupted under it. Never throws: lineage must not fail a run.
 */
export function runLineageListener(options: RunLineageOptions): RunEventListener {
  const { emitter } = options;
  const runs = new Map<string, { id: string; pipeline: string; nominal: { start: string; end: string } }>();
  const attempts = new Map<string, { id: string; job: string; lastRunning: number }>();
  const attemptKey = (e: { runId: string; taskId: string; mapIndex?: number }) =>
    `${e.runId}\u0000${e.taskId}\u0000${e.mapIndex ?? -1}`;
  const taskJob = (pipeline: string, e: { taskId: string; mapIndex?: number }) =>
    `${pipeline}.${e.taskId}${e.mapIndex === undefined ? "" : `[${e.mapIndex}]`}`;

  const send = async (spec: RunEventSpec) => {
    await emitter.emit(buildRunEvent(spec));
  };
  const attemptSpec = (
    e: { runId: string; pipeline: string; taskId: string; mapIndex?: number; at: string },
    eventType: LineageEventType,
  ): RunEventSpec | undefined => {
    const run = runs.get(e.runId);
    const attempt = attempts.get(attemptKey(e));
    if (!run || !attempt) return undefined;
    return {
      eventType,
      eventTime: e.at,
      runId: attempt.id,
      job: { namespace: emitter.namespace, name: attempt.job, jobType: "TASK", processingType: "BATCH" },
      parent: { runId: run.id, namespace: emitter.namespace, name: run.pipeline },
      nominal: run.nominal,
    };
  };
  const resolve = (pipeline: string, activity: Parameters<typeof resolveActivity>[0] | undefined) =>
    activity
      ? resolveActivity(activity, { engines: options.engines, lakeRoot: options.lakeRoot, pipeline })
      : undefined;

  const handle = async (event: RunEvent): Promise<void> => {
    switch (event.type) {
      case "run.started": {
        const run = { id: uuidv7(), pipeline: event.pipeline, nominal: event.interval };
        runs.set(event.runId, run);
        await send({
          eventType: "START",
          eventTime: event.at,
          runId: run.id,
          job: {
            namespace: emitter.namespace,
            name: event.pipeline,
            jobType: "JOB",
            processingType: "BATCH",
          },
          nominal: event.interval,
        });
        return;
      }
      case "task.started": {
        attempts.set(attemptKey(event), {
          id: uuidv7(),
          job: taskJob(event.pipeline, event),
          lastRunning: 0,
        });
        const spec = attemptSpec(event, "START");
        if (spec) await send(spec);
        return;
      }
      case "task.progress": {
        const attempt = attempts.get(attemptKey(event));
        const now = Date.parse(event.at);
        if (!attempt || now - attempt.lastRunning < RUNNING_EVERY_MS) return;
        attempt.lastRunning = now;
        const spec = attemptSpec(event, "RUNNING");
        if (spec) await send(spec);
        return;
      }
      case "task.succeeded": {
        const spec = attemptSpec(event, "COMPLETE");
        attempts.delete(attemptKey(event));
        if (!spec) return;
        const activity = await resolve(event.pipeline, event.activity);
        await send(withActivity(spec, activity));
        return;
      }
      case "task.retrying":
      case "task.failed": {
        const spec = attemptSpec(event, "FAIL");
        attempts.delete(attemptKey(event));
        if (!spec) return;
        const activity = await resolve(event.pipeline, event.activity);
        const details = event.error.details as { stack?: unknown };
        await send({
          ...withActivity(spec, activity),
          error: {
            message: `[${event.error.code}] ${event.error.message}`,
            ...(typeof details.stack === "string" ? { stackTrace: details.stack } : {}),
          },
        });
        return;
      }
      case "run.finished":
      case "run.interrupted": {
        const run = runs.get(event.runId);
        if (!run) return;
        runs.delete(event.runId);
        if (event.type === "run.interrupted") {
          for (const [k, attempt] of attempts) {
            if (!k.startsWith(`${event.runId}\u0000`)) continue;
            attempts.delete(k);
            await send({
              eventType: "ABORT",
              eventTime: event.at,
              runId: attempt.id,
              job: {
                namespace: emitter.namespace,
                name: attempt.job,
                jobType: "TASK",
                processingType: "BATCH",
              },
              parent: { runId: run.id, namespace: emitter.namespace, name: run.pipeline },
              nominal: run.nominal,
            });
          }
        }
        await send({
          eventType:
            event.type === "run.interrupted" ? "ABORT" : event.state === "succeeded" ? "COMPLETE" : "FAIL",
          eventTime: event.at,
          runId: run.id,
          job: { namespace: emitter.namespace, name: run.pipeline, jobType: "JOB", processingType: "BATCH" },
          nominal: run.nominal,
          ...(event.type === "run.finished" && event.summary.error
            ? { error: { message: `[${event.summary.error.code}] ${event.summary.error.message}` } }
            : {}),
        });
        return;
      }
      default:
        return;
    }
  };
  return async (event) => {
    try {
      await handle(event);
    } catch (error) {
      warn(options.logger, `lineage: could not emit for ${event.type}: ${messageOf(error)}`, {
        runId: event.runId,
      });
    }
  };
}

function withActivity(spec: RunEventSpec, activity: RunEventSpec["activity"]): RunEventSpec {
  if (!activity) return spec;
  const sql = activity.sql.join(";\n\n");
  return { ...spec, activity, job: { ...spec.job, ...(sql ? { sql } : {}) } };
}
