import { StreamError } from "../../core/errors.js";
import { type NamedAggregate, normalizeAggregateSpec } from "../aggregates/index.js";
import type { WindowSpec } from "./window-spec.js";

/**
 * The JSON a `WindowState` saves into a checkpoint. Group key values are written once per
 * group (not per window); each window names its group by index. `changed` keeps the
 * update-mode marks, so a restart emits exactly what an uninterrupted run would.
 */
export interface WindowSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  /** What computed the state (window and aggregates); a checkpoint only loads into the same. */
  signature: string;
  /** [group key, encoded key values] */
  groups: [string, unknown[]][];
  /**
   * Aligned windows: [group index, start, changed 0|1, saved states];
   * sessions: [group index, start, last event time, changed 0|1, saved states].
   */
  windows: unknown[][];
}

export const SNAPSHOT_FORMAT = "weir.window-state.v1";

/**
 * The window spec and aggregate specs (defaults filled in, names left out: renaming an
 * output column does not change what the state means) as one comparable text.
 */
export function stateSignature(window: WindowSpec, aggregates: readonly NamedAggregate[]): string {
  return JSON.stringify({ window, aggregates: aggregates.map((a) => normalizeAggregateSpec(a.spec)) });
}

export function corruptSnapshot(problem: string): StreamError {
  return new StreamError("INTERNAL", `saved window state cannot be read: ${problem}`);
}

/** Reads saved text and checks it was made by the same window and aggregates. */
export function parseSnapshot(text: string, signature: string): WindowSnapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw corruptSnapshot(`not JSON (${(error as Error).message})`);
  }
  const snapshot = parsed as WindowSnapshot | null;
  if (typeof snapshot !== "object" || snapshot === null || snapshot.format !== SNAPSHOT_FORMAT) {
    throw corruptSnapshot(`expected format ${SNAPSHOT_FORMAT}`);
  }
  if (snapshot.signature !== signature) {
    throw new StreamError(
      "STREAM_JOB_INVALID",
      `the checkpoint's window state was computed by ${snapshot.signature}, but the job now defines ${signature}; ` +
        "reset the job's partitions (weir stream reset) to start its windows over",
      { details: { saved: snapshot.signature, current: signature } },
    );
  }
  if (!Array.isArray(snapshot.groups) || !Array.isArray(snapshot.windows)) {
    throw corruptSnapshot("expected groups and windows arrays");
  }
  return snapshot;
}

/**
 * Group key values as JSON can hold them. JSON values pass as they are; a bigint, a
 * non-finite number or a Date (a derived column may make one) is tagged, and so is an
 * object, so a tag is never mistaken for one.
 */
export function encodeKeyValues(values: readonly unknown[]): unknown[] {
  return values.map((value) => {
    switch (typeof value) {
      case "bigint":
        return { $: "bigint", v: value.toString() };
      case "number":
        return Number.isFinite(value) ? value : { $: "number", v: String(value) };
      case "object":
        if (value === null || Array.isArray(value)) return value;
        if (value instanceof Date) return { $: "date", v: value.toISOString() };
        return { $: "json", v: value };
      case "undefined":
        return null;
      default:
        return value;
    }
  });
}

export function decodeKeyValues(saved: unknown): unknown[] {
  if (!Array.isArray(saved)) throw corruptSnapshot("expected key values as an array");
  return saved.map((value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    const tagged = value as { $?: unknown; v?: unknown };
    switch (tagged.$) {
      case "bigint":
        return BigInt(tagged.v as string);
      case "number":
        return Number(tagged.v);
      case "date":
        return new Date(tagged.v as string);
      case "json":
        return tagged.v;
      default:
        throw corruptSnapshot(`unknown key value tag ${JSON.stringify(tagged.$)}`);
    }
  });
}
