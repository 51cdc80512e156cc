import type { MetadataStore, NewRun } from "../../metadata/metadata-store.js";
import { definePipeline, defineTask, type PipelineDefinition } from "../../orchestrator/define-pipeline.js";
import type { PipelineEntry } from "../../orchestrator/pipeline-registry.js";

/** A daily pipeline extract → load, for the server's tests. */
export function ordersPipeline(): PipelineDefinition {
  return definePipeline({
    id: "orders",
    description: "orders from the shop",
    owner: "data-team",
    tags: ["sales"],
    schedule: "@daily",
    startDate: "2024-01-01",
    catchup: false,
    tasks: [
      defineTask({ id: "extract", run: async () => undefined }),
      defineTask({ id: "load", dependsOn: ["extract"], run: async () => undefined }),
    ],
  });
}

export function entriesOf(...pipelines: PipelineDefinition[]): PipelineEntry[] {
  return pipelines.map((pipeline) => ({ id: pipeline.id, file: `/virtual/${pipeline.id}.ts`, pipeline }));
}

/** The instant `n` minutes after 2024-01-01T00:00Z. */
export function minute(n: number): string {
  return new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString();
}

/**
 * Records a finished run of `orders` with both task instances and one attempt each (the
 * load's first attempt failed and logged, when `failed`), as an executor would have.
 */
export async function seedFinishedRun(
  store: MetadataStore,
  options: { id: string; day: number; failed?: boolean },
): Promise<void> {
  const start = new Date(Date.UTC(2024, 0, 1 + options.day));
  const at = new Date(start.getTime() + 86_400_000 + 3_600_000).toISOString();
  const end = new Date(Date.parse(at) + 90_000).toISOString();
  await store.runs.create(
    {
      id: options.id,
      pipeline: "orders",
      logicalDate: start.toISOString().slice(0, 10),
      logicalTime: start.toISOString(),
      intervalStart: start.toISOString(),
      intervalEnd: new Date(start.getTime() + 86_400_000).toISOString(),
      state: "queued",
      runType: "scheduled",
      startedAt: at,
      params: {},
    },
    [
      { taskId: "extract", mapIndex: -1, retries: 0 },
      { taskId: "load", mapIndex: -1, retries: 0 },
    ],
  );
  for (const taskId of ["extract", "load"]) {
    const failed = options.failed === true && taskId === "load";
    await store.tasks.startAttempt({
      runId: options.id,
      taskId,
      mapIndex: -1,
      attempt: 1,
      owner: "test",
      at,
    });
    await store.tasks.finishAttempt({
      runId: options.id,
      taskId,
      mapIndex: -1,
      attempt: 1,
      attemptState: failed ? "failed" : "success",
      at: end,
      ...(failed ? { error: { code: "TASK_FAILED", message: "boom" } } : {}),
      instance: {
        state: failed ? "failed" : "success",
        durationMs: 90_000,
        rows: { in: 10, out: 9, rejected: 1 },
        ...(failed ? { error: "boom" } : {}),
      },
      logs: [
        { seq: 1, at, level: "info", message: `${taskId} started` },
        { seq: 2, at: end, level: failed ? "error" : "info", message: failed ? "boom" : `${taskId} done` },
      ],
    });
  }
  await store.runs.finish(options.id, {
    state: options.failed ? "failed" : "succeeded",
    endedAt: end,
    ...(options.failed ? { error: "task load failed" } : {}),
  });
}

/** A finished run of `pipeline` whose logical date is `day` days after 2020-01-01, started at `startedAt`. */
export function newRun(id: string, day: number, startedAt: string, pipeline = "orders"): NewRun {
  const start = new Date(Date.UTC(2020, 0, 1) + day * 86_400_000);
  return {
    id,
    pipeline,
    logicalDate: start.toISOString().slice(0, 10),
    logicalTime: start.toISOString(),
    intervalStart: start.toISOString(),
    intervalEnd: new Date(start.getTime() + 86_400_000).toISOString(),
    state: "succeeded",
    runType: "scheduled",
    startedAt,
    endedAt: startedAt,
    params: {},
  };
}
