import type { MetadataStore } from "../metadata/metadata-store.js";
import type { PipelineDefinition } from "./define-pipeline.js";

/**
 * Records a pipeline (schedule, timezone, owner, tags, file) and the pools it declares in
 * the metadata store, so `weir pipelines list`, `pause` and `runs` know it and its tasks
 * can claim pool slots. Both the scheduler and `executeRun` call it; it is idempotent.
 *
 * @example
 * await registerPipeline(store, pipeline, { at: new Date().toISOString(), file: "pipelines/orders.ts" });
 */
export async function registerPipeline(
  store: MetadataStore,
  pipeline: PipelineDefinition,
  options: { at: string; file?: string | undefined },
): Promise<void> {
  const { at, file } = options;
  await store.pipelines.upsert({
    id: pipeline.id,
    ...(file ? { file } : {}),
    ...(pipeline.schedule.expression ? { schedule: pipeline.schedule.expression } : {}),
    timezone: pipeline.timezone,
    ...(pipeline.description ? { description: pipeline.description } : {}),
    ...(pipeline.owner ? { owner: pipeline.owner } : {}),
    tags: [...pipeline.tags],
    updatedAt: at,
  });
  for (const [name, slots] of Object.entries(pipeline.pools)) await store.pools.set(name, slots, { at });
}
