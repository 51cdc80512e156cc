import { errorInfo } from "../executor/attempt-errors.js";
import type { AttemptStats } from "../executor/executor-settings.js";
import { AttemptAbort, type AttemptOutcome } from "../executor/run-attempt.js";
import { serializeOutput } from "../executor/task-output.js";
import type { RemoteAttemptEnd } from "../executor/task-runner.js";

/** An attempt's outcome as a worker stores it (`remote_attempts.outcome`, JSON). */
export interface StoredOutcome {
  kind: AttemptOutcome["kind"];
  /** success: the output as serializeOutput wrote it. */
  output?: string;
  error?: { code: string; message: string; details: Record<string, unknown>; name?: string };
  reason?: string;
  abort?: { why: AttemptAbort["why"]; message: string; stopped: boolean };
  stats: AttemptStats;
  lastLogSeq: number;
  activity?: unknown;
  /** Warning lines the worker logged while storing (an output too large to store). */
}

/** Encodes what a worker's attempt ended with, for the executor that owns it. */
export function encodeOutcome(
  outcome: AttemptOutcome,
  stats: AttemptStats,
  lastLogSeq: number,
  activity: unknown,
): { stored: StoredOutcome; warning?: string } {
  const base = { stats, lastLogSeq, ...(activity === undefined ? {} : { activity }) };
  switch (outcome.kind) {
    case "success": {
      const { json, warning } = serializeOutput(outcome.output);
      return {
        stored: { kind: "success", ...(json === undefined ? {} : { output: json }), ...base },
        ...(warning ? { warning } : {}),
      };
    }
    case "failed": {
      const info = errorInfo(outcome.error);
      const name = outcome.error instanceof Error ? outcome.error.name : undefined;
      return { stored: { kind: "failed", error: { ...info, ...(name ? { name } : {}) }, ...base } };
    }
    case "skipped":
      return { stored: { kind: "skipped", reason: outcome.reason, ...base } };
    case "aborted":
      return {
        stored: {
          kind: "aborted",
          abort: { why: outcome.abort.why, message: outcome.abort.message, stopped: outcome.stopped },
          ...base,
        },
      };
  }
}

/**
 * The outcome as the executor handles it: a failure keeps the worker's code, message and
 * details (what the store records); an output comes back as its JSON value.
 */
export function decodeOutcome(stored: StoredOutcome): RemoteAttemptEnd {
  const rest = {
    stats: stored.stats,
    lastLogSeq: stored.lastLogSeq,
    ...(stored.activity === undefined ? {} : { activity: stored.activity }),
  };
  switch (stored.kind) {
    case "success":
      return {
        outcome: {
          kind: "success",
          output: stored.output === undefined ? undefined : JSON.parse(stored.output),
        },
        ...rest,
      };
    case "failed":
      return { outcome: { kind: "failed", error: remoteError(stored.error!) }, ...rest };
    case "skipped":
      return { outcome: { kind: "skipped", reason: stored.reason ?? "skipped" }, ...rest };
    case "aborted":
      return {
        outcome: {
          kind: "aborted",
          abort: new AttemptAbort(stored.abort!.why, stored.abort!.message),
          stopped: stored.abort!.stopped,
        },
        ...rest,
      };
  }
}

/** An error thrown on a worker, as the executor sees it: its code, message and details. */
export class RemoteTaskError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
    this.name = "RemoteTaskError";
  }
}

function remoteError(e: NonNullable<StoredOutcome["error"]>): RemoteTaskError {
  return new RemoteTaskError(e.code, e.message, e.details);
}
