import type { RunEvent } from "../openlineage/types.js";

/**
 * Where OpenLineage events go. The lifecycle, which every transport keeps:
 *
 * - `emit(event)` hands an event over and returns at once. It never throws and never
 *   waits: lineage is a by-product of a run, and a slow or broken lineage backend must not
 *   slow or fail the run. The event is serialised at once, so changing the object afterwards
 *   changes nothing. Problems are logged (once per kind, not once per event) and counted.
 * - `flush(timeoutMs)` waits until every event emitted before the call is delivered or
 *   given up on, or until the timeout; it resolves to true when nothing is left pending.
 * - `close(timeoutMs)` flushes, then releases files, timers and connections; events
 *   emitted after it are dropped (and counted). Bounded by the timeout too.
 */
export interface LineageTransport {
  /** `file`, `http`, `console`, `composite`, `memory`: for logs and tests. */
  readonly kind: string;
  emit(event: RunEvent): void;
  flush(timeoutMs?: number): Promise<boolean>;
  close(timeoutMs?: number): Promise<boolean>;
}

/** How long `flush` and `close` wait by default. */
export const DEFAULT_FLUSH_TIMEOUT_MS = 10_000;

/** One NDJSON line: `JSON.stringify` escapes newlines inside strings, so an event is one line. */
export function eventLine(event: RunEvent): string {
  return `${JSON.stringify(event)}\n`;
}

/** Resolves to true when `done` settles within `timeoutMs`, false when the timeout wins. */
export async function within(done: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([
      done.then(
        () => true as const,
        () => true as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
