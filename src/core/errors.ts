/**
 * One error base for all of weir. Every error has a stable `code` (the table below is
 * what docs and CLI exit codes read), says whether a retry may help, and keeps the
 * original failure as `cause`.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: { exitCode: 2, summary: "configuration or arguments are invalid" },
  ENGINE_QUERY_FAILED: { exitCode: 3, summary: "the engine rejected a statement" },
  ENGINE_CONNECTION_FAILED: { exitCode: 3, summary: "the engine could not be reached" },
  WAREHOUSE_LOCKED: {
    exitCode: 3,
    summary: "another process held the DuckDB warehouse file for longer than warehouseLockTimeout",
  },
  CONNECTOR_READ_FAILED: { exitCode: 4, summary: "a source could not be read" },
  CONNECTOR_WRITE_FAILED: { exitCode: 4, summary: "a sink could not be written" },
  CONNECTOR_HTTP_FAILED: { exitCode: 4, summary: "an HTTP source answered with an error" },
  SCHEMA_MISMATCH: { exitCode: 4, summary: "data does not match the declared schema" },
  LAKE_COMMIT_FAILED: { exitCode: 5, summary: "a lake commit could not be made visible" },
  LAKE_NOT_FOUND: { exitCode: 5, summary: "a lake dataset does not exist" },
  LAKE_LOCKED: { exitCode: 5, summary: "another writer holds the lake dataset's lock" },
  LAKE_MANIFEST_INVALID: { exitCode: 5, summary: "a lake dataset's manifest cannot be read" },
  PIPELINE_INVALID: { exitCode: 2, summary: "a pipeline definition is invalid" },
  PIPELINE_NOT_FOUND: { exitCode: 2, summary: "no pipeline by that name or path" },
  TASK_FAILED: { exitCode: 1, summary: "a task of the pipeline failed" },
  TASK_TIMEOUT: { exitCode: 1, summary: "a task attempt or a run exceeded its timeout" },
  RUN_CONFLICT: { exitCode: 8, summary: "the run is being executed by another process, or is finished" },
  QUALITY_FAILED: { exitCode: 1, summary: "a data-quality check with severity error failed" },
  METADATA_FAILED: { exitCode: 6, summary: "the metadata store failed" },
  QUEUE_UNAVAILABLE: {
    exitCode: 6,
    summary: "the distributed executor could not hand an attempt to the PostgreSQL queue",
  },
  NOTIFICATION_FAILED: { exitCode: 7, summary: "a notification could not be delivered" },
  STREAM_JOB_INVALID: { exitCode: 2, summary: "a stream job definition is invalid" },
  STREAM_SOURCE_FAILED: { exitCode: 9, summary: "a stream source could not be read or acknowledged" },
  STREAM_SINK_FAILED: { exitCode: 9, summary: "a stream sink could not commit an epoch" },
  STREAM_LEASE_LOST: { exitCode: 9, summary: "another process took over a stream partition" },
  WAREHOUSE_MODEL_INVALID: { exitCode: 2, summary: "a warehouse model definition is invalid" },
  WAREHOUSE_CHANGE_REFUSED: {
    exitCode: 10,
    summary: "a warehouse change is destructive and was not allowed",
  },
  WAREHOUSE_LOAD_FAILED: { exitCode: 10, summary: "a warehouse load could not be applied" },
  DETOKENIZE_NOT_GRANTED: {
    exitCode: 11,
    summary: "detokenizing needs a detokenize grant the principal does not hold",
  },
  AUDIT_CHAIN_BROKEN: {
    exitCode: 11,
    summary: "the audit log's hash chain does not verify (an entry was edited or removed)",
  },
  LINEAGE_EVENT_INVALID: { exitCode: 2, summary: "a lineage event is not a valid OpenLineage RunEvent" },
  LINEAGE_DATASET_UNKNOWN: {
    exitCode: 2,
    summary: "no lineage dataset by that name, or more than one",
  },
  PII_UNMASKED: { exitCode: 11, summary: "a protected table holds PII that is not masked" },
  ERASURE_FAILED: {
    exitCode: 11,
    summary: "an erasure could not remove the subject from every dataset (running it again finishes it)",
  },
  SERVER_UNAUTHORIZED: {
    exitCode: 12,
    summary: "the request carries no valid API token or session (weir token create makes one)",
  },
  SERVER_FORBIDDEN: { exitCode: 12, summary: "the API token's role or grants do not allow this request" },
  SERVER_CSRF: {
    exitCode: 12,
    summary:
      "a cookie-authenticated request lacked a matching X-CSRF-Token header or came from another origin",
  },
  SERVER_NOT_FOUND: {
    exitCode: 12,
    summary: "the API has no such resource (pipeline, run, attempt, dataset or stream job)",
  },
  SERVER_UNSAFE_BIND: {
    exitCode: 12,
    summary: "weir serve refuses a non-loopback address while no API token exists",
  },
  INTERNAL: { exitCode: 70, summary: "a bug in weir" },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface WeirErrorOptions {
  /** True when running the same thing again may succeed (connection reset, lock timeout, HTTP 503). */
  retryable?: boolean;
  /** Structured facts about the failure: file, line, column, table… Never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Marks weir errors across module copies (a pipeline file loaded with tsx gets its own copy of weir). */
const WEIR_ERROR_BRAND = Symbol.for("weir.error");

export class WeirError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: WeirErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
    Object.defineProperty(this, WEIR_ERROR_BRAND, { value: true });
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode;
  }
}

/**
 * `instanceof` that also recognises errors made by another copy of weir's modules: user
 * pipelines are imported through tsx in their own module namespace, so an error thrown by
 * the runtime's engine and caught by the pipeline's copy of `writeTable` (or the reverse)
 * would otherwise not be a `WeirError` there. Subclasses match by class name. `this` is the
 * class `instanceof` asks about, so one function serves WeirError and every subclass.
 */
function isWeirErrorOf(this: abstract new (...args: never[]) => unknown, value: unknown): boolean {
  if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
  if (typeof value !== "object" || value === null || !(WEIR_ERROR_BRAND in value)) return false;
  if (this === WeirError) return true;
  for (let proto = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
    if (proto.constructor?.name === this.name) return true;
  }
  return false;
}
Object.defineProperty(WeirError, Symbol.hasInstance, { value: isWeirErrorOf });

export class ConfigError extends WeirError {
  constructor(message: string, options: WeirErrorOptions = {}) {
    super("CONFIG_INVALID", message, options);
  }
}

export class EngineError extends WeirError {}
export class ConnectorError extends WeirError {}
export class LakeError extends WeirError {}
export class PipelineError extends WeirError {}
export class StreamError extends WeirError {}

/** Wraps whatever user task code threw, keeping the original as `cause`. */
export class TaskError extends WeirError {
  constructor(taskId: string, cause: unknown) {
    super("TASK_FAILED", `task "${taskId}" failed: ${messageOf(cause)}`, {
      cause,
      retryable: cause instanceof WeirError ? cause.retryable : false,
      details: { taskId },
    });
  }
}

export class QualityError extends WeirError {
  constructor(message: string, options: WeirErrorOptions = {}) {
    super("QUALITY_FAILED", message, options);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
