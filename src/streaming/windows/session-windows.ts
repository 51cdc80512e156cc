import type { Aggregator } from "../aggregates/index.js";
import { ChangedList } from "./changed-list.js";
import { SessionHeap } from "./session-heap.js";
import { addValues, initStates, loadStates, resultsOf, saveStates } from "./window-results.js";
import { compareWindowOrder, type WindowRow } from "./window-row.js";
import { corruptSnapshot, decodeKeyValues, encodeKeyValues, type WindowSnapshot } from "./window-snapshot.js";

/** A group's key values and its open sessions, sorted by start and disjoint. */
class SessionGroup {
  readonly sessions: Session[] = [];
  constructor(
    readonly groupKey: string,
    readonly values: unknown[],
  ) {}
}

/** One session: `[start, last + gap)`, its aggregate states mutated in place. */
class Session {
  changed = false;
  closed = false;
  heapEnd: number;
  constructor(
    readonly group: SessionGroup,
    public start: number,
    public last: number,
    readonly states: unknown[],
    gapMs: number,
  ) {
    this.heapEnd = last + gapMs;
  }
}

/** Removes `items[index]` in place (splice would allocate an array of the removed item). */
function removeAt<T>(items: T[], index: number): void {
  for (let i = index + 1; i < items.length; i++) items[i - 1] = items[i]!;
  items.pop();
}

function byWindowOrder(a: Session, b: Session): number {
  return compareWindowOrder(a.start, a.group.groupKey, b.start, b.group.groupKey);
}

/**
 * Session windows: per group, events less than `gap` apart share a session
 * `[first, last+gap)`. Two events exactly `gap` apart are in two sessions, which is what
 * makes closing safe: a session is closed once `last+gap ≤ threshold`, and an event that is
 * not late (`t ≥ threshold`) could only have joined it with `t < last+gap`.
 *
 * An event — in order or not — joins every session it is within `gap` of; between two
 * sessions it joins them, their states merged (at most two: sessions of a group are at
 * least `gap` apart). Groups hold few open sessions, so they are scanned in a short array.
 */
export class SessionWindows {
  private readonly groups = new Map<string, SessionGroup>();
  private readonly heap = new SessionHeap<Session>();
  private readonly changed = new ChangedList<Session>();
  private open = 0;

  constructor(
    private readonly gapMs: number,
    private readonly aggregators: readonly Aggregator<unknown>[],
  ) {}

  get size(): number {
    return this.open;
  }

  add(groupKey: string, keyValues: readonly unknown[], t: number, values: readonly unknown[]): void {
    let group = this.groups.get(groupKey);
    if (group === undefined) {
      // Copied: the runtime may reuse its array for the next event.
      group = new SessionGroup(groupKey, keyValues.slice());
      this.groups.set(groupKey, group);
    }
    const gap = this.gapMs;
    const sessions = group.sessions;
    let target: Session | undefined;
    for (let i = 0; i < sessions.length; i++) {
      const s = sessions[i]!;
      if (t <= s.start - gap) break;
      if (t >= s.last + gap) continue;
      if (target === undefined) {
        target = s;
        if (t < s.start) s.start = t;
        else if (t > s.last) s.last = t;
      } else {
        this.join(target, s);
        removeAt(sessions, i);
        i--;
      }
    }
    if (target === undefined) {
      target = new Session(group, t, t, initStates(this.aggregators), gap);
      this.insert(target);
    }
    addValues(this.aggregators, target.states, values);
    this.changed.mark(target);
  }

  /** Folds `later` (the next session of the same group) into `into`; `later` leaves the state. */
  private join(into: Session, later: Session): void {
    const aggregators = this.aggregators;
    for (let a = 0; a < aggregators.length; a++) {
      into.states[a] = aggregators[a]!.merge(into.states[a], later.states[a]);
    }
    if (later.last > into.last) into.last = later.last;
    this.changed.remove(later);
    this.open--;
  }

  private insert(session: Session): void {
    const sessions = session.group.sessions;
    let i = sessions.length;
    while (i > 0 && sessions[i - 1]!.start > session.start) i--;
    // splice allocates the (empty) array of removed items: push in the common case.
    if (i === sessions.length) sessions.push(session);
    else sessions.splice(i, 0, session);
    this.heap.push(session);
    this.open++;
  }

  close(threshold: number): WindowRow[] {
    const gap = this.gapMs;
    const due: Session[] = [];
    const heap = this.heap;
    while (heap.length > 0 && heap.peekKey() <= threshold) {
      const session = heap.pop()!;
      if (session.closed) continue;
      const end = session.last + gap;
      if (end <= threshold) {
        due.push(session);
      } else {
        session.heapEnd = end;
        heap.push(session);
      }
    }
    if (due.length === 0) return [];
    due.sort(byWindowOrder);
    const rows = new Array<WindowRow>(due.length);
    for (let i = 0; i < due.length; i++) {
      const session = due[i]!;
      rows[i] = this.row(session);
      const group = session.group;
      const sessions = group.sessions;
      if (sessions.length === 1) this.groups.delete(group.groupKey);
      else removeAt(sessions, sessions.indexOf(session));
      this.changed.remove(session);
    }
    this.open -= due.length;
    this.changed.compact();
    return rows;
  }

  drainChanged(): WindowRow[] {
    const sessions = this.changed.drain().sort(byWindowOrder);
    const rows = new Array<WindowRow>(sessions.length);
    for (let i = 0; i < sessions.length; i++) rows[i] = this.row(sessions[i]!);
    return rows;
  }

  private row(session: Session): WindowRow {
    return {
      start: session.start,
      end: session.last + this.gapMs,
      keyValues: session.group.values,
      results: resultsOf(this.aggregators, session.states),
    };
  }

  save(): Pick<WindowSnapshot, "groups" | "windows"> {
    const groups: [string, unknown[]][] = [];
    const windows: unknown[][] = [];
    for (const group of this.groups.values()) {
      const index = groups.length;
      groups.push([group.groupKey, encodeKeyValues(group.values)]);
      for (const s of group.sessions) {
        windows.push([index, s.start, s.last, s.changed ? 1 : 0, saveStates(this.aggregators, s.states)]);
      }
    }
    return { groups, windows };
  }

  restore(snapshot: WindowSnapshot): void {
    const groups = snapshot.groups.map(([groupKey, values]) => {
      const group = new SessionGroup(groupKey, decodeKeyValues(values));
      this.groups.set(groupKey, group);
      return group;
    });
    for (const saved of snapshot.windows) {
      const [groupIndex, start, last, changed, states] = saved as [number, number, number, number, unknown];
      const group = groups[groupIndex];
      if (group === undefined || typeof start !== "number" || typeof last !== "number" || last < start) {
        throw corruptSnapshot("bad session entry");
      }
      const session = new Session(group, start, last, loadStates(this.aggregators, states), this.gapMs);
      this.insert(session);
      if (changed === 1) this.changed.mark(session);
    }
    for (const group of groups) if (group.sessions.length === 0) this.groups.delete(group.groupKey);
  }
}
