import type { ProjectConfig } from "../config/project-config.js";
import { ConfigError } from "../core/errors.js";

/**
 * How long a run or attempt may go without a heartbeat before every command (`weir run`,
 * `backfill`, `retry`, `scheduler`) takes its process for dead: reaps it, frees its pool
 * slots and redoes its work. `WEIR_HEARTBEAT_TIMEOUT_MS` (milliseconds) wins over the
 * project config's `scheduler.heartbeatTimeout` (default 60 s); tests and operators who
 * know a process is gone use it to recover sooner. Executors heartbeat at a quarter of it
 * (at most every 5 s), so every process sharing a store should use the same value.
 */
export function heartbeatTimeoutOf(config: ProjectConfig, env: NodeJS.ProcessEnv = process.env): number {
  const text = env.WEIR_HEARTBEAT_TIMEOUT_MS;
  if (text === undefined || text.trim() === "") return config.scheduler.heartbeatTimeout;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 100) {
    throw new ConfigError(
      `invalid WEIR_HEARTBEAT_TIMEOUT_MS "${text}": expected a whole number of milliseconds, at least 100`,
      { details: { variable: "WEIR_HEARTBEAT_TIMEOUT_MS", value: text } },
    );
  }
  return ms;
}
