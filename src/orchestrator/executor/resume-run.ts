import { ConfigError, WeirError } from "../../core/errors.js";
import type { MetadataStore } from "../../metadata/metadata-store.js";
import type { TaskInstanceKey } from "../../metadata/task-store.js";
import type { PipelineDefinition } from "../define-pipeline.js";
import { type ExecuteRunOptions, executeRun } from "./execute-run.js";
import type { RunResult } from "./run-result.js";

/**
 * Continues a run that did not finish — its executor crashed, was killed or shut down, or
 * its tasks were cleared for a retry: tasks in success are not run again, interrupted
 * attempts count as failed and retry per policy, outputs of finished tasks come from the
 * store. Same options as `executeRun`, minus what the stored run already says.
 *
 * @example
 * for (const run of await store.runs.orphaned(staleBefore)) await resumeRun(run.id, { pipeline, store, runtime });
 */
export function resumeRun(
  runId: string,
  options: Omit<ExecuteRunOptions, "runId" | "logicalDate" | "interval" | "params" | "runType">,
): Promise<RunResult> {
  return executeRun({ ...options, runId });
}

/**
 * Clears task instances of a run so it runs them again (`weir retry`): the named tasks —
 * or, with no names, every task that did not succeed — and, with `downstream`, everything
 * downstream of them. They get a fresh set of retries; the run goes back to queued. Then
 * `resumeRun` (or the scheduler) executes it. Returns the cleared task ids. A running run
 * is refused with RUN_CONFLICT, unless `owner` claimed it (it then stays running, owned).
 */
export async function clearTasks(
  store: MetadataStore,
  pipeline: PipelineDefinition,
  runId: string,
  options: { tasks?: readonly string[]; downstream?: boolean; owner?: string } = {},
): Promise<string[]> {
  const run = await store.runs.get(runId);
  if (!run) throw new ConfigError(`no run ${runId} in the metadata store`, { details: { runId } });
  const running = () =>
    new WeirError("RUN_CONFLICT", `run ${runId} is running; clear its tasks when it has finished`, {
      details: { runId, owner: run.owner },
    });
  if (run.state === "running" && (options.owner === undefined || run.owner !== options.owner))
    throw running();
  const instances = (await store.tasks.list(runId)).filter((t) => t.mapIndex === -1);
  const known = new Set(pipeline.tasks.map((t) => t.id));
  for (const id of options.tasks ?? []) {
    if (!known.has(id)) {
      throw new ConfigError(
        `pipeline "${pipeline.id}" has no task "${id}" (tasks: ${[...known].join(", ")})`,
        {
          details: { taskId: id },
        },
      );
    }
  }
  const chosen = new Set(
    options.tasks ?? instances.filter((t) => t.state !== "success").map((t) => t.taskId),
  );
  if (options.downstream) {
    for (const id of pipeline.order) {
      const task = pipeline.tasks.find((t) => t.id === id)!;
      if (task.dependsOn.some((d) => chosen.has(d))) chosen.add(id);
    }
  }
  const keys: TaskInstanceKey[] = pipeline.order
    .filter((id) => chosen.has(id))
    .map((taskId) => ({ taskId, mapIndex: -1 }));
  // Refused by the store when an executor claimed the run since it was read above.
  const owner = options.owner === undefined ? {} : { owner: options.owner };
  if (!(await store.tasks.clear(runId, keys, owner))) throw running();
  return keys.map((k) => k.taskId);
}
