import type { Clock } from "../../core/clock.js";
import { messageOf } from "../../core/errors.js";
import { type Logger, warn } from "../../core/log.js";

export interface RetryStoreWriteOptions {
  clock: Clock;
  logger: Logger;
  /** Named in the warnings ("storing the outcome of …"). */
  what: string;
  /** Gives up (rethrows the last error) once this much time has passed since the first try. */
  giveUpAfterMs: number;
  /** First delay; doubled after each failure up to `maxDelayMs`. Defaults 200 ms and 5 s. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** Stops the retries: once aborted, the last error is rethrown instead of waiting again. */
  signal?: AbortSignal;
}

/**
 * Runs a write to the metadata database again, with backoff, while it fails: a worker cut
 * off from PostgreSQL (a network partition, a failover, a restart) must not lose the hand-over
 * of an attempt — its take or its outcome — to one failed round trip. The write must be
 * safe to repeat: its COMMIT may have reached the server before the connection broke.
 * Each failure is logged once per try.
 */
export async function retryStoreWrite<T>(write: () => Promise<T>, o: RetryStoreWriteOptions): Promise<T> {
  const started = o.clock.now().getTime();
  let delay = o.firstDelayMs ?? 200;
  for (let tries = 1; ; tries++) {
    try {
      return await write();
    } catch (error) {
      const elapsed = o.clock.now().getTime() - started;
      if (elapsed + delay > o.giveUpAfterMs || o.signal?.aborted) throw error;
      warn(o.logger, `${o.what} failed (try ${tries}, again in ${delay} ms): ${messageOf(error)}`);
      const woke = await o.clock.sleep(delay, o.signal).then(
        () => true,
        () => false,
      );
      if (!woke) throw error;
      delay = Math.min(delay * 2, o.maxDelayMs ?? 5_000);
    }
  }
}
