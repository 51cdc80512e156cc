import { StreamError } from "../../core/errors.js";

/**
 * The number an event value stands for in sum/min/max/avg/approx_quantile, or NaN when it
 * is none (callers skip NaN). Only numbers and bigints count: strings are not parsed, so a
 * field that is sometimes `"12"` does not silently change a sum; the job's schema is the
 * place to make a field numeric.
 */
export function numericValue(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return Number.NaN;
}

/**
 * A number as JSON can hold it: finite numbers as they are, the others (a sum that
 * overflowed to Infinity, `1e400` in an event) as their names.
 */
export function saveNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

/** The number `saveNumber` wrote. */
export function loadNumber(saved: unknown): number {
  if (typeof saved === "number") return saved;
  if (saved === "Infinity" || saved === "-Infinity" || saved === "NaN") return Number(saved);
  throw corruptState(`expected a number, got ${JSON.stringify(saved)}`);
}

/** A saved aggregate state that cannot be read: the checkpoint is damaged or from a bug. */
export function corruptState(problem: string): StreamError {
  return new StreamError("INTERNAL", `saved aggregate state cannot be read: ${problem}`);
}
