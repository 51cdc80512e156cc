import { StreamError } from "../../core/errors.js";
import type { WeirType } from "../../core/types.js";

/**
 * What a window computes per group, as written in a job definition (usually through the
 * builders in `builders.ts`). Every aggregate ignores null and undefined values, as SQL
 * does, except `count` without a field, which counts events.
 *
 * - `count`: events; with `field`, the events whose field is not null.
 * - `sum`, `min`, `max`, `avg`: numbers only (a bigint is read as a number); any other
 *   value, and NaN, is ignored. Null when no number was seen.
 * - `count_distinct`: exact, over strings, finite numbers and booleans (`1` and `"1"` are
 *   two values); other values are ignored. Memory grows with the distinct values.
 * - `approx_count_distinct`: HyperLogLog with `registers` (a power of two, 16…65536,
 *   default 4096); standard error 1.04/√registers (1.6% at 4096, 0.8% at 16384).
 * - `collect_set`: the distinct values as a sorted JSON array (booleans, then numbers,
 *   then strings); `[]` when none.
 * - `approx_quantile`: one value per requested quantile, as a JSON array. Exact (the
 *   value at rank ⌊q·(n−1)⌋) while a window×group holds at most 64 numbers; beyond, a
 *   DDSketch whose answers are within `relativeAccuracy` (default 0.01) of the exact value
 *   at rank q·(n−1). q = 0 and 1 are always the exact min and max. Finite numbers only.
 *   Null when no number was seen.
 */
export type AggregateSpec =
  | { kind: "count"; field?: string }
  | { kind: "sum" | "min" | "max" | "avg"; field: string }
  | { kind: "count_distinct"; field: string }
  | { kind: "approx_count_distinct"; field: string; registers?: number }
  | { kind: "collect_set"; field: string }
  | { kind: "approx_quantile"; field: string; quantiles: number[]; relativeAccuracy?: number };

export type AggregateKind = AggregateSpec["kind"];

/** An aggregate with the output column it fills. */
export interface NamedAggregate {
  name: string;
  spec: AggregateSpec;
}

/** 4096 registers: 4 KiB per dense sketch for a 1.6% standard error. */
export const DEFAULT_HLL_REGISTERS = 4096;
export const MIN_HLL_REGISTERS = 16;
export const MAX_HLL_REGISTERS = 65536;
/** DDSketch's own default: estimates within 1% of the true quantile value. */
export const DEFAULT_RELATIVE_ACCURACY = 0.01;

const KINDS: readonly AggregateKind[] = [
  "count",
  "sum",
  "min",
  "max",
  "avg",
  "count_distinct",
  "approx_count_distinct",
  "collect_set",
  "approx_quantile",
];

/** The logical type of the column an aggregate fills. */
export function aggregateOutputType(spec: AggregateSpec): WeirType {
  switch (spec.kind) {
    case "count":
    case "count_distinct":
    case "approx_count_distinct":
      return "bigint";
    case "sum":
    case "min":
    case "max":
    case "avg":
      return "double";
    case "collect_set":
    case "approx_quantile":
      return "json";
  }
}

function invalid(spec: unknown, problem: string): never {
  throw new StreamError("STREAM_JOB_INVALID", `aggregate ${describe(spec)}: ${problem}`, {
    details: { aggregate: spec },
  });
}

function describe(spec: unknown): string {
  try {
    return JSON.stringify(spec) ?? String(spec);
  } catch {
    return String(spec);
  }
}

/**
 * Checks a spec (written by hand or by a builder) and returns it with its defaults filled
 * in, so two specs that compute the same thing compare equal (checkpoints compare them).
 * Throws STREAM_JOB_INVALID naming the spec and the problem.
 */
export function normalizeAggregateSpec(spec: AggregateSpec): AggregateSpec {
  if (typeof spec !== "object" || spec === null) invalid(spec, "expected an object with a kind");
  const kind = (spec as { kind?: unknown }).kind;
  if (!KINDS.includes(kind as AggregateKind)) {
    invalid(spec, `unknown kind ${describe(kind)}; expected one of ${KINDS.join(", ")}`);
  }
  const field = (spec as { field?: unknown }).field;
  if (kind === "count") {
    if (field === undefined) return { kind: "count" };
  }
  if (typeof field !== "string" || field === "") invalid(spec, "field must be a non-empty string");
  switch (spec.kind) {
    case "count":
    case "sum":
    case "min":
    case "max":
    case "avg":
    case "count_distinct":
    case "collect_set":
      return { kind: spec.kind, field };
    case "approx_count_distinct": {
      const registers = spec.registers ?? DEFAULT_HLL_REGISTERS;
      if (
        !Number.isInteger(registers) ||
        registers < MIN_HLL_REGISTERS ||
        registers > MAX_HLL_REGISTERS ||
        (registers & (registers - 1)) !== 0
      ) {
        invalid(spec, `registers must be a power of two from ${MIN_HLL_REGISTERS} to ${MAX_HLL_REGISTERS}`);
      }
      return { kind: "approx_count_distinct", field, registers };
    }
    case "approx_quantile": {
      const quantiles = spec.quantiles;
      if (!Array.isArray(quantiles) || quantiles.length === 0) {
        invalid(spec, "quantiles must be a non-empty array of numbers from 0 to 1");
      }
      for (const q of quantiles) {
        if (typeof q !== "number" || !(q >= 0 && q <= 1)) {
          invalid(spec, `quantile ${describe(q)} is not a number from 0 to 1`);
        }
      }
      const relativeAccuracy = spec.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY;
      if (typeof relativeAccuracy !== "number" || !(relativeAccuracy > 0 && relativeAccuracy < 1)) {
        invalid(spec, "relativeAccuracy must be a number between 0 and 1 (exclusive)");
      }
      return { kind: "approx_quantile", field, quantiles: [...quantiles], relativeAccuracy };
    }
  }
}
