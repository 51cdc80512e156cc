/** Distinct values remembered per column: a country, a status, a first name, a date repeat within this. */
const CAPACITY = 4096;
/** Lookups after which the memo judges whether values repeat enough to keep it. */
const PROBE = 8192;
/** Below this share of hits a lookup (a hash of the value) costs more than it saves. */
const MIN_HIT_SHARE = 0.3;

/**
 * What values already seen in one column came to, so a repeated value is classified once.
 * Holds at most a few thousand values; given up for good when, after a probe of lookups,
 * too few hit — ids, emails and timestamps rarely repeat, and hashing each for nothing is
 * then a cost of its own.
 */
export class ValueMemo<T> {
  private known: Map<string, T> | undefined = new Map();
  private lookups = 0;
  private hits = 0;

  /** The remembered outcome, or undefined (unseen, or the memo given up). */
  get(value: string): T | undefined {
    const known = this.known;
    if (known === undefined) return undefined;
    const found = known.get(value);
    if (found !== undefined) this.hits++;
    if (++this.lookups === PROBE) {
      if (this.hits < PROBE * MIN_HIT_SHARE) this.known = undefined;
      else {
        this.lookups = 0;
        this.hits = 0;
      }
    }
    return found;
  }

  set(value: string, outcome: T): void {
    const known = this.known;
    if (known !== undefined && known.size < CAPACITY) known.set(value, outcome);
  }

  /** False once the memo has been given up. */
  get active(): boolean {
    return this.known !== undefined;
  }
}
