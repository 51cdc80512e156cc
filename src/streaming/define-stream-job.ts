import { parseDuration } from "../core/duration.js";
import { StreamError } from "../core/errors.js";
import type { WeirType } from "../core/types.js";
import type { AggregateSpec } from "./aggregates/index.js";
import { compileEventSchema, type EventSchema, type StreamEvent } from "./event-schema.js";
import type { WindowSpec } from "./windows/index.js";

/** Where a job reads from. `weir stream run --from-file F` replaces it with a file replay. */
export type StreamSourceSpec =
  | {
      type: "nats";
      /** The subject events are published on; with `partitions`, `<subject>.<p>`. */
      subject: string;
      /** The JetStream stream; default the subject upper-cased with `-`/`.` as `_`. */
      stream?: string;
      /** Subject partitions `<subject>.0` … `<subject>.<n-1>`, each owned by one process at a time. */
      partitions?: number;
      /** Server URL; default `WEIR_NATS_URL`, else nats://127.0.0.1:4222. */
      url?: string;
    }
  | { type: "file"; path: string };

/** A column computed from each kept event (after the filter): its type and how. */
export interface DerivedColumn {
  type: WeirType;
  /** The value for one event; `eventTime` is its event time in epoch milliseconds. */
  value: (event: StreamEvent, eventTime: number) => unknown;
}

/** How event time is read and how far behind it the watermark trails. */
export interface EventTimeSpec {
  /** The timestamp field (declared `"timestamp"` in the schema). */
  field: string;
  /** Watermark = max event time seen − this bound. */
  maxOutOfOrderness: string | number;
  /** Events this far behind the watermark are still added to their windows. Default 0. */
  allowedLateness?: string | number;
  /**
   * With no message for this long, the watermark advances with processing time (so the
   * last windows close on a quiet source). Default: never.
   */
  idleTimeout?: string | number;
  /**
   * An event time more than this far ahead of the wall clock is dead-lettered (it would
   * otherwise push the watermark past every real event). Default 1 day.
   */
  maxFuture?: string | number;
}

/** The windowed aggregation and where its rows go. */
export interface WindowedOutput {
  window: WindowSpec;
  groupBy: string[];
  aggregates: Record<string, AggregateSpec>;
  /** `append`: a window is written once, when it closes; `update`: changed windows every checkpoint (upsert). */
  mode: "append" | "update";
  /** The warehouse table, `schema.name` or `name`. */
  table: string;
}

/** The kept events' output: a lake dataset, appended per epoch. */
export interface EventsOutput {
  /** `zone.name`, e.g. `raw.events`. */
  lake: string;
  /** Hive partition columns (declared or derived), e.g. `["date", "hour"]`. */
  partitionBy?: string[];
}

export interface StreamJobInput {
  id: string;
  description?: string;
  source: StreamSourceSpec;
  schema: EventSchema;
  eventTime: EventTimeSpec;
  /** Keeps an event when it returns true. Runs after the late check, before `derive`. */
  filter?: (event: StreamEvent) => boolean;
  derive?: Record<string, DerivedColumn>;
  events?: EventsOutput;
  windows?: WindowedOutput;
  checkpoint?: {
    /** Default 1s. */
    every?: string | number;
    /** Also cut an epoch after this many messages. Default 200,000. */
    everyMessages?: number;
  };
  /** A message larger than this is dead-lettered as `too_large`. Default 1 MiB. */
  maxMessageBytes?: number;
}

/** A validated stream job: the input with durations in milliseconds. */
export interface StreamJobDefinition extends StreamJobInput {
  readonly kind: "stream-job";
  readonly timing: {
    maxOutOfOrdernessMs: number;
    allowedLatenessMs: number;
    idleTimeoutMs: number | undefined;
    maxFutureMs: number;
    checkpointEveryMs: number;
    checkpointEveryMessages: number;
  };
}

function invalid(job: string, message: string): never {
  throw new StreamError("STREAM_JOB_INVALID", `stream job ${job}: ${message}`, { details: { job } });
}

/**
 * Defines a stream job: source → parse (schema; dead letters) → watermark (late events) →
 * filter → derive → sinks (kept events to the lake; windowed aggregates to the warehouse).
 * Checked when the file loads, so `weir stream list` reports a broken job by name.
 *
 * @example
 * export default defineStreamJob({
 *   id: "user-events",
 *   source: { type: "nats", subject: "user-events" },
 *   schema: { user_id: "string", event_type: "string", timestamp: "timestamp" },
 *   eventTime: { field: "timestamp", maxOutOfOrderness: "30s", allowedLateness: "1m" },
 *   windows: { window: tumbling("5m"), groupBy: ["user_id"], aggregates: { event_count: count() },
 *              mode: "update", table: "user_metrics_real_time" },
 * });
 */
export function defineStreamJob(input: StreamJobInput): StreamJobDefinition {
  const id = input.id;
  if (typeof id !== "string" || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(id)) {
    invalid(String(id), "id must start with a letter and hold only letters, digits, _ and -");
  }
  const fields = compileEventSchema(input.schema, id);
  const names = new Set(fields.map((f) => f.name));
  const timeField = fields.find((f) => f.name === input.eventTime?.field);
  if (!timeField) invalid(id, `eventTime.field "${input.eventTime?.field}" is not a declared field`);
  if (timeField.type !== "timestamp" || timeField.optional) {
    invalid(id, `eventTime.field "${timeField.name}" must be declared "timestamp" (not optional)`);
  }
  for (const name of Object.keys(input.derive ?? {})) {
    if (names.has(name)) invalid(id, `derived column "${name}" is also a declared field`);
    names.add(name);
  }
  for (const column of input.events?.partitionBy ?? []) {
    if (!names.has(column))
      invalid(id, `events.partitionBy column "${column}" is neither declared nor derived`);
  }
  if (input.windows) {
    if (input.windows.mode !== "append" && input.windows.mode !== "update") {
      invalid(id, `windows.mode must be "append" or "update", got ${JSON.stringify(input.windows.mode)}`);
    }
    if (input.windows.window?.kind === "session" && input.windows.mode === "update") {
      // Sessions merge: an upserted row keyed by its start would outlive the session it merged into.
      invalid(id, 'session windows need mode "append" (a session is written once, when it closes)');
    }
    for (const column of input.windows.groupBy) {
      if (!names.has(column))
        invalid(id, `windows.groupBy column "${column}" is neither declared nor derived`);
    }
    for (const [name, spec] of Object.entries(input.windows.aggregates)) {
      const field = (spec as { field?: string }).field;
      if (field !== undefined && !names.has(field)) {
        invalid(id, `aggregate "${name}" reads "${field}", which is neither declared nor derived`);
      }
    }
  }
  if (input.source?.type === "nats" && input.source.partitions !== undefined) {
    if (!Number.isInteger(input.source.partitions) || input.source.partitions < 1) {
      invalid(id, "source.partitions must be a whole number ≥ 1");
    }
    // Windows are kept per partition: without a group key every partition would write the same rows.
    if (input.source.partitions > 1 && input.windows && input.windows.groupBy.length === 0) {
      invalid(id, "windows over a partitioned source need groupBy (publish each key to one partition)");
    }
  }
  const what = (name: string) => `stream job ${id} ${name}`;
  const timing = {
    maxOutOfOrdernessMs: parseDuration(
      input.eventTime.maxOutOfOrderness,
      what("eventTime.maxOutOfOrderness"),
    ),
    allowedLatenessMs: parseDuration(input.eventTime.allowedLateness ?? 0, what("eventTime.allowedLateness")),
    idleTimeoutMs:
      input.eventTime.idleTimeout === undefined
        ? undefined
        : parseDuration(input.eventTime.idleTimeout, what("eventTime.idleTimeout")),
    maxFutureMs: parseDuration(input.eventTime.maxFuture ?? "1d", what("eventTime.maxFuture")),
    checkpointEveryMs: parseDuration(input.checkpoint?.every ?? "1s", what("checkpoint.every")),
    checkpointEveryMessages: input.checkpoint?.everyMessages ?? 200_000,
  };
  return { ...input, kind: "stream-job", timing };
}

export function isStreamJob(value: unknown): value is StreamJobDefinition {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "stream-job";
}
