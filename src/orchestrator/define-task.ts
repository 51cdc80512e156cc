import { PipelineError } from "../core/errors.js";
import type { TaskContext } from "./task-context.js";
import {
  checkId,
  invalid,
  rejectUnknownKeys,
  show,
  TASK_OPTION_KEYS,
  type TaskOptions,
  validateTaskOptions,
} from "./task-options.js";

/** Datasets a task reads and writes: lineage for humans, and what dataset-scheduled pipelines wait for. */
export interface TaskDatasets {
  reads: readonly string[];
  writes: readonly string[];
}

/** A mapped task's fan-out: one instance per item, at most `concurrency` at once. */
export interface TaskMap<Item = unknown, Output = unknown> {
  items(ctx: TaskContext): readonly Item[] | Promise<readonly Item[]>;
  concurrency?: number;
  run(ctx: TaskContext, item: Item): Promise<Output>;
}

/**
 * A unit of work in a pipeline. `run` receives the task context and returns an output
 * that downstream tasks read with `ctx.outputOf(task)`. A mapped task (`map`) returns the
 * outputs of its instances as an array, in item order.
 */
export interface TaskDefinition<Output = unknown> {
  readonly id: string;
  readonly description?: string;
  readonly dependsOn: readonly string[];
  /** Overrides of the pipeline's task defaults, as written. */
  readonly options: Readonly<TaskOptions>;
  readonly tags: readonly string[];
  readonly datasets: TaskDatasets;
  readonly map?: TaskMap;
  run(ctx: TaskContext): Promise<Output>;
}

interface CommonSpec extends TaskOptions {
  id: string;
  description?: string;
  /** Ids of tasks this one waits for (what "waits for" means is the trigger rule; default: all succeed). */
  dependsOn?: readonly string[];
  tags?: readonly string[];
  datasets?: { reads?: readonly string[]; writes?: readonly string[] };
}

export interface TaskSpec<Output> extends CommonSpec {
  run: (ctx: TaskContext) => Promise<Output>;
  map?: undefined;
  concurrency?: undefined;
}

/**
 * Dynamic fan-out: `map` computes the items at run time (one per partition, per file…);
 * `run` is called once per item, as its own task instance with its own attempts, logs and
 * retries, at most `concurrency` at once.
 */
export interface MappedTaskSpec<Item, Output> extends CommonSpec {
  map: (ctx: TaskContext) => readonly Item[] | Promise<readonly Item[]>;
  concurrency?: number;
  run: (ctx: TaskContext, item: Item) => Promise<Output>;
}

const SPEC_KEYS = [
  "id",
  "description",
  "dependsOn",
  "tags",
  "datasets",
  "run",
  "map",
  "concurrency",
  ...TASK_OPTION_KEYS,
];

/**
 * Declares a task. Separate from `definePipeline` so a task can be referenced by value
 * (`ctx.outputOf(extract)`) and its output type flows to readers. Options (retries,
 * timeout, pool, triggerRule…) override the pipeline's defaults.
 *
 * @example
 * const extract = defineTask({ id: "extract", retries: 3, retryDelay: "5m", run: async (ctx) => ({ rows: 10 }) });
 * const perDay = defineTask({
 *   id: "per_day", dependsOn: ["extract"], concurrency: 4,
 *   map: (ctx) => ["2024-01-01", "2024-01-02"],
 *   run: async (ctx, day) => ({ day }),
 * });
 */
export function defineTask<Output>(spec: TaskSpec<Output>): TaskDefinition<Output>;
export function defineTask<Item, Output>(spec: MappedTaskSpec<Item, Output>): TaskDefinition<Output[]>;
export function defineTask(
  spec: TaskSpec<unknown> | MappedTaskSpec<unknown, unknown>,
): TaskDefinition<unknown> {
  checkId("task", spec?.id);
  const what = `task "${spec.id}"`;
  rejectUnknownKeys(spec, SPEC_KEYS, what);
  if (typeof spec.run !== "function") {
    throw new PipelineError("PIPELINE_INVALID", `task "${spec.id}" has no run function`, {
      details: { taskId: spec.id },
    });
  }
  if (
    spec.dependsOn !== undefined &&
    !(Array.isArray(spec.dependsOn) && spec.dependsOn.every((d) => typeof d === "string"))
  ) {
    throw invalid(`${what} dependsOn must be a list of task ids, got ${show(spec.dependsOn)}`, what);
  }
  const options = validateTaskOptions(pickOptions(spec), what);
  const map = mapOf(spec, what);
  const run = map
    ? (ctx: TaskContext) => runItemsInOrder(map, ctx)
    : (spec.run as (ctx: TaskContext) => Promise<unknown>);
  return Object.freeze({
    id: spec.id,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    dependsOn: Object.freeze([...(spec.dependsOn ?? [])]),
    options: Object.freeze(options),
    tags: Object.freeze(stringList(spec.tags, `${what} tags`)),
    datasets: Object.freeze({
      reads: Object.freeze(stringList(spec.datasets?.reads, `${what} datasets.reads`)),
      writes: Object.freeze(stringList(spec.datasets?.writes, `${what} datasets.writes`)),
    }),
    ...(map ? { map } : {}),
    run,
  });
}

function mapOf(
  spec: TaskSpec<unknown> | MappedTaskSpec<unknown, unknown>,
  what: string,
): TaskMap | undefined {
  if (spec.map === undefined) {
    if (spec.concurrency !== undefined)
      throw invalid(`${what} sets concurrency but has no map function`, what);
    return undefined;
  }
  if (typeof spec.map !== "function")
    throw invalid(`${what} map must be a function returning the items`, what);
  if (spec.concurrency !== undefined && !(Number.isInteger(spec.concurrency) && spec.concurrency >= 1)) {
    throw invalid(
      `${what} concurrency must be a whole number of at least 1, got ${show(spec.concurrency)}`,
      what,
    );
  }
  const items = spec.map as TaskMap["items"];
  return Object.freeze({
    items,
    ...(spec.concurrency === undefined ? {} : { concurrency: spec.concurrency }),
    run: spec.run as TaskMap["run"],
  });
}

/** A mapped task called directly (outside the executor): its items one after another. */
async function runItemsInOrder(map: TaskMap, ctx: TaskContext): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const item of await map.items(ctx)) out.push(await map.run(ctx, item));
  return out;
}

function pickOptions(spec: TaskOptions): TaskOptions {
  const options: Record<string, unknown> = {};
  for (const key of TASK_OPTION_KEYS) if (spec[key] !== undefined) options[key] = spec[key];
  return options as TaskOptions;
}

function stringList(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v.trim() !== "")) {
    throw invalid(`${what} must be a list of non-empty strings, got ${JSON.stringify(value)}`, what);
  }
  return [...value];
}
