import { PipelineError } from "../core/errors.js";
import type { NotificationKind } from "../notifications/notification.js";
import type { TaskDefinition } from "./define-task.js";
import { type PartitionGrain, type PartitionScheme, partitionScheme } from "./partitions/partition-scheme.js";
import { planPipeline } from "./plan-pipeline.js";
import { parseSchedule } from "./schedule/parse-schedule.js";
import type { Schedule } from "./schedule/schedule.js";
import {
  checkId,
  duration,
  invalid,
  rejectUnknownKeys,
  resolveTaskPolicy,
  show,
  TASK_OPTION_KEYS,
  type TaskOptions,
  type TaskPolicy,
  validateTaskOptions,
} from "./task-options.js";
import {
  type DatasetCondition,
  type DatasetConditionSpec,
  parseDatasetCondition,
} from "./triggers/dataset-condition.js";

export { defineTask, type MappedTaskSpec, type TaskDefinition, type TaskSpec } from "./define-task.js";
export type { TaskOptions, TaskPolicy, TriggerRule } from "./task-options.js";

/** Channel names (from the project config) per notification kind, and the run SLA. */
export interface NotificationsSpec extends Partial<Record<NotificationKind, readonly string[]>> {
  /** A run not finished this long after it was queued is an SLA miss. */
  sla?: string | number;
}

export interface PipelineSpec extends TaskOptions {
  id: string;
  description?: string;
  tasks: readonly TaskDefinition[];
  /**
   * A cron pattern or preset ("0 2 * * *", "@daily"), read in `timezone`; or
   * `{ datasets }` to run when datasets are updated (a name, a list = all of them,
   * `{ any: [...] }`), optionally with `cron` as well.
   */
  schedule?: string | { cron?: string; datasets?: DatasetConditionSpec };
  /** IANA time zone of the schedule and the partitions; default "UTC". */
  timezone?: string;
  /** The first logical date the scheduler creates runs for. */
  startDate?: string | Date;
  endDate?: string | Date;
  /** Create runs for every missed interval since the last one (true), or only the latest (false, the default). */
  catchup?: boolean;
  /** Runs of this pipeline executing at once; default 16 (Airflow's). */
  maxActiveRuns?: number;
  /** Task instances of one run executing at once; default 16. */
  maxActiveTasks?: number;
  /** Limit for a whole run: its running attempts are aborted and the rest skipped. */
  runTimeout?: string | number;
  tags?: readonly string[];
  /** Default params, overridden by a run's params. */
  params?: Readonly<Record<string, string>>;
  /** Pools this pipeline's tasks use, by size; created or resized when a run starts. */
  pools?: Readonly<Record<string, number>>;
  /** A run materialises one time partition of the datasets its tasks write. */
  partitions?: PartitionGrain;
  notifications?: NotificationsSpec;
}

/** A validated DAG of tasks with its defaults resolved. `order` is a topological order. */
export interface PipelineDefinition {
  readonly kind: "weir.pipeline";
  readonly id: string;
  readonly description?: string;
  readonly tasks: readonly TaskDefinition[];
  readonly order: readonly string[];
  /** Each task's settings: the pipeline defaults with the task's overrides. */
  readonly policies: Readonly<Record<string, TaskPolicy>>;
  /** Always present: `kind: "none"` when the pipeline only runs when asked (or on datasets). */
  readonly schedule: Schedule;
  readonly datasetTrigger?: DatasetCondition;
  readonly timezone: string;
  readonly startDate?: Date;
  readonly endDate?: Date;
  readonly catchup: boolean;
  readonly maxActiveRuns: number;
  readonly maxActiveTasks: number;
  readonly runTimeoutMs?: number;
  readonly owner?: string;
  readonly tags: readonly string[];
  readonly params: Readonly<Record<string, string>>;
  readonly pools: Readonly<Record<string, number>>;
  readonly partitions?: PartitionScheme;
  readonly notifications: {
    readonly routes: Readonly<Partial<Record<NotificationKind, readonly string[]>>>;
    readonly slaMs?: number;
  };
}

const SPEC_KEYS = [
  "id",
  "description",
  "tasks",
  "schedule",
  "timezone",
  "startDate",
  "endDate",
  "catchup",
  "maxActiveRuns",
  "maxActiveTasks",
  "runTimeout",
  "tags",
  "params",
  "pools",
  "partitions",
  "notifications",
  ...TASK_OPTION_KEYS,
];
const NOTIFICATION_KEYS = ["failure", "retry", "success", "sla_miss", "sla"];

/**
 * Declares a pipeline and validates it at once: duplicate task ids, unknown dependencies,
 * cycles (named, e.g. `extract → land → extract`), bad cron expressions and time zones,
 * bad durations and unknown options throw a `PipelineError` with code PIPELINE_INVALID.
 *
 * @example
 * export default definePipeline({
 *   id: "customers", schedule: "0 2 * * *", timezone: "Europe/Berlin",
 *   retries: 3, retryDelay: "5m", catchup: false, maxActiveRuns: 1,
 *   tasks: [extract, load],
 * });
 */
export function definePipeline(spec: PipelineSpec): PipelineDefinition {
  checkId("pipeline", spec?.id);
  const what = `pipeline "${spec.id}"`;
  rejectUnknownKeys(spec, SPEC_KEYS, what);
  const order = planPipeline(spec.id, spec.tasks);
  const defaults = validateTaskOptions(spec, what);
  const timezone = spec.timezone ?? "UTC";
  const { cron, datasets } =
    typeof spec.schedule === "object" && spec.schedule !== null
      ? spec.schedule
      : { cron: spec.schedule, datasets: undefined };
  const schedule = guard(() => parseSchedule(cron, { timezone, what: `${what} schedule` }), what);
  const datasetTrigger =
    datasets === undefined
      ? undefined
      : guard(() => parseDatasetCondition(datasets, `${what} schedule.datasets`), what);
  const startDate = dateOption(spec.startDate, `${what} startDate`);
  const endDate = dateOption(spec.endDate, `${what} endDate`);
  if (startDate && endDate && endDate.getTime() < startDate.getTime()) {
    throw invalid(
      `${what} endDate ${endDate.toISOString()} is before its startDate ${startDate.toISOString()}`,
      what,
    );
  }
  const policies: Record<string, TaskPolicy> = {};
  for (const task of spec.tasks) policies[task.id] = resolveTaskPolicy(defaults, task.options);
  return Object.freeze({
    kind: "weir.pipeline" as const,
    id: spec.id,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    tasks: Object.freeze([...spec.tasks]),
    order,
    policies: Object.freeze(policies),
    schedule,
    ...(datasetTrigger === undefined ? {} : { datasetTrigger }),
    timezone: schedule.timezone,
    ...(startDate ? { startDate } : {}),
    ...(endDate ? { endDate } : {}),
    catchup: booleanOption(spec.catchup, `${what} catchup`) ?? false,
    maxActiveRuns: countOption(spec.maxActiveRuns, `${what} maxActiveRuns`) ?? 16,
    maxActiveTasks: countOption(spec.maxActiveTasks, `${what} maxActiveTasks`) ?? 16,
    ...(spec.runTimeout === undefined
      ? {}
      : { runTimeoutMs: duration(spec.runTimeout, `${what} runTimeout`) }),
    ...(spec.owner === undefined ? {} : { owner: spec.owner }),
    tags: Object.freeze([...(spec.tags ?? [])]),
    params: Object.freeze(stringRecord(spec.params, `${what} params`)),
    pools: Object.freeze(poolsOption(spec.pools, what)),
    ...(spec.partitions === undefined
      ? {}
      : { partitions: guard(() => partitionScheme({ grain: spec.partitions!, timezone }), what) }),
    notifications: notificationsOption(spec.notifications, what),
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

/** Runs a parser of another module, turning its ConfigError into PIPELINE_INVALID with the same message. */
function guard<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof PipelineError) throw cause;
    throw invalid(cause instanceof Error ? cause.message : String(cause), what, cause);
  }
}

function dateOption(value: unknown, what: string): Date | undefined {
  if (value === undefined) return undefined;
  const date =
    value instanceof Date ? value : typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw invalid(
      `${what} must be a date such as "2024-01-01" or an ISO-8601 instant, got ${show(value)}`,
      what,
    );
  }
  return date;
}

function booleanOption(value: unknown, what: string): boolean | undefined {
  if (value !== undefined && typeof value !== "boolean")
    throw invalid(`${what} must be true or false, got ${show(value)}`, what);
  return value;
}

function countOption(value: unknown, what: string): number | undefined {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1)) {
    throw invalid(`${what} must be a whole number of at least 1, got ${show(value)}`, what);
  }
  return value as number | undefined;
}

function stringRecord(value: unknown, what: string): Record<string, string> {
  if (value === undefined) return {};
  if (
    typeof value !== "object" ||
    value === null ||
    !Object.values(value).every((v) => typeof v === "string")
  ) {
    throw invalid(`${what} must map names to strings, got ${JSON.stringify(value)}`, what);
  }
  return { ...(value as Record<string, string>) };
}

function poolsOption(value: unknown, what: string): Record<string, number> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null)
    throw invalid(`${what} pools must map pool names to sizes`, what);
  for (const [name, slots] of Object.entries(value)) countOption(slots, `${what} pool "${name}" size`);
  return { ...(value as Record<string, number>) };
}

function notificationsOption(
  value: NotificationsSpec | undefined,
  what: string,
): PipelineDefinition["notifications"] {
  if (value === undefined) return { routes: {} };
  rejectUnknownKeys(value, NOTIFICATION_KEYS, `${what} notifications`);
  const routes: Partial<Record<NotificationKind, readonly string[]>> = {};
  for (const kind of ["failure", "retry", "success", "sla_miss"] as const) {
    const names = value[kind];
    if (names === undefined) continue;
    if (!Array.isArray(names) || !names.every((n) => typeof n === "string" && n !== "")) {
      throw invalid(
        `${what} notifications.${kind} must be a list of channel names, got ${JSON.stringify(names)}`,
        what,
      );
    }
    routes[kind] = Object.freeze([...names]);
  }
  return Object.freeze({
    routes: Object.freeze(routes),
    ...(value.sla === undefined ? {} : { slaMs: duration(value.sla, `${what} notifications.sla`) }),
  });
}
