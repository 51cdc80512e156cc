import { parseDuration } from "../core/duration.js";
import { messageOf, PipelineError } from "../core/errors.js";
import type { RetryPolicy } from "./backoff.js";

/**
 * When a task runs, given the final states of the tasks it depends on (Airflow's trigger
 * rules). `all_success` is the default.
 */
export const TRIGGER_RULES = [
  "all_success",
  "all_failed",
  "all_done",
  "one_success",
  "one_failed",
  "none_failed",
  "none_skipped",
] as const;
export type TriggerRule = (typeof TRIGGER_RULES)[number];

/**
 * Settings a pipeline gives all its tasks and a task may override. Durations are
 * milliseconds or strings such as "5m", "1h30m".
 */
export interface TaskOptions {
  /** Attempts after the first one; default 0. */
  retries?: number;
  /** Wait before a retry; default "5m" (Airflow's). */
  retryDelay?: string | number;
  /** Double the delay after each failed attempt. */
  retryExponentialBackoff?: boolean;
  /** Cap on any retry delay (default 24h with exponential backoff). */
  maxRetryDelay?: string | number;
  /** Shorten delays randomly so many retries do not hit a system at once: true = up to half, or a fraction. */
  retryJitter?: boolean | number;
  /** Per-attempt limit: the attempt's signal is aborted and the attempt fails (and may be retried). */
  timeout?: string | number;
  /**
   * How long a task told to stop (timeout, run timeout, shutdown) has to end before the
   * executor gives up on it; default "10s". A retry never starts while the attempt before
   * it still runs: a task still running after its grace fails without retry.
   */
  timeoutGrace?: string | number;
  /** Run only when this task succeeded (or was skipped) in the previous run by logical date. */
  dependsOnPast?: boolean;
  /** A named slot limit shared across pipelines and processes (see `pools`). */
  pool?: string;
  /** Slots of the pool one attempt takes; default 1. */
  poolSlots?: number;
  /**
   * The worker queue this task's attempts go to with the distributed executor (workers
   * started with `weir worker --queues heavy,default` take them); default "default". The
   * local executor ignores it.
   */
  queue?: string;
  triggerRule?: TriggerRule;
  owner?: string;
}

/** The settings a task runs with: the pipeline's defaults with the task's overrides, parsed. */
export interface TaskPolicy {
  retries: number;
  retry: RetryPolicy & { retryDelay: number };
  timeoutMs?: number;
  timeoutGraceMs: number;
  dependsOnPast: boolean;
  pool?: string;
  poolSlots: number;
  queue: string;
  triggerRule: TriggerRule;
  owner?: string;
}

export const TASK_OPTION_KEYS: readonly (keyof TaskOptions)[] = [
  "retries",
  "retryDelay",
  "retryExponentialBackoff",
  "maxRetryDelay",
  "retryJitter",
  "timeout",
  "timeoutGrace",
  "dependsOnPast",
  "pool",
  "poolSlots",
  "queue",
  "triggerRule",
  "owner",
];

const DEFAULT_RETRY_DELAY_MS = 300_000;
/** As `docker stop`: a task told to stop has 10s to end before it is given up on. */
export const DEFAULT_TIMEOUT_GRACE_MS = 10_000;

/** Throws PIPELINE_INVALID naming `what` (e.g. `task "load"`) for a bad option; returns the options unchanged. */
export function validateTaskOptions(options: TaskOptions, what: string): TaskOptions {
  const o = options;
  if (o.retries !== undefined && !(Number.isInteger(o.retries) && o.retries >= 0)) {
    throw invalid(`${what} retries must be a whole number of at least 0, got ${show(o.retries)}`, what);
  }
  for (const key of ["retryDelay", "maxRetryDelay", "timeout", "timeoutGrace"] as const) {
    const value = o[key];
    if (value === undefined) continue;
    const ms = duration(value, `${what} ${key}`);
    if (key === "timeout" && ms <= 0)
      throw invalid(`${what} timeout must be more than 0, got ${show(value)}`, what);
  }
  if (
    o.retryJitter !== undefined &&
    typeof o.retryJitter !== "boolean" &&
    !(typeof o.retryJitter === "number" && o.retryJitter >= 0 && o.retryJitter <= 1)
  ) {
    throw invalid(
      `${what} retryJitter must be true, false or a fraction between 0 and 1, got ${show(o.retryJitter)}`,
      what,
    );
  }
  for (const key of ["retryExponentialBackoff", "dependsOnPast"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "boolean") {
      throw invalid(`${what} ${key} must be true or false, got ${show(o[key])}`, what);
    }
  }
  if (o.pool !== undefined && (typeof o.pool !== "string" || o.pool.trim() === "")) {
    throw invalid(`${what} pool must be a pool name, got ${show(o.pool)}`, what);
  }
  if (o.poolSlots !== undefined && !(Number.isInteger(o.poolSlots) && o.poolSlots >= 1)) {
    throw invalid(`${what} poolSlots must be a whole number of at least 1, got ${show(o.poolSlots)}`, what);
  }
  if (o.queue !== undefined && (typeof o.queue !== "string" || !/^[A-Za-z0-9_-]+$/.test(o.queue))) {
    throw invalid(
      `${what} queue must be a queue name (letters, digits, _ and -), got ${show(o.queue)}`,
      what,
    );
  }
  if (o.triggerRule !== undefined && !TRIGGER_RULES.includes(o.triggerRule)) {
    throw invalid(
      `${what} triggerRule ${show(o.triggerRule)} is unknown: expected one of ${TRIGGER_RULES.join(", ")}`,
      what,
    );
  }
  if (o.owner !== undefined && typeof o.owner !== "string") {
    throw invalid(`${what} owner must be a string, got ${show(o.owner)}`, what);
  }
  return o;
}

/** The pipeline's defaults overridden by the task's options, durations parsed. */
export function resolveTaskPolicy(defaults: TaskOptions, task: TaskOptions): TaskPolicy {
  const o = { ...defaults, ...stripUndefined(task) };
  const maxDelay = o.maxRetryDelay === undefined ? undefined : parseDuration(o.maxRetryDelay);
  const timeoutMs = o.timeout === undefined ? undefined : parseDuration(o.timeout);
  return {
    retries: o.retries ?? 0,
    retry: {
      retryDelay: o.retryDelay === undefined ? DEFAULT_RETRY_DELAY_MS : parseDuration(o.retryDelay),
      exponential: o.retryExponentialBackoff ?? false,
      ...(maxDelay === undefined ? {} : { maxDelay }),
      ...(o.retryJitter === undefined ? {} : { jitter: o.retryJitter }),
    },
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    timeoutGraceMs: o.timeoutGrace === undefined ? DEFAULT_TIMEOUT_GRACE_MS : parseDuration(o.timeoutGrace),
    dependsOnPast: o.dependsOnPast ?? false,
    ...(o.pool === undefined ? {} : { pool: o.pool }),
    poolSlots: o.poolSlots ?? 1,
    queue: o.queue ?? "default",
    triggerRule: o.triggerRule ?? "all_success",
    ...(o.owner === undefined ? {} : { owner: o.owner }),
  };
}

const ID_RE = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Refuses a pipeline or task id that is not letters, digits, _ or -, starting with a letter. */
export function checkId(kind: "pipeline" | "task", id: unknown): void {
  if (typeof id !== "string" || !ID_RE.test(id)) {
    throw new PipelineError(
      "PIPELINE_INVALID",
      `invalid ${kind} id ${JSON.stringify(id)}: expected letters, digits, _ or -, starting with a letter`,
    );
  }
}

/** Refuses keys a spec does not know, suggesting the one probably meant. */
export function rejectUnknownKeys(spec: object, known: readonly string[], what: string): void {
  for (const key of Object.keys(spec)) {
    if (known.includes(key)) continue;
    const near = known.find((k) => k.toLowerCase().startsWith(key.toLowerCase().slice(0, 4)));
    throw invalid(
      `${what} has an unknown option "${key}"${near ? ` (did you mean "${near}"?)` : ""}; known options: ${known.join(", ")}`,
      what,
    );
  }
}

export function duration(value: unknown, what: string): number {
  try {
    return parseDuration(value as string | number, what);
  } catch (cause) {
    throw invalid(messageOf(cause), what, cause);
  }
}

export function invalid(message: string, what: string, cause?: unknown): PipelineError {
  return new PipelineError("PIPELINE_INVALID", message, {
    ...(cause === undefined ? {} : { cause }),
    details: { setting: what },
  });
}

export function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
