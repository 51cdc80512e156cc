import type { RunRecord } from "../metadata/metadata-store.js";

/** A run as the API lists it (`RunSummary` in the OpenAPI document). */
export type RunSummary = Pick<
  RunRecord,
  | "id"
  | "pipeline"
  | "logicalDate"
  | "logicalTime"
  | "intervalStart"
  | "intervalEnd"
  | "state"
  | "runType"
  | "queuedAt"
  | "startedAt"
  | "endedAt"
  | "error"
> & { durationMs?: number };

export function runSummaryOf(run: RunRecord): RunSummary {
  return {
    id: run.id,
    pipeline: run.pipeline,
    logicalDate: run.logicalDate,
    logicalTime: run.logicalTime,
    intervalStart: run.intervalStart,
    intervalEnd: run.intervalEnd,
    state: run.state,
    runType: run.runType,
    queuedAt: run.queuedAt,
    startedAt: run.startedAt,
    ...(run.endedAt ? { endedAt: run.endedAt, durationMs: durationMs(run.startedAt, run.endedAt) } : {}),
    ...(run.error ? { error: run.error } : {}),
  };
}

export function durationMs(start: string, end: string): number {
  return Math.max(0, Date.parse(end) - Date.parse(start));
}
