import type { MetadataStore } from "../metadata/metadata-store.js";
import type { RunEventListener } from "./run-events.js";

/**
 * A listener that writes runs and task attempts into the metadata store as their events
 * arrive, so a crashed run is visible as `running` with the tasks it reached.
 */
export function recordRunEvents(store: MetadataStore): RunEventListener {
  return async (event) => {
    switch (event.type) {
      case "run.started":
        await store.startRun({
          id: event.runId,
          pipeline: event.pipeline,
          logicalDate: event.logicalDate,
          intervalStart: event.interval.start,
          intervalEnd: event.interval.end,
          state: "running",
          startedAt: event.at,
          params: event.params,
        });
        return;
      case "task.started":
        await store.startTaskRun({
          runId: event.runId,
          taskId: event.taskId,
          attempt: event.attempt,
          state: "running",
          startedAt: event.at,
          rows: {},
        });
        return;
      case "task.succeeded":
        await store.finishTaskRun(
          { runId: event.runId, taskId: event.taskId, attempt: event.attempt },
          { state: "succeeded", endedAt: event.at, rows: event.rows },
        );
        return;
      case "task.failed":
        await store.finishTaskRun(
          { runId: event.runId, taskId: event.taskId, attempt: event.attempt },
          { state: "failed", endedAt: event.at, error: `[${event.error.code}] ${event.error.message}` },
        );
        return;
      case "task.skipped":
        await store.startTaskRun({
          runId: event.runId,
          taskId: event.taskId,
          attempt: 1,
          state: "skipped",
          startedAt: event.at,
          endedAt: event.at,
          error: `upstream did not succeed: ${event.blockedBy.join(", ")}`,
          rows: {},
        });
        return;
      case "run.finished":
        await store.finishRun(event.runId, { state: event.state, endedAt: event.at, summary: event.summary });
        return;
      case "task.progress":
        return;
    }
  };
}
