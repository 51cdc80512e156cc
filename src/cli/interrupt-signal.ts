/** An AbortSignal for a long CLI command, and how to stop listening for Ctrl-C. */
export interface InterruptSignal {
  readonly signal: AbortSignal;
  /** Removes the process signal handlers (call it in `finally`). */
  dispose(): void;
}

/**
 * Aborts `signal` (reason "interrupted") on the first Ctrl-C or SIGTERM, so a run or a
 * backfill releases its running attempts and stays resumable instead of dying mid-write.
 *
 * @example
 * const interrupt = interruptSignal();
 * try { await executeRun({ ...options, signal: interrupt.signal }); } finally { interrupt.dispose(); }
 */
export function interruptSignal(): InterruptSignal {
  const stop = new AbortController();
  const onSignal = () => stop.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  return {
    signal: stop.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
