import type { Aggregator } from "../aggregates/index.js";
import { ChangedList } from "./changed-list.js";
import { addValues, initStates, loadStates, resultsOf, saveStates } from "./window-results.js";
import { compareWindowOrder, type WindowRow } from "./window-row.js";
import { corruptSnapshot, decodeKeyValues, encodeKeyValues, type WindowSnapshot } from "./window-snapshot.js";

/**
 * One window of one group: its key values and aggregate states, mutated in place. The key
 * values are held per window, not in a per-group registry: tumbling windows of a group
 * rarely overlap in time, so a registry would be created and dropped with nearly every
 * window (two map operations per window for nothing). A checkpoint still writes each
 * group's values once.
 */
class AlignedEntry {
  changed = false;
  closed = false;
  constructor(
    readonly groupKey: string,
    readonly keyValues: unknown[],
    readonly start: number,
    readonly states: unknown[],
  ) {}
}

function byWindowOrder(a: AlignedEntry, b: AlignedEntry): number {
  return compareWindowOrder(a.start, a.groupKey, b.start, b.groupKey);
}

/**
 * Tumbling and hop windows (tumbling is hop with slide = size): windows aligned to the
 * epoch, so every group's windows share their starts. Laid out as start → group key →
 * entry, so closing a window drops a whole inner map at once, and the window of the
 * previous event is remembered: in-order events skip the outer lookup.
 */
export class AlignedWindows {
  private readonly windows = new Map<number, Map<string, AlignedEntry>>();
  private readonly changed = new ChangedList<AlignedEntry>();
  /** Start of the slide-long slot the previous event fell in. */
  private slot = Number.NaN;
  private lastStart = Number.NaN;
  private lastWindow: Map<string, AlignedEntry> | undefined;
  private open = 0;

  constructor(
    private readonly sizeMs: number,
    private readonly slideMs: number,
    private readonly aggregators: readonly Aggregator<unknown>[],
  ) {}

  get size(): number {
    return this.open;
  }

  add(groupKey: string, keyValues: readonly unknown[], t: number, values: readonly unknown[]): void {
    const slide = this.slideMs;
    // The latest window holding t starts at the slide boundary at or before t. Events
    // mostly fall in the slot of the one before, which spares a floating-point modulo.
    let latest = this.slot;
    if (!(t >= latest && t < latest + slide)) {
      let offset = t % slide;
      if (offset < 0) offset += slide;
      latest = t - offset;
      this.slot = latest;
    }
    if (slide === this.sizeMs) {
      this.addTo(latest, groupKey, keyValues, values);
      return;
    }
    // Earlier windows follow every slide while they still reach past t.
    const after = t - this.sizeMs;
    for (let start = latest; start > after; start -= slide) this.addTo(start, groupKey, keyValues, values);
  }

  private addTo(
    start: number,
    groupKey: string,
    keyValues: readonly unknown[],
    values: readonly unknown[],
  ): void {
    let window = start === this.lastStart ? this.lastWindow : this.windows.get(start);
    if (window === undefined) {
      window = new Map();
      this.windows.set(start, window);
    }
    this.lastStart = start;
    this.lastWindow = window;
    let entry = window.get(groupKey);
    if (entry === undefined) {
      // Copied: the runtime may reuse its array for the next event.
      entry = new AlignedEntry(groupKey, keyValues.slice(), start, initStates(this.aggregators));
      this.insert(window, entry);
    }
    addValues(this.aggregators, entry.states, values);
    this.changed.mark(entry);
  }

  private insert(window: Map<string, AlignedEntry>, entry: AlignedEntry): void {
    window.set(entry.groupKey, entry);
    this.open++;
  }

  close(threshold: number): WindowRow[] {
    const due: number[] = [];
    for (const start of this.windows.keys()) if (start + this.sizeMs <= threshold) due.push(start);
    if (due.length === 0) return [];
    due.sort((a, b) => a - b);
    const rows: WindowRow[] = [];
    for (const start of due) {
      const window = this.windows.get(start)!;
      this.windows.delete(start);
      const entries = Array.from(window.values()).sort(byWindowOrder);
      for (const entry of entries) {
        rows.push(this.row(entry));
        this.changed.remove(entry);
      }
      this.open -= entries.length;
    }
    this.lastStart = Number.NaN;
    this.lastWindow = undefined;
    this.changed.compact();
    return rows;
  }

  drainChanged(): WindowRow[] {
    const entries = this.changed.drain().sort(byWindowOrder);
    const rows = new Array<WindowRow>(entries.length);
    for (let i = 0; i < entries.length; i++) rows[i] = this.row(entries[i]!);
    return rows;
  }

  private row(entry: AlignedEntry): WindowRow {
    return {
      start: entry.start,
      end: entry.start + this.sizeMs,
      keyValues: entry.keyValues,
      results: resultsOf(this.aggregators, entry.states),
    };
  }

  save(): Pick<WindowSnapshot, "groups" | "windows"> {
    const index = new Map<string, number>();
    const groups: [string, unknown[]][] = [];
    const windows: unknown[][] = [];
    for (const window of this.windows.values()) {
      for (const entry of window.values()) {
        let group = index.get(entry.groupKey);
        if (group === undefined) {
          group = groups.length;
          index.set(entry.groupKey, group);
          groups.push([entry.groupKey, encodeKeyValues(entry.keyValues)]);
        }
        windows.push([group, entry.start, entry.changed ? 1 : 0, saveStates(this.aggregators, entry.states)]);
      }
    }
    return { groups, windows };
  }

  restore(snapshot: WindowSnapshot): void {
    const keys = snapshot.groups.map(([groupKey, values]) => ({ groupKey, values: decodeKeyValues(values) }));
    for (const saved of snapshot.windows) {
      const [groupIndex, start, changed, states] = saved as [number, number, number, unknown];
      const key = keys[groupIndex];
      if (key === undefined || typeof start !== "number") throw corruptSnapshot("bad window entry");
      let window = this.windows.get(start);
      if (window === undefined) {
        window = new Map();
        this.windows.set(start, window);
      }
      const entry = new AlignedEntry(key.groupKey, key.values, start, loadStates(this.aggregators, states));
      this.insert(window, entry);
      if (changed === 1) this.changed.mark(entry);
    }
  }
}
