import type { Clock } from "../../core/clock.js";

/**
 * A token bucket on a `Clock`: at most `rate` events per second on average, in bursts of
 * up to a tenth of a second's worth (at least 1), so a replay at 100k events/s still hands
 * out batches of thousands instead of one event per wake-up. Tests drive it with a
 * `FakeClock`.
 */
export class RatePacer {
  private tokens = 0;
  private last: number;
  private readonly burst: number;

  constructor(
    private readonly rate: number,
    private readonly clock: Clock,
  ) {
    this.burst = Math.max(1, Math.ceil(rate / 10));
    this.last = clock.now().getTime();
  }

  /**
   * How many events may go now, at most `max`: waits (at most `waitMs`) for a full burst
   * or `max` tokens, whichever is fewer; 0 when not even one token came within `waitMs`.
   */
  async take(max: number, waitMs: number): Promise<number> {
    this.refill();
    const want = Math.min(max, this.burst);
    if (this.tokens < want) {
      const needMs = Math.ceil(((want - this.tokens) * 1000) / this.rate);
      await this.clock.sleep(Math.min(needMs, Math.max(0, waitMs)));
      this.refill();
    }
    const granted = Math.min(max, Math.floor(this.tokens));
    this.tokens -= granted;
    return granted;
  }

  /** Gives back tokens taken for events that did not go (the file ended). */
  giveBack(count: number): void {
    this.tokens = Math.min(this.burst, this.tokens + count);
  }

  private refill(): void {
    const now = this.clock.now().getTime();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }
}
