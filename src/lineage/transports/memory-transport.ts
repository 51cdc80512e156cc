import type { RunEvent } from "../openlineage/types.js";
import type { LineageTransport } from "./transport.js";

/**
 * Keeps every event in memory, as the JSON a real transport would send (a copy made at
 * emit time). A test double for users' and weir's own tests: run something, then look at
 * `transport.events`.
 */
export class MemoryTransport implements LineageTransport {
  readonly kind = "memory";
  readonly events: RunEvent[] = [];
  #closed = false;

  emit(event: RunEvent): void {
    if (this.#closed) return;
    try {
      this.events.push(JSON.parse(JSON.stringify(event)) as RunEvent);
    } catch {
      // emit never throws; an event that cannot be serialised is not kept, as a real transport could not send it
    }
  }

  async flush(): Promise<boolean> {
    return true;
  }

  async close(): Promise<boolean> {
    this.#closed = true;
    return true;
  }
}
