import type { Clock } from "../../core/clock.js";
import { formatDuration } from "../../core/duration.js";
import { messageOf, WeirError } from "../../core/errors.js";
import type { TaskNode } from "./task-node.js";

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
  /** `stopped`: the task's code ended within its grace after the abort; false when it still runs. */
  | { kind: "aborted"; abort: AttemptAbort; stopped: boolean };

/** How long an attempt may run, and how long it has to stop once told to. */
export interface AttemptLimits {
  timeoutMs?: number | undefined;
  graceMs: number;
}

/** A task's limits per its policy; a mapped parent's `items` has no timeout of its own. */
export function attemptLimits(node: TaskNode): AttemptLimits {
  const isParent = node.task.map !== undefined && node.mapIndex < 0;
  return { timeoutMs: isParent ? undefined : node.policy.timeoutMs, graceMs: node.policy.timeoutGraceMs };
}

export interface RunningAttempt {
  /** Aborting it tells the task to stop (its signal); the attempt ends when it does, or after its grace. */
  readonly controller: AbortController;
  readonly outcome: Promise<AttemptOutcome>;
}

/**
 * Runs one attempt of a task: `work` gets the attempt's signal. The attempt ends when the
 * work settles, or — once the signal is aborted (its timeout, the run's timeout, shutdown)
 * — when the work stops or `graceMs` has passed, whichever comes first. Waiting for the
 * work is what keeps an attempt from overlapping its retry: tasks run in this process and
 * cannot be killed, only told to stop. An outcome with `stopped: false` means the task
 * ignored its signal and still runs; its late result is dropped.
 */
export function startAttempt(
  clock: Clock,
  { timeoutMs, graceMs }: AttemptLimits,
  work: (signal: AbortSignal) => Promise<unknown>,
): RunningAttempt {
  const controller = new AbortController();
  // Cancels the timeout and the grace once the attempt has ended, so no sleeper outlives it.
  const timers = new AbortController();
  const aborted = new Promise<AttemptAbort>((resolve) => {
    controller.signal.addEventListener("abort", () => resolve(abortOf(controller.signal.reason)), {
      once: true,
    });
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
  const outcome = (async (): Promise<AttemptOutcome> => {
    const first = await Promise.race([settled, aborted]);
    if (!(first instanceof AttemptAbort)) return first;
    const stopped = await Promise.race([
      settled.then(() => true),
      clock.sleep(graceMs, timers.signal).then(
        () => false,
        () => true,
      ),
    ]);
    return { kind: "aborted", abort: first, stopped };
  })().finally(() => timers.abort());
  return { controller, outcome };
}

function abortOf(reason: unknown): AttemptAbort {
  return reason instanceof AttemptAbort
    ? reason
    : new AttemptAbort("shutdown", `aborted: ${messageOf(reason)}`);
}
