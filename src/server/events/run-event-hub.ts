import type { RunEvent, RunEventListener } from "../../orchestrator/run-events.js";

/**
 * Fans the embedded scheduler's run events out to SSE connections, so a run this process
 * executes shows up at once (other processes' runs come from polling the store). `listener`
 * goes into the scheduler's `listeners`; a subscriber that throws never reaches the executor.
 */
export class RunEventHub {
  private readonly subscribers = new Set<(event: RunEvent) => void>();

  readonly listener: RunEventListener = (event) => {
    for (const s of this.subscribers) {
      try {
        s(event);
      } catch {
        // An SSE connection's trouble is its own.
      }
    }
  };

  /** Returns the unsubscribe function. */
  subscribe(subscriber: (event: RunEvent) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get size(): number {
    return this.subscribers.size;
  }
}
