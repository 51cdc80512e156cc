import type { AttemptLogger } from "./attempt-logger.js";
import type { AttemptStats } from "./executor-settings.js";
import type { AttemptOutcome } from "./run-attempt.js";
import type { TaskNode } from "./task-node.js";

/** What wakes the executor's loop: an attempt ended, a timer fired, or the run must stop. */
export type InboxItem =
  | {
      kind: "outcome";
      node: TaskNode;
      outcome: AttemptOutcome;
      logger: AttemptLogger;
      stats: AttemptStats;
      startedAt: number;
    }
  | { kind: "retry"; node: TaskNode }
  | { kind: "evaluate"; node: TaskNode }
  | { kind: "pools" }
  | { kind: "run_timeout" }
  | { kind: "shutdown"; reason: string }
  | { kind: "sla"; deadline: number };

/**
 * The executor's queue of things to react to. Attempts and timers only post here; the
 * loop alone takes items and changes state, so no two transitions of a run interleave.
 */
export class RunInbox {
  private readonly items: InboxItem[] = [];
  private wakeUp: (() => void) | undefined;
  private wakePending = false;

  get length(): number {
    return this.items.length;
  }

  post(item: InboxItem): void {
    this.items.push(item);
    this.wake();
  }

  /** The oldest item; undefined when the inbox is empty. */
  take(): InboxItem | undefined {
    return this.items.shift();
  }

  /** Wakes the loop (now, or as soon as it next waits). */
  wake(): void {
    const wakeUp = this.wakeUp;
    if (wakeUp) {
      this.wakeUp = undefined;
      wakeUp();
    } else this.wakePending = true;
  }

  /** Resolves at the next wake-up, at once when one came while the loop was busy. */
  nextWake(): Promise<void> {
    if (this.wakePending) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.wakeUp = resolve;
    });
  }
}
