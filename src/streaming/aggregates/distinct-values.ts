import { corruptState } from "./numeric-value.js";

/** A value count_distinct and collect_set keep. */
export type DistinctValue = string | number | boolean;

/**
 * Whether a value takes part in count_distinct / collect_set: strings, booleans and finite
 * numbers, the values a JSON event carries and a checkpoint (JSON) keeps exactly. Null,
 * objects and arrays are ignored, like null is.
 */
export function isDistinctValue(value: unknown): value is DistinctValue {
  const type = typeof value;
  return type === "string" || type === "boolean" || (type === "number" && Number.isFinite(value));
}

function typeRank(value: DistinctValue): number {
  return typeof value === "boolean" ? 0 : typeof value === "number" ? 1 : 2;
}

/**
 * A total order that does not depend on insertion order (so a replay after a restart
 * writes the same JSON text): booleans, then numbers by value, then strings by UTF-16 code
 * units.
 */
export function compareDistinct(a: DistinctValue, b: DistinctValue): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 1) return (a as number) - (b as number);
  return a < b ? -1 : a > b ? 1 : 0;
}

export function saveSet(state: Set<DistinctValue>): DistinctValue[] {
  return Array.from(state);
}

export function loadSet(saved: unknown): Set<DistinctValue> {
  if (!Array.isArray(saved) || !saved.every(isDistinctValue)) {
    throw corruptState("expected an array of strings, numbers and booleans");
  }
  return new Set(saved);
}

export function mergeSets(into: Set<DistinctValue>, from: Set<DistinctValue>): Set<DistinctValue> {
  for (const value of from) into.add(value);
  return into;
}

export function addDistinct(state: Set<DistinctValue>, value: unknown): Set<DistinctValue> {
  if (isDistinctValue(value)) state.add(value);
  return state;
}
