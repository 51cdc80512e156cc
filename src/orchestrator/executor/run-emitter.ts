import type { RunEvent, RunEventListener } from "../run-events.js";
import type { TaskNode } from "./task-node.js";

/**
 * Hands a run's events to its listeners (the store is one of them) one at a time, in the
 * order they were emitted. A listener that throws stops the run: `onError` gets the error.
 */
export class RunEmitter {
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly listeners: readonly RunEventListener[],
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Resolves once every listener has taken the event; rejects with a listener's error. */
  emit(event: RunEvent): Promise<void> {
    const next = this.chain.then(async () => {
      for (const listener of this.listeners) await listener(event);
    });
    this.chain = next.catch((error: unknown) => this.onError(error));
    return next;
  }

  /** Emits without waiting (log lines from running tasks); a failure still reaches `onError`. */
  emitLater(event: RunEvent): void {
    void this.emit(event).catch(() => undefined);
  }

  /** Resolves when every event emitted so far has been handled. */
  drain(): Promise<void> {
    return this.chain;
  }
}

/** How events name a task instance: the task, plus the map index of a mapped instance. */
export function taskRef(node: TaskNode): { taskId: string; mapIndex?: number } {
  return node.mapIndex < 0 ? { taskId: node.task.id } : { taskId: node.task.id, mapIndex: node.mapIndex };
}
