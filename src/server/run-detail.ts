import type { AttemptRecord, RunRecord, TaskInstanceRecord } from "../metadata/metadata-store.js";
import { durationMs, type RunSummary, runSummaryOf } from "./run-summary.js";
import type { ServerContext } from "./server-context.js";

export interface AttemptView {
  attempt: number;
  state: string;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  error?: string;
  rows?: { in?: number; out?: number; rejected?: number };
}

export interface TaskInstanceView {
  taskId: string;
  mapIndex: number;
  state: string;
  tryNumber: number;
  attempts: AttemptView[];
}

export interface RunDetail extends RunSummary {
  params: Record<string, string>;
  summary?: unknown;
  tasks: TaskInstanceView[];
  edges: { from: string; to: string }[];
}

/**
 * A run with its task instances and their attempts. The instance's row counts belong to its
 * latest attempt (the store keeps one set per instance). Edges come from the loaded
 * pipeline's definition; a pipeline the server did not load has none.
 */
export async function runDetail(ctx: ServerContext, run: RunRecord): Promise<RunDetail> {
  const [instances, attempts] = await Promise.all([
    ctx.store.tasks.list(run.id),
    ctx.store.tasks.attempts(run.id),
  ]);
  const byInstance = new Map<string, AttemptRecord[]>();
  for (const a of attempts) {
    const key = `${a.taskId}\u0000${a.mapIndex}`;
    const list = byInstance.get(key) ?? [];
    list.push(a);
    byInstance.set(key, list);
  }
  const pipeline = ctx.pipelines.get(run.pipeline)?.pipeline;
  return {
    ...runSummaryOf(run),
    params: run.params,
    ...(run.summary === undefined ? {} : { summary: run.summary }),
    tasks: instances.map((i) => taskInstanceView(i, byInstance.get(`${i.taskId}\u0000${i.mapIndex}`) ?? [])),
    edges: pipeline ? pipeline.tasks.flatMap((t) => t.dependsOn.map((from) => ({ from, to: t.id }))) : [],
  };
}

function taskInstanceView(instance: TaskInstanceRecord, attempts: AttemptRecord[]): TaskInstanceView {
  const sorted = [...attempts].sort((a, b) => a.attempt - b.attempt);
  const last = sorted[sorted.length - 1];
  const hasRows = Object.values(instance.rows).some((v) => v !== undefined);
  return {
    taskId: instance.taskId,
    mapIndex: instance.mapIndex,
    state: instance.state,
    tryNumber: instance.tryNumber,
    attempts: sorted.map((a) => ({
      attempt: a.attempt,
      state: a.state,
      startedAt: a.startedAt,
      ...(a.endedAt ? { endedAt: a.endedAt, durationMs: durationMs(a.startedAt, a.endedAt) } : {}),
      ...(a.error ? { error: a.error } : {}),
      ...(a === last && hasRows ? { rows: { ...instance.rows } } : {}),
    })),
  };
}
