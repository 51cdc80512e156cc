import { parseDuration } from "../../core/duration.js";
import { StreamError, WeirError } from "../../core/errors.js";

/**
 * How events are cut into windows by event time (epoch milliseconds, windows aligned to
 * the epoch, half-open `[start, end)`):
 * - `tumbling`: `[⌊t/size⌋·size, +size)`, one window per event.
 * - `hop`: every `[s, s+size)` with `s` a multiple of `slide` and `s ≤ t < s+size`:
 *   ⌈size/slide⌉ windows per event (at most 1000; `slide` no longer than `size`, so no
 *   event falls between windows).
 * - `session`: per group key, events less than `gap` apart form one session
 *   `[first, last+gap)`; an event between two sessions can join them.
 */
export type WindowSpec =
  | { kind: "tumbling"; sizeMs: number }
  | { kind: "hop"; sizeMs: number; slideMs: number }
  | { kind: "session"; gapMs: number };

/** A hop window of size/slide = 1000 already updates 1000 windows per event. */
export const MAX_WINDOWS_PER_EVENT = 1000;

function invalid(problem: string, cause?: unknown): never {
  throw new StreamError("STREAM_JOB_INVALID", `window: ${problem}`, cause === undefined ? {} : { cause });
}

function milliseconds(value: string | number, what: string): number {
  let ms: number;
  try {
    ms = parseDuration(value, what);
  } catch (error) {
    if (error instanceof WeirError) invalid(error.message, error);
    throw error;
  }
  if (!Number.isInteger(ms) || ms <= 0)
    invalid(`${what} must be a whole number of milliseconds above 0, got ${value}`);
  return ms;
}

/** Tumbling windows of `size` (`"5m"`, `"1h"`, or milliseconds). */
export function tumbling(size: string | number): WindowSpec {
  return { kind: "tumbling", sizeMs: milliseconds(size, "tumbling window size") };
}

/** Windows of `size` starting every `slide` (`hop("10m", "1m")`): each event is in size/slide of them. */
export function hop(size: string | number, slide: string | number): WindowSpec {
  return validateWindowSpec({
    kind: "hop",
    sizeMs: milliseconds(size, "hop window size"),
    slideMs: milliseconds(slide, "hop window slide"),
  });
}

/** Sessions per group key that close after `gap` without an event. */
export function session(gap: string | number): WindowSpec {
  return { kind: "session", gapMs: milliseconds(gap, "session gap") };
}

/** Checks a spec written by hand (or by the builders); throws STREAM_JOB_INVALID. */
export function validateWindowSpec(spec: WindowSpec): WindowSpec {
  if (typeof spec !== "object" || spec === null) invalid("expected tumbling(…), hop(…) or session(…)");
  const positive = (value: unknown, what: string) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
      invalid(`${what} must be a whole number of milliseconds above 0, got ${JSON.stringify(value)}`);
    }
  };
  switch (spec.kind) {
    case "tumbling":
      positive(spec.sizeMs, "tumbling sizeMs");
      return { kind: "tumbling", sizeMs: spec.sizeMs };
    case "hop":
      positive(spec.sizeMs, "hop sizeMs");
      positive(spec.slideMs, "hop slideMs");
      if (spec.slideMs > spec.sizeMs) {
        invalid(
          `hop slide (${spec.slideMs} ms) is longer than its size (${spec.sizeMs} ms): events between windows would be lost`,
        );
      }
      if (Math.ceil(spec.sizeMs / spec.slideMs) > MAX_WINDOWS_PER_EVENT) {
        invalid(
          `hop size/slide puts each event in more than ${MAX_WINDOWS_PER_EVENT} windows; use a longer slide`,
        );
      }
      return { kind: "hop", sizeMs: spec.sizeMs, slideMs: spec.slideMs };
    case "session":
      positive(spec.gapMs, "session gapMs");
      return { kind: "session", gapMs: spec.gapMs };
    default:
      invalid(
        `unknown kind ${JSON.stringify((spec as { kind?: unknown }).kind)}; expected tumbling, hop or session`,
      );
  }
}
