/** What the changed list needs of a window entry. */
export interface Markable {
  /** Changed since the last drain (and so in the list). */
  changed: boolean;
  /** Gone from the state: closed, or merged into another session. */
  closed: boolean;
}

/**
 * The windows changed since the last `drainChanged`, kept as a list so a drain costs what
 * changed, not what is open. An entry is pushed once, when its mark is set. Entries that
 * leave the state while marked stay in the list as stale until it is compacted: at once
 * would cost a search per close, so the list is filtered when stale entries reach half of
 * it (amortised O(1) per entry), which also bounds it when nobody drains (append mode).
 */
export class ChangedList<E extends Markable> {
  private items: E[] = [];
  private stale = 0;

  mark(entry: E): void {
    if (!entry.changed) {
      entry.changed = true;
      this.items.push(entry);
    }
  }

  /** Records that `entry` left the state. */
  remove(entry: E): void {
    entry.closed = true;
    if (entry.changed) {
      entry.changed = false;
      this.stale++;
    }
  }

  /** Filters out stale entries when they are half the list. */
  compact(): void {
    if (this.stale > 0 && this.stale * 2 >= this.items.length) {
      this.items = this.items.filter((e) => !e.closed);
      this.stale = 0;
    }
  }

  /** The changed entries still in the state (unordered); clears their marks and the list. */
  drain(): E[] {
    const out = this.stale > 0 ? this.items.filter((e) => !e.closed) : this.items;
    for (const entry of out) entry.changed = false;
    this.items = [];
    this.stale = 0;
    return out;
  }
}
