import type { PipelineRecord } from "../metadata/metadata-store.js";
import { nextScheduledAt } from "../orchestrator/scheduler/queue-due-runs.js";
import { type RunSummary, runSummaryOf } from "./run-summary.js";
import type { ServerContext } from "./server-context.js";

/** A pipeline as the API shows it (`Pipeline` in the OpenAPI document). */
export interface PipelineView {
  id: string;
  description?: string;
  owner?: string;
  tags: string[];
  schedule?: string;
  timezone?: string;
  paused: boolean;
  file?: string;
  nextRunAt: string | null;
  lastRun: RunSummary | null;
  tasks: { id: string; upstream: string[] }[];
}

/**
 * What the store recorded of a pipeline joined with its loaded definition (tasks, next
 * scheduled run). Either may be missing: a pipeline never run yet is not in the store, and
 * one whose file no longer loads has no definition.
 */
export async function pipelineView(
  ctx: ServerContext,
  id: string,
  record: PipelineRecord | undefined,
): Promise<PipelineView> {
  const entry = ctx.pipelines.get(id);
  const pipeline = entry?.pipeline;
  const paused = record?.paused ?? false;
  const [last] = await ctx.store.runs.list({ pipeline: id, limit: 1 });
  const next =
    pipeline && !paused
      ? await nextScheduledAt({
          pipeline,
          store: ctx.store,
          clock: ctx.clock,
          defaultStartDate: ctx.scheduleStart,
        })
      : undefined;
  const description = pipeline?.description ?? record?.description;
  const owner = pipeline?.owner ?? record?.owner;
  const schedule = pipeline ? pipeline.schedule.expression : record?.schedule;
  const timezone = pipeline?.timezone ?? record?.timezone;
  const file = entry?.file ?? record?.file;
  return {
    id,
    ...(description ? { description } : {}),
    ...(owner ? { owner } : {}),
    tags: pipeline ? [...pipeline.tags] : (record?.tags ?? []),
    ...(schedule ? { schedule } : {}),
    ...(timezone ? { timezone } : {}),
    paused,
    ...(file ? { file } : {}),
    nextRunAt: next ? next.toISOString() : null,
    lastRun: last ? runSummaryOf(last) : null,
    tasks: pipeline
      ? pipeline.order.map((taskId) => ({
          id: taskId,
          upstream: [...(pipeline.tasks.find((t) => t.id === taskId)?.dependsOn ?? [])],
        }))
      : [],
  };
}

/** Every pipeline the server loaded or the store knows, sorted by id. */
export async function pipelineViews(ctx: ServerContext): Promise<PipelineView[]> {
  const records = new Map((await ctx.store.pipelines.list()).map((r) => [r.id, r]));
  const ids = [...new Set([...records.keys(), ...ctx.pipelines.keys()])].sort();
  return Promise.all(ids.map((id) => pipelineView(ctx, id, records.get(id))));
}
