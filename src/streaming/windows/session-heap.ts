/** What the heap orders: a session and the end it had when pushed. */
export interface HeapItem {
  /** The session's end when it was pushed; never more than its end now (ends only grow). */
  heapEnd: number;
}

/**
 * A binary min-heap of sessions by `heapEnd`, so closing sessions costs what closes, not
 * what is open. It is lazy: a session is pushed once, and extending it does not touch the
 * heap. `close` pops everything with `heapEnd ≤ threshold` and pushes back the ones that
 * grew past it with their new end; merged-away sessions are dropped when popped.
 *
 * The keys sit in their own array of doubles beside the items, so sifting compares
 * numbers in one contiguous array instead of loading a session object per comparison.
 */
export class SessionHeap<T extends HeapItem> {
  private readonly keys: number[] = [];
  private readonly items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  /** The smallest `heapEnd` (check `length` first: an empty heap answers NaN). */
  peekKey(): number {
    return this.keys.length > 0 ? this.keys[0]! : Number.NaN;
  }

  push(item: T): void {
    const keys = this.keys;
    const items = this.items;
    const key = item.heapEnd;
    let i = items.length;
    keys.push(key);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent]! <= key) break;
      keys[i] = keys[parent]!;
      items[i] = items[parent]!;
      i = parent;
    }
    keys[i] = key;
    items[i] = item;
  }

  pop(): T | undefined {
    const keys = this.keys;
    const items = this.items;
    const top = items[0];
    const lastKey = keys.pop();
    const last = items.pop();
    const n = items.length;
    if (n === 0 || last === undefined || lastKey === undefined) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && keys[right]! < keys[left]! ? right : left;
      if (keys[child]! >= lastKey) break;
      keys[i] = keys[child]!;
      items[i] = items[child]!;
      i = child;
    }
    keys[i] = lastKey;
    items[i] = last;
    return top;
  }
}
