import type { RunEvent } from "../openlineage/types.js";
import { DEFAULT_FLUSH_TIMEOUT_MS, type LineageTransport, within } from "./transport.js";

/**
 * Sends every event to several transports at once (a local file and Marquez, say). One
 * transport's trouble does not reach the others: each is asked separately, and `flush`
 * and `close` wait for all of them in parallel, within one timeout.
 */
export class CompositeTransport implements LineageTransport {
  readonly kind = "composite";
  readonly transports: readonly LineageTransport[];

  constructor(transports: readonly LineageTransport[]) {
    this.transports = transports;
  }

  emit(event: RunEvent): void {
    for (const transport of this.transports) {
      try {
        transport.emit(event);
      } catch {
        // A transport must not throw from emit; if one does anyway, the others still get the event.
      }
    }
  }

  async flush(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<boolean> {
    return this.#all((t) => t.flush(timeoutMs), timeoutMs);
  }

  async close(timeoutMs = DEFAULT_FLUSH_TIMEOUT_MS): Promise<boolean> {
    return this.#all((t) => t.close(timeoutMs), timeoutMs);
  }

  /** Runs `step` on every transport at once; true when all report success within the timeout (even a transport that ignores it). */
  async #all(step: (t: LineageTransport) => Promise<boolean>, timeoutMs: number): Promise<boolean> {
    const results = await Promise.all(
      this.transports.map(async (t) => {
        let ok = false;
        const done = Promise.resolve()
          .then(() => step(t))
          .then((result) => {
            ok = result;
          });
        return (await within(done, timeoutMs)) && ok;
      }),
    );
    return results.every(Boolean);
  }
}
