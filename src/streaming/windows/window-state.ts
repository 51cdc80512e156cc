import { StreamError } from "../../core/errors.js";
import { compileAggregate, type NamedAggregate } from "../aggregates/index.js";
import { AlignedWindows } from "./aligned-windows.js";
import { SessionWindows } from "./session-windows.js";
import type { WindowRow } from "./window-row.js";
import { parseSnapshot, SNAPSHOT_FORMAT, stateSignature, type WindowSnapshot } from "./window-snapshot.js";
import { validateWindowSpec, type WindowSpec } from "./window-spec.js";

/**
 * The keyed window state of one partition task: every open window of every group with its
 * aggregate states. The runtime adds each kept event, closes windows as the watermark
 * passes them, drains the changed ones at each checkpoint (update mode) and saves the
 * whole state into the checkpoint.
 *
 * Rows come out in (window start, group key) order, so a replay from a checkpoint writes
 * the same rows in the same order.
 */
export class WindowState {
  private readonly store: AlignedWindows | SessionWindows;
  private readonly signature: string;

  constructor(spec: WindowSpec, aggregates: readonly NamedAggregate[]) {
    const window = validateWindowSpec(spec);
    const names = new Set<string>();
    for (const { name } of aggregates) {
      if (typeof name !== "string" || name === "") {
        throw new StreamError("STREAM_JOB_INVALID", "window: every aggregate needs a non-empty name");
      }
      if (names.has(name))
        throw new StreamError("STREAM_JOB_INVALID", `window: aggregate "${name}" is defined twice`);
      names.add(name);
    }
    const aggregators = aggregates.map((a) => compileAggregate(a.spec));
    this.signature = stateSignature(window, aggregates);
    this.store =
      window.kind === "session"
        ? new SessionWindows(window.gapMs, aggregators)
        : new AlignedWindows(
            window.sizeMs,
            window.kind === "hop" ? window.slideMs : window.sizeMs,
            aggregators,
          );
  }

  /**
   * Adds one event: `groupKey` (the runtime's joined key), `keyValues` (the group key
   * column values, copied and kept once per group), `t` (event time, epoch ms), `values`
   * (one per aggregate: the field's value; ignored by `count()`). Marks the windows it
   * touched changed. Neither array is kept, so the caller may reuse them.
   */
  add(groupKey: string, keyValues: readonly unknown[], t: number, values: readonly unknown[]): void {
    // t - t is 0 only for finite numbers: one check keeps NaN out of the window maps.
    if (t - t !== 0) {
      throw new StreamError("INTERNAL", `window: event time must be finite epoch milliseconds, got ${t}`);
    }
    this.store.add(groupKey, keyValues, t, values);
  }

  /**
   * Removes and returns every window whose end ≤ `threshold` (sessions: last + gap ≤
   * threshold), in (window start, group key) order.
   */
  close(threshold: number): WindowRow[] {
    return this.store.close(threshold);
  }

  /**
   * Returns every still-open window changed since the last call, in (window start, group
   * key) order, and clears their marks. Windows closed meanwhile are not included:
   * `close` returned them.
   */
  drainChanged(): WindowRow[] {
    return this.store.drainChanged();
  }

  /** Open windows: one per (window, group). */
  get size(): number {
    return this.store.size;
  }

  /** The whole state as JSON text (changed marks included), for a checkpoint. */
  save(): string {
    const snapshot: WindowSnapshot = {
      format: SNAPSHOT_FORMAT,
      signature: this.signature,
      ...this.store.save(),
    };
    return JSON.stringify(snapshot);
  }

  /**
   * The state `save` wrote. Throws STREAM_JOB_INVALID when the job's window or aggregates
   * changed since (the saved states would mean something else), INTERNAL when the text is
   * damaged.
   */
  static load(spec: WindowSpec, aggregates: readonly NamedAggregate[], text: string): WindowState {
    const state = new WindowState(spec, aggregates);
    state.store.restore(parseSnapshot(text, state.signature));
    return state;
  }
}
