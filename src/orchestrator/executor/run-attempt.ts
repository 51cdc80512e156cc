import type { Clock } from "../../core/clock.js";
import { formatDuration } from "../../core/duration.js";
import { messageOf, WeirError } from "../../core/errors.js";

/** Why the executor aborted an attempt (the reason of the attempt's AbortSignal). */
export class AttemptAbort extends WeirError {
  constructor(
    readonly why: "timeout" | "run_timeout" | "shutdown",
    message: string,
  ) {
    super(why === "shutdown" ? "INTERNAL" : "TASK_TIMEOUT", message, { retryable: why !== "run_timeout" });
    this.name = "AttemptAbort";
  }

  /** The code stored with the attempt. */
  get attemptCode(): string {
    return this.why === "timeout"
      ? "TASK_TIMEOUT"
      : this.why === "run_timeout"
        ? "RUN_TIMEOUT"
        : "TASK_INTERRUPTED";
  }
}

/** Thrown by `ctx.skip()`. */
export class SkipTask extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "SkipTask";
  }
}

export type AttemptOutcome =
  | { kind: "success"; output: unknown }
  | { kind: "failed"; error: unknown }
  | { kind: "skipped"; reason: string }
  | { kind: "aborted"; abort: AttemptAbort };

export interface RunningAttempt {
  /** Aborting it ends the attempt at once with that outcome, whether or not the task honours its signal. */
  readonly controller: AbortController;
  readonly outcome: Promise<AttemptOutcome>;
}

/**
 * Runs one attempt of a task: `work` gets the attempt's signal. The attempt ends when the
 * work settles or when the signal is aborted (its timeout, the run's timeout, shutdown),
 * whichever comes first: a task that ignores its signal cannot hold the run, its late
 * result is dropped.
 */
export function startAttempt(
  clock: Clock,
  timeoutMs: number | undefined,
  work: (signal: AbortSignal) => Promise<unknown>,
): RunningAttempt {
  const controller = new AbortController();
  const timers = new AbortController();
  const aborted = new Promise<AttemptOutcome>((resolve) => {
    controller.signal.addEventListener(
      "abort",
      () => {
        const reason = controller.signal.reason;
        resolve(
          reason instanceof AttemptAbort
            ? { kind: "aborted", abort: reason }
            : { kind: "aborted", abort: new AttemptAbort("shutdown", `aborted: ${messageOf(reason)}`) },
        );
      },
      { once: true },
    );
  });
  if (timeoutMs !== undefined) {
    clock.sleep(timeoutMs, timers.signal).then(
      () => controller.abort(new AttemptAbort("timeout", `timed out after ${formatDuration(timeoutMs)}`)),
      () => undefined,
    );
  }
  const settled = (async (): Promise<AttemptOutcome> => {
    try {
      return { kind: "success", output: await work(controller.signal) };
    } catch (error) {
      if (error instanceof SkipTask) return { kind: "skipped", reason: error.reason };
      return { kind: "failed", error };
    }
  })();
  const outcome = Promise.race([settled, aborted]).finally(() => timers.abort());
  return { controller, outcome };
}
