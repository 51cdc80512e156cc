import { TaskError } from "../../core/errors.js";

/** Outputs larger than this are passed downstream in memory but not stored (XCom-style: small values only). */
export const MAX_STORED_OUTPUT_BYTES = 1_048_576;

const NOT_STORED = "$weir.outputNotStored";

/**
 * A task's return value as JSON text for the store, so a resumed run (another process)
 * can hand it to downstream tasks. `undefined` stores nothing. A value that is not JSON or
 * too large is stored as a marker saying why, and reading it back throws.
 */
export function serializeOutput(value: unknown): { json?: string; warning?: string } {
  if (value === undefined) return {};
  let json: string | undefined;
  let reason: string;
  try {
    json = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
    reason = json === undefined ? "it is not JSON (a function or a symbol)" : "";
  } catch (cause) {
    reason = `it is not JSON (${cause instanceof Error ? cause.message : String(cause)})`;
  }
  if (json !== undefined && json.length > MAX_STORED_OUTPUT_BYTES) {
    reason = `it is ${json.length} bytes as JSON, over the ${MAX_STORED_OUTPUT_BYTES}-byte limit`;
    json = undefined;
  }
  if (json !== undefined) return { json };
  return {
    json: JSON.stringify({ [NOT_STORED]: reason }),
    warning: `output not stored: ${reason}; downstream tasks get it in this process only, not after a resume`,
  };
}

/** A stored output that cannot be read back; reading it (`ctx.outputOf`) throws, so only a task that needs it fails. */
export class UnavailableOutput {
  constructor(
    readonly upstream: string,
    readonly reason: string,
  ) {}

  error(taskId: string): TaskError {
    return new TaskError(
      taskId,
      new Error(
        `the output of "${this.upstream}" is not available in this resumed run: it was not stored because ${this.reason}`,
      ),
    );
  }
}

/** Parses a stored output; an unstorable one comes back as `UnavailableOutput`. */
export function loadStoredOutput(json: string, upstream: string): unknown {
  const value = JSON.parse(json) as unknown;
  if (typeof value === "object" && value !== null && !Array.isArray(value) && NOT_STORED in value) {
    return new UnavailableOutput(upstream, String((value as Record<string, unknown>)[NOT_STORED]));
  }
  return value;
}
