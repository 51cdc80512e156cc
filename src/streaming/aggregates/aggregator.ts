import type { WeirType } from "../../core/types.js";

/**
 * A compiled aggregate: how to fold one group's values in a window. The window state
 * keeps one `S` per aggregate per (window, group) and calls `add` for every event, so
 * `add` must not allocate: states that are objects are mutated in place and returned;
 * states that are numbers are returned anew.
 */
export interface Aggregator<S> {
  /** The logical type of the output column. */
  readonly outputType: WeirType;
  /** The state of a group that has seen nothing. */
  init(): S;
  /** Folds one value in (the field's value; null and undefined are ignored except by `count()`). */
  add(state: S, value: unknown): S;
  /**
   * Folds `from` into `into` (which may be mutated and is returned). Session windows need
   * it: one late event can join two sessions into one.
   */
  merge(into: S, from: S): S;
  /** The value for the output column, as a RecordBatch cell (numbers; JSON text for json). */
  result(state: S): unknown;
  /** A JSON-safe copy of the state, for checkpoints. */
  save(state: S): unknown;
  /** The state `save` wrote. */
  load(saved: unknown): S;
}
