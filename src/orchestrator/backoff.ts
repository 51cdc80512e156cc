import { parseDuration } from "../core/duration.js";
import { ConfigError } from "../core/errors.js";

/** How long to wait between attempts of a task. Durations are milliseconds or strings like "5m". */
export interface RetryPolicy {
  /** Delay before the first retry (and every retry without `exponential`). */
  retryDelay: number | string;
  /** Double the delay after each failed attempt: delay × 2^(attempt − 1). */
  exponential?: boolean;
  /**
   * Upper bound for any delay, jitter included. Default: none for a constant delay, 24 hours
   * with `exponential` (Airflow's `max_retry_delay` default), so doubling never overflows.
   */
  maxDelay?: number | string;
  /**
   * Spread retries of many tasks so they do not hit a recovering system at once: the delay
   * is drawn uniformly from `[d × (1 − j), d]`, where `d` is the capped delay and `j` the
   * jitter fraction (`true` = 0.5, "equal jitter"; `1` = "full jitter"). Jitter only ever
   * shortens a delay, so `maxDelay` stays a hard bound.
   */
  jitter?: boolean | number;
}

export const DEFAULT_EXPONENTIAL_MAX_DELAY_MS = 24 * 3_600_000;

/**
 * The delay in milliseconds before retrying after failed attempt number `attempt` (1 = the
 * first attempt failed). `random` returns a number in [0, 1) and is injected so tests (and
 * replays) are deterministic.
 *
 * @example
 * retryDelay(3, { retryDelay: "1m", exponential: true, maxDelay: "10m" }); // 240_000 (1m × 2²)
 * retryDelay(9, { retryDelay: "1m", exponential: true, maxDelay: "10m" }); // 600_000 (capped)
 */
export function retryDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new ConfigError(`retry attempt must be a whole number of at least 1, got ${attempt}`);
  }
  const base = parseDuration(policy.retryDelay, "retryDelay");
  const maxDelay =
    policy.maxDelay !== undefined
      ? parseDuration(policy.maxDelay, "maxRetryDelay")
      : policy.exponential
        ? DEFAULT_EXPONENTIAL_MAX_DELAY_MS
        : Number.POSITIVE_INFINITY;
  // 2^(attempt-1) overflows to Infinity for large attempts; min() then picks maxDelay.
  const raw = policy.exponential ? base * 2 ** (attempt - 1) : base;
  const capped = Math.min(raw, maxDelay);
  const fraction = jitterFraction(policy.jitter);
  if (fraction === 0) return Math.round(capped);
  const r = random();
  if (!(r >= 0 && r < 1))
    throw new ConfigError(`retry jitter random() must return a number in [0, 1), got ${r}`);
  return Math.round(capped * (1 - fraction + fraction * r));
}

function jitterFraction(jitter: boolean | number | undefined): number {
  if (jitter === undefined || jitter === false) return 0;
  if (jitter === true) return 0.5;
  if (typeof jitter !== "number" || !(jitter >= 0 && jitter <= 1)) {
    throw new ConfigError(
      `retryJitter must be true, false or a fraction between 0 and 1, got ${String(jitter)}`,
    );
  }
  return jitter;
}
