import type { Aggregator } from "../aggregates/index.js";
import { corruptSnapshot } from "./window-snapshot.js";

/** Fresh states, one per aggregate. */
export function initStates(aggregators: readonly Aggregator<unknown>[]): unknown[] {
  const states = new Array<unknown>(aggregators.length);
  for (let i = 0; i < aggregators.length; i++) states[i] = aggregators[i]!.init();
  return states;
}

/**
 * Folds one event's values into a window's states, in place. The hot path: one call per
 * aggregate, no allocation of its own.
 */
export function addValues(
  aggregators: readonly Aggregator<unknown>[],
  states: unknown[],
  values: readonly unknown[],
): void {
  for (let i = 0; i < aggregators.length; i++) states[i] = aggregators[i]!.add(states[i], values[i]);
}

export function resultsOf(
  aggregators: readonly Aggregator<unknown>[],
  states: readonly unknown[],
): unknown[] {
  const results = new Array<unknown>(aggregators.length);
  for (let i = 0; i < aggregators.length; i++) results[i] = aggregators[i]!.result(states[i]);
  return results;
}

export function saveStates(
  aggregators: readonly Aggregator<unknown>[],
  states: readonly unknown[],
): unknown[] {
  const saved = new Array<unknown>(aggregators.length);
  for (let i = 0; i < aggregators.length; i++) saved[i] = aggregators[i]!.save(states[i]);
  return saved;
}

export function loadStates(aggregators: readonly Aggregator<unknown>[], saved: unknown): unknown[] {
  if (!Array.isArray(saved) || saved.length !== aggregators.length) {
    throw corruptSnapshot(`expected ${aggregators.length} aggregate states`);
  }
  return aggregators.map((a, i) => a.load(saved[i]));
}
