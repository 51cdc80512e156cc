/**
 * GX's partition objects (great_expectations/execution_engine/util.py,
 * `is_valid_categorical_partition_object` / `is_valid_continuous_partition_object`):
 * - categorical: `{ values: [...], weights: [...] }`, as many weights as values, summing to 1;
 * - continuous: `{ bins: [b0, …, bn], weights: [w1, …, wn], tail_weights?: [below, above] }`,
 *   bins strictly increasing (±Infinity allowed at the ends: `.inf` in YAML, "-Infinity" in
 *   JSON), weights and tail weights summing to 1.
 * "Summing to 1" is numpy's `allclose(sum, 1)`: within 1e-8 + 1e-5.
 */
export type CategoricalValue = string | number | boolean;

export interface CategoricalPartition {
  kind: "categorical";
  values: CategoricalValue[];
  weights: number[];
}

export interface ContinuousPartition {
  kind: "continuous";
  /** Bin edges; the first may be -Infinity and the last +Infinity. */
  bins: number[];
  weights: number[];
  tail_weights?: [number, number];
}

export type Partition = CategoricalPartition | ContinuousPartition;

const INFINITY_TEXT: Record<string, number> = {
  infinity: Number.POSITIVE_INFINITY,
  "+infinity": Number.POSITIVE_INFINITY,
  inf: Number.POSITIVE_INFINITY,
  "-infinity": Number.NEGATIVE_INFINITY,
  "-inf": Number.NEGATIVE_INFINITY,
};

/** numpy's `allclose(total, 1)`. */
export function sumsToOne(weights: readonly number[]): boolean {
  const total = weights.reduce((a, b) => a + b, 0);
  return Math.abs(total - 1) <= 1e-8 + 1e-5;
}

/** Reads a partition object; throws an Error saying what is wrong with it. */
export function readPartition(value: unknown): Partition {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new Error("expected an object { values, weights } or { bins, weights }");
  const p = value as Record<string, unknown>;
  const extra = Object.keys(p).filter((k) => !["values", "weights", "bins", "tail_weights"].includes(k));
  if (extra.length > 0) throw new Error(`unexpected key${extra.length > 1 ? "s" : ""} ${extra.join(", ")}`);
  const weights = numbers(p.weights, "weights");
  if ("values" in p) {
    if (
      !Array.isArray(p.values) ||
      !p.values.every((v) => ["string", "number", "boolean"].includes(typeof v))
    )
      throw new Error("values: expected a list of strings, numbers or booleans");
    const values = p.values as CategoricalValue[];
    if (values.length !== weights.length)
      throw new Error(`${values.length} values but ${weights.length} weights: give one weight per value`);
    if (new Set(values.map((v) => JSON.stringify(v))).size !== values.length)
      throw new Error("values: each value may appear only once");
    if (!sumsToOne(weights)) throw new Error(`weights sum to ${sum(weights)}, not 1`);
    return { kind: "categorical", values, weights };
  }
  if (!("bins" in p)) throw new Error("expected values (categorical) or bins (continuous) beside weights");
  const bins = (Array.isArray(p.bins) ? p.bins : [p.bins]).map((b) =>
    typeof b === "string" && b.toLowerCase() in INFINITY_TEXT ? INFINITY_TEXT[b.toLowerCase()]! : b,
  );
  if (!bins.every((b) => typeof b === "number" && !Number.isNaN(b)))
    throw new Error("bins: expected a list of numbers (the ends may be -Infinity / Infinity)");
  const edges = bins as number[];
  if (edges.length !== weights.length + 1)
    throw new Error(
      `${edges.length} bin edges but ${weights.length} weights: give one more edge than weights`,
    );
  if (edges.some((b, i) => i > 0 && !(b > edges[i - 1]!)))
    throw new Error("bins must be strictly increasing");
  if (edges.slice(1, -1).some((b) => !Number.isFinite(b)))
    throw new Error("bins: only the first and last edge may be infinite");
  let tail: [number, number] | undefined;
  if (p.tail_weights !== undefined) {
    const t = numbers(p.tail_weights, "tail_weights");
    if (t.length !== 2) throw new Error("tail_weights: expected two weights [below, above]");
    tail = [t[0]!, t[1]!];
  }
  const all = [...(tail ?? []), ...weights];
  if (!sumsToOne(all)) throw new Error(`weights${tail ? " and tail_weights" : ""} sum to ${sum(all)}, not 1`);
  return { kind: "continuous", bins: edges, weights, ...(tail ? { tail_weights: tail } : {}) };
}

function numbers(value: unknown, name: string): number[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "number" && Number.isFinite(v)))
    throw new Error(`${name}: expected a list of numbers`);
  return value as number[];
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
