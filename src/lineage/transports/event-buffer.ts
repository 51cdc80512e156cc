/**
 * A bounded first-in-first-out queue of serialised events: a ring of `capacity` slots, so
 * pushing and taking are O(1) however full it is. Pushing into a full buffer pushes the
 * oldest event out — under a long outage the newest lineage is the most useful, and memory
 * must not grow with the outage.
 */
export class EventBuffer {
  readonly capacity: number;
  readonly #slots: (string | undefined)[];
  #head = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`buffer capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#slots = new Array(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Adds an event at the end; returns how many old events were pushed out (0 or 1). */
  push(body: string): number {
    if (this.#size === this.capacity) {
      this.#slots[(this.#head + this.#size) % this.capacity] = body; // the oldest slot, overwritten
      this.#head = (this.#head + 1) % this.capacity;
      return 1;
    }
    this.#slots[(this.#head + this.#size) % this.capacity] = body;
    this.#size++;
    return 0;
  }

  /** Takes the oldest event out, or undefined when empty. */
  shift(): string | undefined {
    if (this.#size === 0) return undefined;
    const body = this.#slots[this.#head];
    this.#slots[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    return body;
  }

  /** Empties the buffer; returns how many events it held. */
  clear(): number {
    const count = this.#size;
    this.#slots.fill(undefined);
    this.#head = 0;
    this.#size = 0;
    return count;
  }
}
