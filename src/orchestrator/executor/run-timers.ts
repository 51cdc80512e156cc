import type { Clock } from "../../core/clock.js";

/**
 * Timers on the clock that all end with one signal (the run's end). Each timer sleeps on
 * a signal of its own, and only this class listens to the shared one: a mapped run with
 * hundreds of instances waiting to retry adds one abort listener to it, not hundreds
 * (which Node reports as a MaxListenersExceededWarning).
 */
export class RunTimers {
  private readonly pending = new Set<AbortController>();

  constructor(
    private readonly clock: Clock,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener(
      "abort",
      () => {
        for (const timer of this.pending) timer.abort(signal.reason);
        this.pending.clear();
      },
      { once: true },
    );
  }

  /** How many timers have not fired or been cancelled yet. */
  get size(): number {
    return this.pending.size;
  }

  /** Calls `fire` after `ms` of the clock's time, unless the shared signal aborts first. */
  after(ms: number, fire: () => void): void {
    if (this.signal.aborted) return;
    const timer = new AbortController();
    this.pending.add(timer);
    this.clock.sleep(ms, timer.signal).then(
      () => {
        this.pending.delete(timer);
        fire();
      },
      () => undefined,
    );
  }
}
