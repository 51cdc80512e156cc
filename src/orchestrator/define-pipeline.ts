import { PipelineError } from "../core/errors.js";
import { planPipeline } from "./plan-pipeline.js";
import type { TaskContext } from "./task-context.js";

/**
 * A unit of work in a pipeline. `run` receives the task context and returns an output
 * that downstream tasks read with `ctx.outputOf(task)`.
 */
export interface TaskDefinition<Output = unknown> {
  readonly id: string;
  readonly description?: string;
  readonly dependsOn: readonly string[];
  run(ctx: TaskContext): Promise<Output>;
}

export interface TaskSpec<Output> {
  id: string;
  description?: string;
  /** Ids of tasks that must succeed first. */
  dependsOn?: readonly string[];
  run: (ctx: TaskContext) => Promise<Output>;
}

/** A validated DAG of tasks. `order` is the topological order the local executor runs. */
export interface PipelineDefinition {
  readonly kind: "weir.pipeline";
  readonly id: string;
  readonly description?: string;
  readonly tasks: readonly TaskDefinition[];
  readonly order: readonly string[];
}

export interface PipelineSpec {
  id: string;
  description?: string;
  tasks: readonly TaskDefinition[];
}

const ID_RE = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * Declares a task. Separate from `definePipeline` so a task can be referenced by value
 * (`ctx.outputOf(extract)`) and its output type flows to readers.
 *
 * @example
 * const extract = defineTask({ id: "extract", run: async (ctx) => ({ rows: 10 }) });
 * const load = defineTask({ id: "load", dependsOn: ["extract"], run: async (ctx) => ctx.outputOf(extract).rows });
 */
export function defineTask<Output>(spec: TaskSpec<Output>): TaskDefinition<Output> {
  if (typeof spec?.id !== "string" || !ID_RE.test(spec.id)) {
    throw new PipelineError(
      "PIPELINE_INVALID",
      `invalid task id ${JSON.stringify(spec?.id)}: expected letters, digits, _ or -, starting with a letter`,
    );
  }
  if (typeof spec.run !== "function") {
    throw new PipelineError("PIPELINE_INVALID", `task "${spec.id}" has no run function`, {
      details: { taskId: spec.id },
    });
  }
  return Object.freeze({
    id: spec.id,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    dependsOn: Object.freeze([...(spec.dependsOn ?? [])]),
    run: spec.run,
  });
}

/**
 * Declares a pipeline and validates its DAG at once: duplicate task ids, unknown
 * dependencies and cycles (named, e.g. `extract → land → extract`) throw a
 * `PipelineError` with code PIPELINE_INVALID.
 *
 * @example
 * export default definePipeline({ id: "customers", tasks: [extract, load] });
 */
export function definePipeline(spec: PipelineSpec): PipelineDefinition {
  if (typeof spec?.id !== "string" || !ID_RE.test(spec.id)) {
    throw new PipelineError(
      "PIPELINE_INVALID",
      `invalid pipeline id ${JSON.stringify(spec?.id)}: expected letters, digits, _ or -, starting with a letter`,
    );
  }
  const order = planPipeline(spec.id, spec.tasks);
  return Object.freeze({
    kind: "weir.pipeline" as const,
    id: spec.id,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    tasks: Object.freeze([...spec.tasks]),
    order,
  });
}

/**
 * True for a value made by `definePipeline`. Checked by shape, not `instanceof`: a pipeline
 * file loaded at run time may bring its own copy of weir.
 */
export function isPipelineDefinition(value: unknown): value is PipelineDefinition {
  const v = value as Partial<PipelineDefinition> | null;
  return (
    typeof v === "object" &&
    v !== null &&
    v.kind === "weir.pipeline" &&
    Array.isArray(v.tasks) &&
    Array.isArray(v.order)
  );
}
